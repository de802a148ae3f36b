"""Users: a name, a role (`admin` sees everything, the write-back page included; `viewer` sees
the reports), and a scope (employers and/or coaches; none means every member)."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from access import passwords
from access.store import AccessStore
from warehouse.errors import UsageError, shown

ROLES = ("admin", "viewer")


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool
    created_at: str
    employers: tuple[str, ...] = field(default=())
    coaches: tuple[str, ...] = field(default=())

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def scoped(self) -> bool:
        return bool(self.employers or self.coaches)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 64 or not name.isprintable() or any(c.isspace() for c in name):
        raise UsageError(
            f"A user name is 1 to 64 printable characters without spaces, got {shown(name)}."
        )
    return name


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UsageError(f"--role must be one of {', '.join(ROLES)}, got {shown(role)}.")
    return role


class Users:
    def __init__(self, store: AccessStore) -> None:
        self.store = store

    def add(
        self,
        name: str,
        role: str,
        password: str,
        employers: tuple[str, ...] = (),
        coaches: tuple[str, ...] = (),
    ) -> User:
        name, role = _check_name(name), _check_role(role)
        if role == "admin" and (employers or coaches):
            raise UsageError(
                "An admin sees every member and the write-back page; a scope (--employer, "
                "--coach) is for viewers."
            )
        passwords.check_policy(password, name)
        digest = passwords.hash_password(password)
        with self.store.connect() as con, self.store.transaction(con):
            try:
                cursor = con.execute(
                    "insert into users (name, role, password_hash, created_at, "
                    "password_changed_at) values (?, ?, ?, ?, ?)",
                    [name, role, digest, _now(), _now()],
                )
            except sqlite3.IntegrityError:
                raise UsageError(f"There is already a user {shown(name)}.") from None
            scopes = [("employer", e) for e in employers] + [("coach", c) for c in coaches]
            con.executemany(
                "insert or ignore into user_scopes values (?, ?, ?)",
                [(cursor.lastrowid, kind, value) for kind, value in scopes],
            )
        return self.get(name)

    def get(self, name: str) -> User:
        found = self.find(name)
        if found is None:
            raise UsageError(f"No user {shown(name)}; `coach users list` shows them.")
        return found

    def find(self, name: str) -> User | None:
        with self.store.connect() as con:
            row = con.execute("select * from users where name = ?", [name.strip()]).fetchone()
            return None if row is None else self._user(con, row)

    def by_id(self, user_id: int) -> User | None:
        with self.store.connect() as con:
            row = con.execute("select * from users where id = ?", [user_id]).fetchone()
            return None if row is None else self._user(con, row)

    def all(self) -> list[User]:
        with self.store.connect() as con:
            rows = con.execute("select * from users order by name").fetchall()
            return [self._user(con, row) for row in rows]

    def password_hash(self, name: str) -> str | None:
        with self.store.connect() as con:
            row = con.execute(
                "select password_hash from users where name = ?", [name.strip()]
            ).fetchone()
            return None if row is None else row[0]

    def set_password(self, name: str, password: str) -> None:
        user = self.get(name)
        passwords.check_policy(password, user.name)
        digest = passwords.hash_password(password)
        with self.store.connect() as con, self.store.transaction(con):
            con.execute(
                "update users set password_hash = ?, password_changed_at = ? where id = ?",
                [digest, _now(), user.id],
            )
            _end_sessions(con, user.id, "password changed")

    def set_disabled(self, name: str, disabled: bool) -> User:
        """Disabling a user ends every session of theirs at once."""
        user = self.get(name)
        with self.store.connect() as con, self.store.transaction(con):
            con.execute(
                "update users set disabled_at = ? where id = ?",
                [_now() if disabled else None, user.id],
            )
            if disabled:
                _end_sessions(con, user.id, "user disabled")
        return self.get(name)

    def remove(self, name: str) -> None:
        user = self.get(name)
        with self.store.connect() as con, self.store.transaction(con):
            con.execute("delete from users where id = ?", [user.id])

    @staticmethod
    def _user(con: sqlite3.Connection, row: sqlite3.Row) -> User:
        scopes = con.execute(
            "select kind, value from user_scopes where user_id = ? order by kind, value",
            [row["id"]],
        ).fetchall()
        return User(
            id=row["id"],
            name=row["name"],
            role=row["role"],
            disabled=row["disabled_at"] is not None,
            created_at=row["created_at"],
            employers=tuple(v for k, v in scopes if k == "employer"),
            coaches=tuple(v for k, v in scopes if k == "coach"),
        )


def _end_sessions(con: sqlite3.Connection, user_id: int, reason: str) -> None:
    con.execute(
        "update sessions set ended_at = ?, ended_reason = ? where user_id = ? and ended_at is null",
        [time.time(), reason, user_id],
    )
