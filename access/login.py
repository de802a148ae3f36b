"""Logging in: a name and a password against the store, with the lock-out of a name after
repeated failures, and the same work (one argon2 verification) whether or not the name exists,
so that the time of an answer does not tell which names are users."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from access import passwords
from access.settings import AccessSettings
from access.store import AccessStore
from access.users import User, Users


@dataclass(frozen=True)
class Outcome:
    user: User | None
    # why it failed: "unknown or wrong", "locked", "disabled"; None on success
    failure: str | None = None
    locked_for_seconds: int = 0


class Login:
    def __init__(
        self,
        store: AccessStore,
        users: Users,
        settings: AccessSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.users, self.settings, self.clock = store, users, settings, clock

    def attempt(self, name: str, password: str) -> Outcome:
        key = name.strip().casefold()
        # Always one verification: against the user's hash, or a dummy for an unknown name.
        stored = self.users.password_hash(name) if key else None
        matches = passwords.verify(stored or passwords.dummy_hash(), password) and bool(stored)
        locked = self.locked_for(key)
        if locked:
            return Outcome(None, "locked", locked)
        if not matches:
            self._fail(key)
            return Outcome(None, "unknown or wrong")
        user = self.users.find(name)
        if user is None or user.disabled:
            return Outcome(None, "disabled")
        self._forget(key)
        return Outcome(user)

    def locked_for(self, key: str) -> int:
        """Seconds left of a lock-out of this name: after `lockout_failures` failures within
        the lock-out period, further attempts are refused until the period since the last
        failure has passed."""
        window = self.settings.lockout_seconds
        now = self.clock()
        with self.store.connect() as con:
            rows = con.execute(
                "select at from login_failures where name_key = ? and at > ? order by at",
                [key, now - window],
            ).fetchall()
        if len(rows) < self.settings.lockout_failures:
            return 0
        return max(1, round(rows[-1]["at"] + window - now))

    def _fail(self, key: str) -> None:
        now = self.clock()
        with self.store.connect() as con:
            con.execute("insert into login_failures values (?, ?)", [key, now])
            con.execute(
                "delete from login_failures where at < ?", [now - self.settings.lockout_seconds]
            )

    def _forget(self, key: str) -> None:
        with self.store.connect() as con:
            con.execute("delete from login_failures where name_key = ?", [key])
