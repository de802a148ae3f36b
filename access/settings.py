"""Access settings: where the store lives and how long sessions last, from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from warehouse.errors import ConfigError

DEFAULT_IDLE_MINUTES = 15
DEFAULT_LIFETIME_HOURS = 8
LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class AccessSettings:
    store: Path
    idle_seconds: int = DEFAULT_IDLE_MINUTES * 60
    lifetime_seconds: int = DEFAULT_LIFETIME_HOURS * 3600
    lockout_failures: int = LOCKOUT_FAILURES
    lockout_seconds: int = LOCKOUT_MINUTES * 60


def store_path(published: Path, env: Mapping[str, str] | None = None) -> Path:
    """`COACH_ACCESS_DB`, else `<warehouse name>.access.sqlite` beside the published warehouse."""
    env = os.environ if env is None else env
    given = env.get("COACH_ACCESS_DB")
    return Path(given) if given else published.with_name(f"{published.stem}.access.sqlite")


def _positive(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw[:40]!r}.") from None
    if not value > 0:
        raise ConfigError(f"{name} must be more than 0, got {raw[:40]!r}.")
    return value


def access_settings(published: Path, env: Mapping[str, str] | None = None) -> AccessSettings:
    env = os.environ if env is None else env
    idle = _positive(env, "COACH_SESSION_IDLE_MINUTES", DEFAULT_IDLE_MINUTES)
    lifetime = _positive(env, "COACH_SESSION_LIFETIME_HOURS", DEFAULT_LIFETIME_HOURS)
    return AccessSettings(
        store=store_path(published, env),
        idle_seconds=round(idle * 60),
        lifetime_seconds=round(lifetime * 3600),
    )
