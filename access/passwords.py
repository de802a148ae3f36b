"""Passwords: argon2id hashes (argon2-cffi, RFC 9106 parameters), and the policy a new one must
meet: a minimum length, not one of the commonly used passwords, and not easy to guess
(zxcvbn's estimate, which also knows keyboard walks, dates and names)."""

from __future__ import annotations

import functools

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from access.settings import MIN_PASSWORD_LENGTH
from warehouse.errors import UsageError

# zxcvbn's scale: 0 (guessable in seconds) to 4; 3 means "safely unguessable" online.
MIN_SCORE = 3
_hasher = PasswordHasher()


@functools.cache
def _common() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def check_policy(password: str, name: str = "") -> None:
    """A one-line UsageError naming what is wrong (never echoing the password)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(f"The password must be at least {MIN_PASSWORD_LENGTH} characters long.")
    if password.casefold() in _common() or password.strip().casefold() in _common():
        raise UsageError("That password is on the list of commonly used passwords; choose another.")
    estimate = zxcvbn(password[:100], user_inputs=[name] if name else [])
    if estimate["score"] < MIN_SCORE:
        hint = (estimate.get("feedback") or {}).get("warning") or "it is too easy to guess"
        raise UsageError(f"That password is too weak ({hint.rstrip('.')}); choose a longer one.")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@functools.cache
def dummy_hash() -> str:
    """A hash to verify against when a name is unknown, so that an answer takes as long for a
    name that does not exist as for one that does."""
    return _hasher.hash("no such user: this hash is only ever compared against")


def parameters() -> dict[str, int]:
    return {
        "time_cost": _hasher.time_cost,
        "memory_cost_kib": _hasher.memory_cost,
        "parallelism": _hasher.parallelism,
    }
