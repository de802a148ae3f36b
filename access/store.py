"""The access store: one SQLite file, owner-only, its schema versioned by `user_version` and
migrated forward on open. The access log is append-only: triggers refuse every UPDATE and
DELETE of it, whoever asks."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

from access.guards import new_secret
from warehouse.errors import CoachError
from warehouse.files import PRIVATE_FILE, ensure_private_dir

# Each entry moves the schema from version i to i + 1; never edit a released one, add another.
MIGRATIONS = (
    """
    create table users (
        id integer primary key,
        name text not null unique collate nocase,
        role text not null check (role in ('admin', 'viewer')),
        password_hash text not null,
        disabled_at text,
        created_at text not null,
        password_changed_at text not null
    );
    create table user_scopes (
        user_id integer not null references users (id) on delete cascade,
        kind text not null check (kind in ('employer', 'coach')),
        value text not null,
        primary key (user_id, kind, value)
    );
    create table sessions (
        token_hash text primary key,
        user_id integer not null references users (id) on delete cascade,
        created_at real not null,
        last_seen_at real not null,
        ended_at real,
        ended_reason text,
        client text
    );
    create table login_failures (
        name_key text not null,
        at real not null
    );
    create index login_failures_by_name on login_failures (name_key, at);
    create table access_log (
        id integer primary key autoincrement,
        at text not null,
        user_name text,
        event text not null,
        method text,
        route text,
        status integer,
        filters text,
        row_count integer,
        client text,
        detail text
    );
    create index access_log_by_time on access_log (at);
    create table secrets (
        name text primary key,
        value text not null
    );
    create trigger access_log_no_update before update on access_log
        begin select raise(abort, 'the access log is append-only'); end;
    create trigger access_log_no_delete before delete on access_log
        begin select raise(abort, 'the access log is append-only'); end;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class AccessStore:
    """SQLite in WAL mode, so that the web app's threads and a `coach users` command in another
    process work on the file at once. Each thread keeps one connection (opening one per use
    cost more than the queries of a request)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._sides_private = False
        ensure_private_dir(self.path.parent)
        with self.connect() as con:
            self._migrate(con)

    def _open(self) -> sqlite3.Connection:
        existed = self.path.exists()
        try:
            con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        except sqlite3.Error as exc:
            raise CoachError(f"Cannot open the access store {self.path}: {exc}.") from None
        if not existed:
            os.chmod(self.path, PRIVATE_FILE)
        con.row_factory = sqlite3.Row
        con.execute("pragma foreign_keys = on")
        con.execute("pragma journal_mode = wal")
        con.execute("pragma synchronous = normal")
        return con

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        con = getattr(self._local, "con", None)
        if con is None:
            con = self._local.con = self._open()
        try:
            yield con
        finally:
            if not self._sides_private:
                self._make_sides_private()

    def _make_sides_private(self) -> None:
        """The WAL and shared-memory files appear with the first write; owner-only too."""
        sides = [self.path.with_name(self.path.name + s) for s in ("-wal", "-shm")]
        for side in sides:
            if side.exists():
                os.chmod(side, PRIVATE_FILE)
        self._sides_private = all(side.exists() for side in sides)

    @staticmethod
    @contextlib.contextmanager
    def transaction(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        con.execute("begin immediate")
        try:
            yield con
        except BaseException:
            con.execute("rollback")
            raise
        con.execute("commit")

    def secret(self, name: str) -> str:
        """A random secret made on first use and kept (e.g. the CSRF key), so that tokens stay
        valid across restarts of the app."""
        with self.connect() as con:
            con.execute("insert or ignore into secrets values (?, ?)", [name, new_secret()])
            return con.execute("select value from secrets where name = ?", [name]).fetchone()[0]

    def _migrate(self, con: sqlite3.Connection) -> None:
        version = con.execute("pragma user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise CoachError(
                f"The access store {self.path} was made by a newer version of coach (schema "
                f"{version}, this one knows {SCHEMA_VERSION}); upgrade coach."
            )
        for step in range(version, SCHEMA_VERSION):
            with self.transaction(con):
                for statement in _statements(MIGRATIONS[step]):
                    con.execute(statement)
                con.execute(f"pragma user_version = {step + 1}")


def _statements(script: str) -> list[str]:
    """A migration's statements (triggers hold `;` inside begin ... end)."""
    statements, current = [], []
    for line in script.strip().splitlines():
        current.append(line)
        text = "\n".join(current).strip()
        if text.endswith(";") and sqlite3.complete_statement(text):
            statements.append(text)
            current = []
    return statements
