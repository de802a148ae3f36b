"""Reading the published warehouse: everything readers assume about how it is published.

The pipeline publishes by copying its working file beside the published path and renaming it
into place (`warehouse.store.publish`): the published path then names a new file (a new inode),
complete and never written again. Readers rely on exactly that, and only here:

* a snapshot is the published file opened read-only. It is ATTACHed to a private in-memory
  DuckDB instance under the file's stem (so SQL and the marts' table macros resolve as with
  `duckdb.connect(path)`), because `duckdb.connect` of a path the process already has open
  returns that first instance, which after a publish is the previous file;
* `PublishedReader` (the web app) keeps one snapshot open and checks the path's inode when a
  request starts: after a publish, new requests get a snapshot of the new file while requests in
  flight finish on the one they started with; a snapshot is closed when it has been replaced and
  its last request has ended (reference counting);
* readers never take the pipeline's lock and never open the working file.

Issue 15 may publish differently (only the marts, another layout): this module is the one place
to change.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import duckdb

from warehouse.errors import CoachError
from warehouse.store import WarehousePaths

# A reader is a guest on a machine that also runs the pipeline: bounded threads and memory.
READER_CONFIG = {"threads": 2, "memory_limit": "2GB"}


def _identity(path: os.PathLike[str] | str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_dev, stat.st_ino


def catalog_name(paths: WarehousePaths) -> str:
    """The name DuckDB gives a database file: its name up to the first dot."""
    return paths.published.name.split(".", 1)[0]


def _attach(paths: WarehousePaths) -> tuple[duckdb.DuckDBPyConnection, tuple[int, int]]:
    """A private instance with the published file attached read-only and in use, and the
    identity (device, inode) of the file it opened."""
    published = paths.published
    if not published.exists():
        raise CoachError(
            f"No warehouse at {published} yet; run `coach run` (or `make demo`) first."
        )
    for _ in range(5):  # a publish between the two stats: open the new file instead
        before = _identity(published)
        con = duckdb.connect(":memory:", config=dict(READER_CONFIG))
        try:
            name = catalog_name(paths)
            con.execute(f'attach ? as "{name}" (read_only)', [str(published)])
            con.execute(f'use "{name}"')
        except duckdb.Error as exc:
            con.close()
            raise CoachError(f"Cannot open the warehouse {published}: {exc}") from None
        if _identity(published) == before:
            return con, before
        con.close()
    raise CoachError(f"The warehouse {published} keeps changing; try again.")


@contextlib.contextmanager
def open_snapshot(paths: WarehousePaths) -> Iterator[duckdb.DuckDBPyConnection]:
    """The published file as it is now, read-only, for one command (closed at the end)."""
    con, _ = _attach(paths)
    try:
        yield con
    finally:
        con.close()


@dataclass
class Snapshot:
    """One published file, open read-only, with the requests using it counted."""

    con: duckdb.DuckDBPyConnection
    identity: tuple[int, int]
    catalog: str
    users: int = 0
    replaced: bool = False
    closed: bool = False
    # Derived values that never change for this file (it is never written again).
    memo: dict[Any, Any] = field(default_factory=dict)
    memo_lock: threading.Lock = field(default_factory=threading.Lock)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own for one request (DuckDB cursors are thread-safe)."""
        cursor = self.con.cursor()
        cursor.execute(f'use "{self.catalog}"')
        return cursor

    def remember_for(self, key: Any, seconds: float, compute: Any) -> Any:
        """`compute()` kept `seconds` at most (for values that also depend on the clock)."""
        now = time.monotonic()
        with self.memo_lock:
            kept = self.memo.get(key)
            if kept is not None and kept[0] > now:
                return kept[1]
        value = compute()
        with self.memo_lock:
            self.memo[key] = (now + seconds, value)
        return value

    def remember(self, key: Any, compute: Any) -> Any:
        """`compute()` once per snapshot for `key` (e.g. the write-back plan)."""
        with self.memo_lock:
            if key in self.memo:
                return self.memo[key]
        value = compute()
        with self.memo_lock:
            return self.memo.setdefault(key, value)


class PublishedReader:
    """The published warehouse for a long-running reader (the web app).

    `with reader.request() as (snapshot, con):` gives the snapshot current when the request
    starts and a cursor on it; the snapshot stays open until the request ends, whatever is
    published meanwhile.

    With `warm`, a newly published file is prepared first (e.g. the views everyone opens are
    computed into its cache) on a thread of its own, while requests keep being served from the
    previous file; it becomes current when `warm` returns (or fails).
    """

    def __init__(
        self, paths: WarehousePaths, warm: Callable[[Snapshot], None] | None = None
    ) -> None:
        self.paths = paths
        self.warm = warm
        self._lock = threading.Lock()
        self._current: Snapshot | None = None
        self._warming: tuple[int, int] | None = None
        self.opened = 0  # snapshots opened so far (tests and benchmarks read it)

    def _snapshot(self) -> Snapshot:
        """The current snapshot, counted as used; a new one when the file was replaced."""
        with self._lock:
            current = self._current
            try:
                identity = _identity(self.paths.published)
            except FileNotFoundError:
                identity = None
            replaced = current is not None and identity not in (None, current.identity)
            if current is None or (replaced and self.warm is None):
                fresh = self._open()
                if current is not None:
                    self._retire(current)
                self._current = current = fresh
            elif replaced and self._warming != identity:
                self._warming = identity
                threading.Thread(target=self._warm_and_switch, daemon=True).start()
            current.users += 1
            return current

    def _open(self) -> Snapshot:
        con, opened = _attach(self.paths)
        self.opened += 1
        return Snapshot(con, opened, catalog_name(self.paths))

    def _retire(self, snapshot: Snapshot) -> None:
        snapshot.replaced = True
        self._close_if_unused(snapshot)

    def _warm_and_switch(self) -> None:
        try:
            fresh = self._open()
        except CoachError:
            with self._lock:
                self._warming = None  # try again on a later request
            return
        try:
            assert self.warm is not None
            # One thread while preparing: the requests still served from the previous file
            # keep the other core.
            fresh.con.execute("set threads = 1")
            self.warm(fresh)
        except Exception:  # a cold file is still the right file to serve
            pass
        finally:
            fresh.con.execute(f"set threads = {READER_CONFIG['threads']}")
        with self._lock:
            old, self._current = self._current, fresh
            self._warming = None
            if old is not None:
                self._retire(old)

    def _release(self, snapshot: Snapshot) -> None:
        with self._lock:
            snapshot.users -= 1
            self._close_if_unused(snapshot)

    @staticmethod
    def _close_if_unused(snapshot: Snapshot) -> None:
        if snapshot.replaced and snapshot.users == 0 and not snapshot.closed:
            snapshot.closed = True
            snapshot.con.close()

    @contextlib.contextmanager
    def request(self) -> Iterator[tuple[Snapshot, duckdb.DuckDBPyConnection]]:
        snapshot = self._snapshot()
        try:
            cursor = snapshot.cursor()
        except BaseException:
            self._release(snapshot)
            raise
        try:
            yield snapshot, cursor
        finally:
            cursor.close()
            self._release(snapshot)

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.replaced = True
                self._close_if_unused(self._current)
                self._current = None
