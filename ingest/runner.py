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
import contextlib
import gc
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any

import httpx

from ingest import reconcile
from ingest.failures import record_failure
from ingest.progress import LogReporter, Reporter
from ingest.sink import StreamSink
from ingest.slicing import Bound, Slice, TimeAxis, bisect, gaps, slice_query, split_by_created
from ingest.state import (
    Backfill,
    StreamLog,
    add_slices,
    close_log,
    create_state_tables,
    finish_backfill,
    finish_slice,
    load_backfill,
    load_cursor,
    mark_interrupted,
    open_log,
    save_cursor,
    start_backfill,
)
from ingest.streams import DATA_ATTRIBUTES, SearchStream, WholeStream, select
from intercom.client import IntercomClient
from intercom.errors import redact
from intercom.pages import Page, keeping, preparing
from intercom.pagination import Decoder, search_pages
from intercom.preflight import Workspace, attribute_problems, identify
from intercom.retry import RetryPolicy
from warehouse.attributes import required_attributes
from warehouse.config import IngestSettings, IntercomSettings
from warehouse.errors import CoachError, ConfigError
from warehouse.memory import PeakMemory
from warehouse.raw_tables import create_raw_tables
from warehouse.store import WarehousePaths, connect_working, pipeline_lock, publish
from warehouse.workspace import claim_workspace
from warehouse.writer import Database

CHECKPOINT_THRESHOLD = "1GB"
SLICE_THRESHOLD_PAGES = 10  # a longer read is sliced and read concurrently
MIN_SLICE_PAGES = 5
SLICES_PER_WORKER = 4
ASCENDING = {"field": "updated_at", "order": "ascending"}
DESCENDING = {"field": "updated_at", "order": "descending"}
CREATED_ASCENDING = {"field": "created_at", "order": "ascending"}


class IngestFailed(CoachError):
    """A stream failed for a reason that is not already a CoachError (kept to one line)."""


@dataclass
class RunResult:
    run_id: str
    started_at: int
    workspace: Workspace
    logs: list[StreamLog] = field(default_factory=list)
    publish_seconds: float = 0.0


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
) -> RunResult:
    """`coach ingest`: hold the writer lock, ingest into the working file, publish on success.
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
                # The run log records a run that could not start, once per stream it was for.
                logs = [
                    StreamLog(run_id, s.name, "preflight", outcome="failed", error=str(exc))
                    for s in selected
                ]
                for log in logs:
                    await db.run(open_log, log)
                    await db.run(close_log, log)
                raise
            run = _Run(
                client=client,
                db=db,
                config=config,
                reporter=options.reporter,
                result=RunResult(run_id, started_at, workspace),
                full=full,
                scrub=redact,
                memory=memory,
            )
            await run.execute(selected)
            return run.result
    finally:
        db.close()
        memory.stop()
        gc.set_threshold(*thresholds)
        gc.unfreeze()


@dataclass
class _Run:
    client: IntercomClient
    db: Database
    config: IngestSettings
    reporter: Reporter
    result: RunResult
    full: bool
    scrub: Callable[[str], str]
    memory: PeakMemory

    @property
    def run_id(self) -> str:
        return self.result.run_id

    @property
    def started_at(self) -> int:
        return self.result.started_at

    async def execute(self, streams: list[SearchStream | WholeStream]) -> None:
        whole = [s for s in streams if isinstance(s, WholeStream)]
        search = [s for s in streams if isinstance(s, SearchStream)]
        await self._together([partial(self._read_whole, s) for s in whole], whole)
        await self._together([partial(self._read_search, s) for s in search], search)

    async def _together(
        self,
        jobs: list[Callable[[StreamLog], Awaitable[None]]],
        streams: list[SearchStream] | list[WholeStream],
    ) -> None:
        """Run streams concurrently; each records its own outcome; the first failure is raised
        once all have finished, so one stream's trouble does not waste another's progress."""
        logs = [StreamLog(self.run_id, s.name, mode="whole") for s in streams]
        self.result.logs.extend(logs)
        outcomes = await asyncio.gather(
            *(self._guarded(job, log) for job, log in zip(jobs, logs, strict=True)),
            return_exceptions=True,
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _guarded(self, job: Callable[[StreamLog], Awaitable[None]], log: StreamLog) -> None:
        await self.db.run(open_log, log)
        try:
            await job(log)
        except Exception as exc:
            error = self._one_line(exc, log.stream)
            log.outcome, log.error = "failed", str(error)
            raise error from None
        else:
            log.outcome = "succeeded"
        finally:
            log.duckdb_peak_mb = self.memory.peak_mb
            with contextlib.suppress(Exception):
                await self.db.run(close_log, log)
            self.reporter.finish(log.stream, log.outcome, self._summary(log))

    def _one_line(self, exc: BaseException, stream: str) -> CoachError:
        while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
            found = [e for e in exc.exceptions if isinstance(e, CoachError)]
            exc = found[0] if found else exc.exceptions[0]
        if isinstance(exc, CoachError):
            return exc
        return IngestFailed(self.scrub(f"Ingest of {stream} failed: {type(exc).__name__}: {exc}"))

    @staticmethod
    def _summary(log: StreamLog) -> str:
        return (
            f"{log.records_received:,} records read, {log.records_new:,} new, "
            f"{log.calls.calls:,} calls, {log.calls.retries} retries, "
            f"{log.calls.rate_limited} rate-limited"
            + (f", {log.deletions_noticed} deletions noticed" if log.deletions_noticed else "")
        )

    @staticmethod
    def _decoder(stream: SearchStream) -> Decoder:
        return preparing(stream.name, stream.records_key, stream.search_path)

    def _sink(self, log: StreamLog, seen_table: str | None = None) -> StreamSink:
        return StreamSink(
            self.db,
            log,
            batch_records=self.config.batch_records,
            reporter=self.reporter,
            seen_table=seen_table,
        )

    # -- small streams, fetched whole -----------------------------------------------------------

    async def _read_whole(self, stream: WholeStream, log: StreamLog) -> None:
        self.reporter.start(stream.name, "whole", None)
        seen = await self.db.run(reconcile.create_seen_table, stream.name)
        sink = self._sink(log, seen)
        definitions: list[dict[str, Any]] = []
        for path, params in stream.requests:
            page = await self.client.get(
                path, params=params, stats=log.calls, decode=keeping(stream.records_key, path)
            )
            log.pages += 1
            await sink.add(page)
            if stream is DATA_ATTRIBUTES:
                definitions.extend(page.records or [])
        # A whole fetch is the complete id set: what is gone from it was deleted or archived.
        await sink.drain(
            partial(reconcile.delete_unseen, stream=stream.name, seen=seen, run_id=self.run_id)
        )
        log.deletions_noticed = await self.db.run(
            reconcile.count_deletions, stream.name, self.run_id
        )
        if stream is DATA_ATTRIBUTES:
            # Ingest needs the attributes it reads; those write-back maintains are its concern
            # (and `coach doctor`'s).
            read = [a for a in required_attributes() if not a.maintained]
            problems = attribute_problems(definitions, read)
            if problems:
                raise ConfigError(problems[0])

    # -- contacts and conversations ------------------------------------------------------------

    async def _read_search(self, stream: SearchStream, log: StreamLog) -> None:
        if not self.full:
            await self._read_updates(stream, log)
            return
        seen = await self.db.run(reconcile.create_seen_table, stream.name)
        listed_from = int(time.time())
        sink = self._sink(log, seen)
        await asyncio.gather(
            self._read_updates(stream, log),
            reconcile.read_list(
                self.client,
                stream,
                log,
                sink,
                preparing(stream.name, stream.records_key, stream.list_path),
                self.config.page_size,
            ),
        )
        log.deletions_noticed = await reconcile.reconcile(
            self.client, self.db, stream, log, seen, listed_from
        )

    async def _read_updates(self, stream: SearchStream, log: StreamLog) -> None:
        axis = TimeAxis(stream.day_granular, self.result.workspace.zone)
        backfill = await self.db.run(load_backfill, stream.name)
        if backfill is not None:
            log.mode = "resume"
            self.reporter.start(stream.name, log.mode, None)
            await self._read_slices(stream, axis, backfill, log, self._sink(log))
            return
        cursor = await self.db.run(load_cursor, stream.name)
        log.mode = "backfill" if cursor is None else "incremental"
        lower = None if cursor is None else cursor - self.config.overlap_seconds
        await self._read_range(stream, axis, lower, log)

    async def _read_range(
        self, stream: SearchStream, axis: TimeAxis, lower: Bound, log: StreamLog
    ) -> None:
        """Read `updated_at >= lower` in one sequence of pages, or hand over to a sliced read
        when there is more than a few pages' worth: ascending, as the first page's total says;
        descending (contacts), when `SLICE_THRESHOLD_PAGES` pages have not reached `lower`
        (the total counts from a day early, mostly records read before)."""
        sink = self._sink(log)
        start = None if lower is None else axis.widen(lower)
        descending = stream.day_granular and lower is not None
        pages = search_pages(
            self.client,
            stream.search_path,
            self._decoder(stream),
            axis.query(start, None),
            sort=DESCENDING if descending else ASCENDING,
            per_page=self.config.page_size,
            stats=log.calls,
        )
        read = total = 0
        async with contextlib.aclosing(pages):
            async for page in pages:
                log.pages += 1
                read += 1
                if read == 1:
                    total = page.total_count or page.count
                    self.reporter.start(stream.name, log.mode, total)
                await sink.add(page)
                if descending and page.least_updated is not None and page.least_updated < lower:
                    break  # everything further is older than the cursor's overlap
                long = total > SLICE_THRESHOLD_PAGES * self.config.page_size
                if page.next_cursor and (read >= SLICE_THRESHOLD_PAGES if descending else long):
                    oldest = start if descending else page.first_updated
                    backfill = await self.db.run(
                        start_backfill, stream.name, self.run_id, self.started_at, start
                    )
                    await self._read_slices(
                        stream, axis, backfill, log, sink, known=(total, oldest)
                    )
                    return
        await sink.drain(
            partial(save_cursor, stream=stream.name, at=self.started_at, run_id=self.run_id)
        )
        log.final_cursor = self.started_at

    async def _read_slices(
        self,
        stream: SearchStream,
        axis: TimeAxis,
        backfill: Backfill,
        log: StreamLog,
        sink: StreamSink,
        known: tuple[int, int | None] | None = None,
    ) -> None:
        """Plan the unplanned gaps of `backfill` by bisection and read every slice not yet done,
        `config.concurrency` at a time, largest first, each checkpointed when landed."""
        queue: asyncio.PriorityQueue[tuple[float, int, Slice | None]] = asyncio.PriorityQueue()
        order = iter(range(1 << 62))
        for piece in backfill.slices:
            queue.put_nowait((-piece.expected, next(order), piece))
        expected = sum(piece.expected for piece in backfill.slices)

        async def probe(piece: Slice, sort: dict[str, str] = ASCENDING) -> Page:
            """The first record of `piece` in `sort` order, and how many it holds."""
            return await self.client.post(
                stream.search_path,
                json={
                    "query": slice_query(piece, axis),
                    "pagination": {"per_page": 1},
                    "sort": sort,
                },
                stats=log.calls,
                decode=keeping(stream.records_key, stream.search_path),
            )

        async def count(piece: Slice) -> int:
            return (await probe(piece)).total_count or 0

        async def by_created(piece: Slice) -> list[Slice]:
            """A day too full for one worker, cut by `created_at` (never after `updated_at`)."""
            oldest = _first_value(await probe(piece, CREATED_ASCENDING), "created_at")
            if oldest is None:
                return [piece]
            latest = self.started_at if piece.hi is None else piece.hi
            return await split_by_created(
                piece, axis=axis, oldest_created=oldest, latest=latest, target=target, probe=count
            )

        recorded: list[asyncio.Future[None]] = []

        async def emit(piece: Slice) -> None:
            pieces = (
                await by_created(piece)
                if axis.day_granular and piece.expected > target
                else [piece]
            )
            # Recorded on the warehouse thread, which runs statements in order, so before the
            # transaction that marks a slice done; planning does not wait behind landings.
            recorded.append(self.db.submit(add_slices, stream.name, pieces))
            for part in pieces:
                queue.put_nowait((-part.expected, next(order), part))

        target = max(
            MIN_SLICE_PAGES * self.config.page_size,
            (known[0] if known else 0) // (self.config.concurrency * SLICES_PER_WORKER),
        )

        async def plan(lo: Bound, hi: Bound) -> None:
            nonlocal expected
            if known is not None and lo == backfill.lower and hi is None:
                records, oldest = known
            else:
                page = await probe(Slice(lo, hi))
                records, oldest = page.total_count or 0, _first_value(page, "updated_at")
            expected += records
            self.reporter.start(stream.name, log.mode, expected)
            span_start = lo if lo is not None else (oldest if oldest is not None else 0)
            span = (span_start, max(self.started_at, span_start))
            await bisect(
                lo,
                hi,
                records,
                axis=axis,
                span=span,
                target=target,
                probe=lambda a, b: count(Slice(a, b)),
                emit=emit,
            )

        async def worker() -> None:
            while True:
                _, _, piece = await queue.get()
                if piece is None:
                    return
                await self._read_slice(stream, axis, piece, log, sink)

        covered = [(s.lo, s.hi) for s in backfill.slices + backfill.done]
        async with asyncio.TaskGroup() as group:
            workers = [group.create_task(worker()) for _ in range(self.config.concurrency)]
            await asyncio.gather(*(plan(lo, hi) for lo, hi in gaps(covered, backfill.lower)))
            for _ in workers:
                queue.put_nowait((float("inf"), next(order), None))
            await asyncio.gather(*recorded)
        await sink.drain(partial(finish_backfill, backfill=backfill, run_id=self.run_id))
        log.final_cursor = backfill.started_at

    async def _read_slice(
        self,
        stream: SearchStream,
        axis: TimeAxis,
        piece: Slice,
        log: StreamLog,
        sink: StreamSink,
    ) -> None:
        pages = search_pages(
            self.client,
            stream.search_path,
            self._decoder(stream),
            slice_query(piece, axis),
            sort=ASCENDING,
            per_page=self.config.page_size,
            stats=log.calls,
        )
        async for page in pages:
            log.pages += 1
            await sink.add(page)
        sink.checkpoint(partial(finish_slice, stream=stream.name, piece=piece, run_id=self.run_id))


def _first_value(page: Page, field: str) -> int | None:
    """An integer field of a probe's one record."""
    value = (page.records or [{}])[0].get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
