"""One `coach ingest` run: preflight, the small streams, then contacts and conversations.

A search stream's run reads `updated_at` from its cursor minus the overlap (everything when it
has no cursor) up to now:

* Conversations: `updated_at > lower`, ascending. A record updated mid-run moves behind the
  read position and is read again (harmless) instead of being skipped.
* Contacts: Intercom compares contact dates by whole day, so the filter starts a day or two
  early and the read is *descending*, stopping at the first record older than `lower`. A record
  updated mid-run jumps to the front (already read) and the next run picks it up, because the
  cursor saved is this run's start time, never later.
* A read longer than `SLICE_THRESHOLD_PAGES` becomes a sliced backfill (`ingest.slicing`): its
  range is cut into slices balanced by record count and read concurrently, each slice
  checkpointed, so a killed run resumes where it stopped. The cursor saved at the end is the
  start time of the run that planned the slices.

The cursor is saved in the transaction that lands the stream's last batch. With `--full`, the
list endpoints are also read to the end and the id sets reconciled (`ingest.reconcile`).
"""

from __future__ import annotations

import asyncio
import gc
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from ingest.failures import record_failure
from ingest.progress import LogReporter, Reporter
from ingest.reader import IngestFailed, RunResult, StreamReader
from ingest.state import (
    StreamLog,
    close_log,
    create_state_tables,
    mark_interrupted,
    open_log,
)
from ingest.streams import SearchStream, WholeStream, select
from intercom.client import IntercomClient
from intercom.preflight import Workspace, identify
from intercom.retry import RetryPolicy
from warehouse.config import IngestSettings, IntercomSettings
from warehouse.errors import CoachError
from warehouse.memory import PeakMemory
from warehouse.raw_tables import create_raw_tables
from warehouse.store import WarehousePaths, connect_working, pipeline_lock, publish
from warehouse.workspace import claim_workspace
from warehouse.writer import Database

# What callers of a run see; the reading itself is `ingest.reader`.
__all__ = ["CHECKPOINT_THRESHOLD", "IngestFailed", "RunResult", "run_ingest"]

CHECKPOINT_THRESHOLD = "1GB"


def new_run_id(started_at: int) -> str:
    stamp = datetime.fromtimestamp(started_at, UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"ingest-{stamp}-{uuid.uuid4().hex[:6]}"


def _prepare(con: Any, memory_limit: str) -> None:
    # DuckDB checkpoints every 16 MB of write-ahead log by default, rewriting table data each
    # time: a backfill would spend more time checkpointing than inserting. Publishing
    # checkpoints once at the end; a killed run replays the log on the next open.
    con.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    # Until that checkpoint DuckDB would keep what it lands in memory; past this it spills to
    # temporary files beside the warehouse instead (owner-only, like everything we write).
    con.execute(f"set memory_limit = '{memory_limit}'")
    create_raw_tables(con)
    create_state_tables(con)
    mark_interrupted(con)


def run_ingest(
    paths: WarehousePaths,
    settings: IntercomSettings,
    config: IngestSettings,
    *,
    streams: tuple[str, ...] | list[str] = (),
    full: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    reporter: Reporter | None = None,
    command: str = "coach ingest",
    publish_after: bool = True,
) -> RunResult:
    """`coach ingest`: hold the writer lock, ingest into the working file, publish on success
    (unless `publish_after` is false: `coach run` publishes once, after its build).
    `command` is what a refusal tells the user to run again."""
    select(streams)  # a bad name fails before anything is touched
    options = RunOptions(
        tuple(streams), full, transport, reporter or LogReporter(), str(paths.published)
    )
    with pipeline_lock(paths, command=command):
        con = connect_working(paths)
        try:
            result = asyncio.run(ingest(con, settings, config, options))
        except CoachError as exc:
            con = record_failure(paths, con, exc)
            raise
        finally:
            con.close()
            options.reporter.close()
        if publish_after:
            published = time.monotonic()
            publish(paths)
            result.publish_seconds = time.monotonic() - published
    return result


@dataclass(frozen=True)
class RunOptions:
    streams: tuple[str, ...]
    full: bool
    transport: httpx.AsyncBaseTransport | None
    reporter: Reporter
    warehouse_label: str


async def ingest(
    con: Any, settings: IntercomSettings, config: IngestSettings, options: RunOptions
) -> RunResult:
    """Run ingest against `con` (the working warehouse, already locked by the caller)."""
    selected = select(options.streams)
    transport, full = options.transport, options.full
    settings.require_token()
    started_at = int(time.time())
    db = Database(con)
    memory = PeakMemory(con).start()
    # Parsing pages allocates hundreds of thousands of small objects, none of them cyclic:
    # the default collector thresholds would scan the heap again and again for nothing.
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    try:
        await db.run(_prepare, config.memory_limit)
        async with IntercomClient(
            settings,
            transport=transport,
            timeout=config.timeout_seconds,
            max_in_flight=config.concurrency,
            retry=RetryPolicy(max_attempts=config.max_attempts),
        ) as client:
            run_id = new_run_id(started_at)
            workspace = await _claim(db, client, settings, options, run_id, selected)
            run = StreamReader(
                client=client,
                db=db,
                config=config,
                reporter=options.reporter,
                result=RunResult(run_id, started_at, workspace),
                full=full,
                memory=memory,
            )
            await run.execute(selected)
            return run.result
    finally:
        db.close()
        memory.stop()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


async def _claim(
    db: Database,
    client: IntercomClient,
    settings: IntercomSettings,
    options: RunOptions,
    run_id: str,
    selected: list[SearchStream | WholeStream],
) -> Workspace:
    """Whose workspace the token opens, claimed for (or checked against) the warehouse; a run
    that cannot start is recorded in the run log once per stream it was for."""
    try:
        workspace = await identify(client)
        await db.run(
            claim_workspace,
            workspace.app_id,
            workspace.name,
            workspace.timezone,
            settings.api_base,
            options.warehouse_label,
        )
    except CoachError as exc:
        logs = [
            StreamLog(run_id, s.name, "preflight", outcome="failed", error=str(exc))
            for s in selected
        ]
        for log in logs:
            await db.run(open_log, log)
            await db.run(close_log, log)
        raise
    return workspace
