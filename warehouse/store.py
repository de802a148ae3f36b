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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
from filelock import FileLock, Timeout

from warehouse.errors import CoachError
from warehouse.files import PRIVATE_FILE, ensure_private_dir, fsync_dir, make_private


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


def publish(paths: WarehousePaths) -> Path:
    """Copy the working file to the published path atomically. Call while holding the lock.

    The working file must be closed by every connection first, so that DuckDB has
    checkpointed its write-ahead log into the file.
    """
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
    for stale in paths.directory.glob(f".{paths.published.name}.*.publishing"):
        stale.unlink(missing_ok=True)
    tmp = paths.directory / f".{paths.published.name}.{os.getpid()}.publishing"
    try:
        shutil.copyfile(paths.working, tmp)
        os.chmod(tmp, PRIVATE_FILE)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, paths.published)
        fsync_dir(paths.directory)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CoachError(
            f"Cannot publish {paths.published}: {exc.strerror or type(exc).__name__}. The "
            "working warehouse is intact and readers keep the previous copy; free the space "
            "and run the command again."
        ) from None
    return paths.published


def discard(paths: WarehousePaths) -> None:
    """Remove the working and published files (the demo's fresh start). Call under the lock."""
    for path in (
        paths.working,
        paths.working.with_name(paths.working.name + ".wal"),
        paths.published,
    ):
        path.unlink(missing_ok=True)
