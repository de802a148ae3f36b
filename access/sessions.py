"""Server-side sessions: a random id in an HttpOnly cookie, only its SHA-256 kept in the store,
so a copy of the store opens no session. A session ends at log-out, when its user is disabled
or changes password, after the idle time-out and at its absolute lifetime; each log-in starts a
new one (no fixation)."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from access.settings import AccessSettings
from access.store import AccessStore
from access.users import User, Users

# A session's last request is written at most this often (a write per request cost more than the
# rest of the check); the idle time-out is that much less exact.
TOUCH_SECONDS = 5


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


@dataclass(frozen=True)
class Session:
    """A live session: its user and a short reference for logs (never the id itself)."""

    user: User
    reference: str
    created_at: float


class Sessions:
    def __init__(
        self,
        store: AccessStore,
        users: Users,
        settings: AccessSettings,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store, self.users, self.settings, self.clock = store, users, settings, clock

    def start(self, user: User, client: str | None) -> str:
        """A new session for `user`; returns the id to put in the cookie."""
        token = secrets.token_urlsafe(32)
        now = self.clock()
        with self.store.connect() as con:
            con.execute(
                "insert into sessions (token_hash, user_id, created_at, last_seen_at, client) "
                "values (?, ?, ?, ?, ?)",
                [_hash(token), user.id, now, now, client],
            )
        return token

    def resume(self, token: str | None) -> Session | None:
        """The live session of this cookie value, touched; None (and ended, with the reason)
        when it is unknown, ended, idle too long, too old, or its user is disabled."""
        if not token:
            return None
        digest, now = _hash(token), self.clock()
        with self.store.connect() as con:
            row = con.execute(
                "select user_id, created_at, last_seen_at, ended_at from sessions "
                "where token_hash = ?",
                [digest],
            ).fetchone()
            if row is None or row["ended_at"] is not None:
                return None
            reason = None
            if now - row["last_seen_at"] > self.settings.idle_seconds:
                reason = "idle time-out"
            elif now - row["created_at"] > self.settings.lifetime_seconds:
                reason = "lifetime over"
            user = self.users.by_id(row["user_id"])
            if reason is None and (user is None or user.disabled):
                reason = "user disabled"
            if reason is not None:
                self._end(con, digest, reason, now)
                return None
            if now - row["last_seen_at"] >= TOUCH_SECONDS:
                con.execute(
                    "update sessions set last_seen_at = ? where token_hash = ?", [now, digest]
                )
        assert user is not None
        return Session(user=user, reference=digest[:12], created_at=row["created_at"])

    def end(self, token: str | None, reason: str = "logged out") -> None:
        if token:
            with self.store.connect() as con:
                self._end(con, _hash(token), reason, self.clock())

    @staticmethod
    def _end(con, digest: str, reason: str, now: float) -> None:
        con.execute(
            "update sessions set ended_at = ?, ended_reason = ? "
            "where token_hash = ? and ended_at is null",
            [now, reason, digest],
        )
