"""The access store: users, passwords, scopes, sessions, lock-out and the append-only access
log, against a real SQLite file."""

from __future__ import annotations

import os
import sqlite3
import stat
import statistics
import time

import pytest

from access import passwords
from access.log import AccessLog, Entry
from access.login import Login
from access.sessions import Sessions
from access.settings import AccessSettings
from access.store import SCHEMA_VERSION, AccessStore
from access.users import Users
from warehouse.errors import CoachError, UsageError

GOOD = "Pencil-Harbor-Quartz-91"


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def parts(tmp_path):
    store = AccessStore(tmp_path / "w.access.sqlite")
    settings = AccessSettings(store=store.path)
    users = Users(store)
    clock = Clock()
    return (
        store,
        users,
        Sessions(store, users, settings, clock),
        Login(store, users, settings, clock),
        clock,
    )


def test_the_store_is_owner_only_and_versioned(tmp_path):
    store = AccessStore(tmp_path / "a.sqlite")
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600
    with store.connect() as con:
        assert con.execute("pragma user_version").fetchone()[0] == SCHEMA_VERSION
    with store.connect() as con:
        con.execute(f"pragma user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(CoachError, match="newer version of coach"):
        AccessStore(store.path)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 12 characters"),
        ("password1234", "commonly used"),
        ("qwertyuiopasdf", "commonly used|too weak"),
        ("aaaaaaaaaaaaaaaa", "too weak"),
        ("alice-alice-alice", "too weak"),
    ],
)
def test_weak_passwords_are_refused_without_echo(parts, password, reason):
    _, users, *_ = parts
    with pytest.raises(UsageError, match=reason) as refused:
        users.add("alice", "viewer", password)
    assert password not in str(refused.value)


def test_passwords_are_argon2id_hashes(parts):
    store, users, *_ = parts
    users.add("alice", "viewer", GOOD)
    with store.connect() as con:
        (digest,) = con.execute("select password_hash from users").fetchone()
    assert digest.startswith("$argon2id$") and GOOD not in digest
    assert passwords.verify(digest, GOOD) and not passwords.verify(digest, GOOD + "x")


def test_sessions_time_out_when_idle_and_at_their_lifetime(parts):
    _, users, sessions, _, clock = parts
    alice = users.add("alice", "viewer", GOOD)
    token = sessions.start(alice, "127.0.0.1")
    clock.now += 14 * 60
    assert sessions.resume(token) is not None  # touched: idle counts from here
    clock.now += 15 * 60 + 1
    assert sessions.resume(token) is None
    assert sessions.resume(token) is None  # ended for good
    fresh = sessions.start(alice, None)
    for _ in range(40):  # active all along, but 8 hours is the most
        clock.now += 14 * 60
        if sessions.resume(fresh) is None:
            break
    assert clock.now - 1_800_000_000.0 >= 8 * 3600


def test_disabling_a_user_ends_their_sessions_at_once(parts):
    _, users, sessions, _, _ = parts
    alice = users.add("alice", "viewer", GOOD)
    token = sessions.start(alice, None)
    assert sessions.resume(token).user.name == "alice"
    users.set_disabled("alice", True)
    assert sessions.resume(token) is None
    users.set_disabled("alice", False)
    assert sessions.resume(token) is None  # enabling again does not revive it


def test_each_login_is_a_new_session_and_only_its_hash_is_stored(parts):
    store, users, sessions, _, _ = parts
    alice = users.add("alice", "viewer", GOOD)
    first, second = sessions.start(alice, None), sessions.start(alice, None)
    assert first != second
    with store.connect() as con:
        stored = [row[0] for row in con.execute("select token_hash from sessions")]
    assert first not in stored and second not in stored
    assert store.path.read_bytes().find(first.encode()) == -1


def test_five_failures_lock_a_name_for_fifteen_minutes(parts):
    _, users, _, login, clock = parts
    users.add("alice", "viewer", GOOD)
    for _ in range(5):
        assert login.attempt("alice", "wrong password here").failure == "unknown or wrong"
    locked = login.attempt("alice", GOOD)  # the right password, but locked
    assert locked.user is None and locked.failure == "locked"
    assert 0 < locked.locked_for_seconds <= 15 * 60
    assert login.attempt("ALICE", GOOD).failure == "locked"  # the name, in any case
    clock.now += 15 * 60 + 1
    assert login.attempt("alice", GOOD).user is not None
    # Unknown names lock too (attempts cannot tell them apart).
    for _ in range(5):
        login.attempt("mallory", "whatever it is")
    assert login.attempt("mallory", "whatever it is").failure == "locked"


def test_an_unknown_name_takes_as_long_as_a_wrong_password(parts):
    _, users, _, login, _ = parts
    users.add("alice", "viewer", GOOD)

    def timed(name: str) -> float:
        started = time.perf_counter()
        login.attempt(name, "not the password at all")
        return time.perf_counter() - started

    for name in ("alice", "nobody"):  # warm up both paths
        timed(name)
    known = statistics.median(timed("alice") for _ in range(4))
    unknown = statistics.median(timed(f"nobody{i}") for i in range(4))
    assert 0.6 < unknown / known < 1.6, (known, unknown)


def test_the_access_log_is_append_only(parts):
    store, *_ = parts
    log = AccessLog(store)
    log.record(
        Entry(
            "view",
            user_name="alice",
            method="GET",
            route="/caseload",
            row_count=3,
            filters={"employer": ["Acme"]},
            client="127.0.0.1",
        )
    )
    assert [row["route"] for row in log.read()] == ["/caseload"]
    with store.connect() as con:
        for statement in ("update access_log set user_name = 'x'", "delete from access_log"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                con.execute(statement)
    assert len(log.read(user="ALICE")) == 1
