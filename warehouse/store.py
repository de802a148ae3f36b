"""The warehouse files and how the pipeline and readers share them.

DuckDB lets one process write a database file, and a reader in another process cannot open a
file that a writer holds. So the pipeline never writes the file people read:

* the *working* file (`<name>.pipeline.duckdb`) is written by ingest, dbt and write-back, one
  command at a time, under an exclusive lock (`<name>.duckdb.lock`);
* the *published* file (the `--warehouse` path) is a copy of the working file taken after each
  successful command and moved into place with an atomic rename. Analysts, BI tools and the
  report commands open it read-only; a reader holding it open keeps the old copy (its inode) and
  never blocks or breaks the pipeline.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from warehouse.errors import CoachError
from warehouse.files import PRIVATE_FILE, ensure_private_dir, fsync_dir, make_private
from warehouse.snapshot_changes import NotApplicable, write_changes


@dataclass(frozen=True)
class WarehousePaths:
    published: Path

    @property
    def working(self) -> Path:
        return self.published.with_name(f"{self.published.stem}.pipeline.duckdb")

    @property
    def lock(self) -> Path:
        return self.published.with_name(f"{self.published.name}.lock")

    @property
    def directory(self) -> Path:
        return self.published.parent


@contextlib.contextmanager
def pipeline_lock(paths: WarehousePaths, *, command: str = "coach") -> Iterator[None]:
    """Hold the warehouse's writer lock; a second writer gets a clear error, not a corrupt file.

    The lock is an fcntl lock, so the kernel releases it if the holder is killed.
    """
    ensure_private_dir(paths.directory)
    lock = FileLock(str(paths.lock), timeout=0, mode=PRIVATE_FILE)
    try:
        lock.acquire()
    except Timeout:
        raise CoachError(
            f"Another coach command is writing {paths.published} right now; "
            f"wait for it to finish and run `{command}` again."
        ) from None
    try:
        yield
    finally:
        lock.release()


def connect_working(paths: WarehousePaths) -> duckdb.DuckDBPyConnection:
    """Open the working file for writing. Call only while holding `pipeline_lock`."""
    ensure_private_dir(paths.directory)
    try:
        con = duckdb.connect(str(paths.working))
    except duckdb.IOException as exc:
        raise CoachError(f"Cannot open the working warehouse {paths.working}: {exc}") from None
    make_private(paths.working)
    return con


def connect_published(paths: WarehousePaths) -> duckdb.DuckDBPyConnection:
    """Open the published warehouse read-only, as reports and analysts do."""
    if not paths.published.exists():
        raise CoachError(
            f"No warehouse at {paths.published} yet; run `coach run` (or `make demo`) first."
        )
    try:
        return duckdb.connect(str(paths.published), read_only=True)
    except duckdb.Error as exc:
        raise CoachError(f"Cannot open the warehouse {paths.published}: {exc}") from None


@contextlib.contextmanager
def latest_for_reading(paths: WarehousePaths) -> Iterator[duckdb.DuckDBPyConnection | None]:
    """The newest state of the warehouse, read-only: the working file (which also holds what
    failed runs recorded; they publish nothing) while no command writes it, else the published
    file; None when neither exists. Holds the writer lock only while open, so a command that
    starts meanwhile is refused rather than blocked; keep it short."""
    if not paths.directory.is_dir():
        yield None
        return
    lock: FileLock | None = FileLock(str(paths.lock), timeout=0, mode=PRIVATE_FILE)
    try:
        lock.acquire()
    except Timeout:
        lock = None
    try:
        if lock is not None and paths.working.exists():
            source = paths.working
        elif paths.published.exists():
            source = paths.published
        else:
            yield None
            return
        try:
            con = duckdb.connect(str(source), read_only=True)
        except duckdb.Error as exc:
            raise CoachError(f"Cannot open the warehouse {source}: {exc}") from None
        try:
            yield con
        finally:
            con.close()
    finally:
        if lock is not None:
            lock.release()


# Not published: the raw landing tables of contacts and conversations (every version of every
# record, as Intercom's JSON), the base tables of contacts and of conversations' contact lists
# (the staging tables over them are published), the build's key and changed keys
# (`warehouse.build_state`, `stg_intercom__changed_keys`), and the intermediate models: the
# building blocks between staging and the marts, which no report reads
# (tests/reports/test_marts_only.py) and dbt-labs' project structure keeps from end users.
# Readers use the marts and the staging models; leaving the rest out keeps the publish's time and
# size growing with the marts, not with the raw data. The small raw tables (admins, teams, data
# attributes, deletion notices) stay: write-back checks its plan against the data attributes'
# declared types in the published file.
UNPUBLISHED_SCHEMAS: tuple[str, ...] = ("intermediate",)
UNPUBLISHED_TABLES = (
    ("raw", "intercom_contacts"),
    ("raw", "intercom_conversations"),
    ("raw", "build_state"),
    ("staging", "base_intercom__contacts"),
    ("staging", "base_intercom__conversation_contacts"),
    ("staging", "stg_intercom__changed_keys"),
)
# Ingest's run log and state, write-back's audit: published after a failed build too.
LOG_SCHEMAS = ("ingest", "writeback")
PUBLISH_SETTINGS = {"threads": 2, "memory_limit": "1GB", "preserve_insertion_order": True}


def _unpublished(schema: str, table: str) -> bool:
    return schema in UNPUBLISHED_SCHEMAS or (schema, table) in UNPUBLISHED_TABLES


def _checkpoint(paths: WarehousePaths) -> None:
    wal = paths.working.with_name(paths.working.name + ".wal")
    try:
        con = duckdb.connect(str(paths.working))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
    except duckdb.Error as exc:
        raise CoachError(
            f"Cannot checkpoint the working warehouse {paths.working} before publishing: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    if wal.exists() and wal.stat().st_size > 0:
        raise CoachError(
            f"The working warehouse still has a write-ahead log ({wal}); not publishing."
        )


def _write_snapshot(working: Path, target: Path) -> None:
    """Write what readers need from `working` into the new database file `target`: every schema,
    table, view and table macro (DuckDB's `COPY FROM DATABASE ... (SCHEMA)`), then the rows of
    every published table; the unpublished tables are dropped before any row is written."""
    con = duckdb.connect(":memory:", config=dict(PUBLISH_SETTINGS))
    try:
        con.execute("attach ? as working (read_only)", [str(working)])
        con.execute("attach ? as snapshot", [str(target)])
        con.execute("copy from database working to snapshot (schema)")
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() "
            "where database_name = 'working' order by schema_name, table_name"
        ).fetchall()
        for schema in UNPUBLISHED_SCHEMAS:
            con.execute(f'drop schema if exists snapshot."{schema}" cascade')
        for schema, table in tables:
            name = f'"{schema}"."{table}"'
            if _unpublished(schema, table):
                con.execute(f"drop table if exists snapshot.{name}")
            else:
                con.execute(f"insert into snapshot.{name} select * from working.{name}")
        con.execute("detach snapshot")  # checkpoints: the file is complete, with no WAL
    finally:
        con.close()


def _disk_error(exc: BaseException) -> str:
    """The cause of a failed write, as the operating system put it when DuckDB quotes it."""
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    text = str(exc)
    for cause in ("File too large", "No space left on device", "Disk quota exceeded"):
        if cause in text:
            return cause
    return text.splitlines()[0] if text else type(exc).__name__


def _move_into_place(tmp: Path, paths: WarehousePaths) -> None:
    os.chmod(tmp, PRIVATE_FILE)
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, paths.published)
    fsync_dir(paths.directory)


def _remove(tmp: Path) -> None:
    for leftover in (tmp, tmp.with_name(tmp.name + ".wal")):
        leftover.unlink(missing_ok=True)


def publish(paths: WarehousePaths, changed: Mapping[tuple[str, str], str] | None = None) -> bool:
    """Publish a snapshot of the working file atomically: a new file holding what readers need
    (every model, seed, table macro, ingest's and write-back's logs; not the raw landing tables)
    written beside the published path and moved onto it with a rename, so a reader holding the
    old file keeps it and one opening the path gets the whole new snapshot. Call while holding
    the lock; the working file must be closed by every connection first, so that DuckDB has
    checkpointed its write-ahead log into the file.

    `changed`: the published file is the snapshot of the build before this incremental one, and
    these rows are what it changed (`warehouse.snapshot_changes`): the new snapshot is a copy of
    it brought up to date, unless that does not apply. Returns whether it was.
    """
    _checkpoint(paths)
    for stale in paths.directory.glob(f".{paths.published.name}.*.publishing*"):
        stale.unlink(missing_ok=True)
    tmp = paths.directory / f".{paths.published.name}.{os.getpid()}.publishing"
    try:
        by_changes = changed is not None and _write_by_changes(paths, tmp, changed)
        if not by_changes:
            _write_snapshot(paths.working, tmp)
        _move_into_place(tmp, paths)
    except (OSError, duckdb.Error) as exc:
        _remove(tmp)
        raise CoachError(
            f"Cannot publish {paths.published}: {_disk_error(exc)}. The "
            "working warehouse is intact and readers keep the previous copy; free the space "
            "and run the command again."
        ) from None
    return by_changes


def _write_by_changes(paths: WarehousePaths, tmp: Path, changed: Mapping) -> bool:
    """The new snapshot as the previous one plus `changed`; False (nothing left behind) when
    that does not apply."""
    if not paths.published.exists():
        return False
    con = duckdb.connect(":memory:", config=dict(PUBLISH_SETTINGS))
    try:
        write_changes(
            con,
            paths.published,
            tmp,
            working=paths.working,
            changed=changed,
            published=lambda schema, table: not _unpublished(schema, table),
        )
        applied = True
    except NotApplicable:
        applied = False
    finally:
        con.close()
    if not applied:
        _remove(tmp)
    return applied


def publish_logs(paths: WarehousePaths) -> int:
    """After a failed build: the previous snapshot's models with the working file's ingest and
    write-back logs (what the home page's health and `coach doctor` read), so a run that landed
    records but failed to build still shows in the published file. Nothing without a previous
    snapshot. Returns the bytes written. Call while holding the lock, with the working file
    closed."""
    if not paths.published.exists():
        return 0
    _checkpoint(paths)
    tmp = paths.directory / f".{paths.published.name}.{os.getpid()}.publishing"
    try:
        shutil.copyfile(paths.published, tmp)
        con = duckdb.connect(":memory:", config=dict(PUBLISH_SETTINGS))
        try:
            con.execute("attach ? as working (read_only)", [str(paths.working)])
            con.execute("attach ? as snapshot", [str(tmp)])
            for schema in LOG_SCHEMAS:
                con.execute(f'drop schema if exists snapshot."{schema}" cascade')
                con.execute(f'create schema snapshot."{schema}"')
                for (table,) in con.execute(
                    "select table_name from duckdb_tables() "
                    "where database_name = 'working' and schema_name = ?",
                    [schema],
                ).fetchall():
                    name = f'"{schema}"."{table}"'
                    con.execute(f"create table snapshot.{name} as select * from working.{name}")
            con.execute("detach snapshot")
        finally:
            con.close()
        written = tmp.stat().st_size
        _move_into_place(tmp, paths)
    except (OSError, duckdb.Error) as exc:
        _remove(tmp)
        raise CoachError(f"Cannot publish {paths.published}: {_disk_error(exc)}.") from None
    return written


def discard(paths: WarehousePaths) -> None:
    """Remove the working and published files (the demo's fresh start). Call under the lock."""
    for path in (
        paths.working,
        paths.working.with_name(paths.working.name + ".wal"),
        paths.published,
    ):
        path.unlink(missing_ok=True)
