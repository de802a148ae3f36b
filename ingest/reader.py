"""Reading the streams of one ingest run: the small streams whole, contacts and conversations by
`updated_at` from their cursors (in one sequence of pages, or sliced when there is much to read:
`ingest.backfill`), each stream landing through its own sink and recording its outcome."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ingest import reconcile
from ingest.backfill import ASCENDING, SlicedRead
from ingest.progress import Reporter
from ingest.sink import StreamSink
from ingest.slicing import Bound, TimeAxis
from ingest.state import (
    Backfill,
    StreamLog,
    close_log,
    load_backfill,
    load_cursor,
    open_log,
    save_cursor,
    start_backfill,
)
from ingest.streams import DATA_ATTRIBUTES, SearchStream, WholeStream
from intercom.client import IntercomClient
from intercom.errors import redact
from intercom.pages import keeping, preparing
from intercom.pagination import Decoder, search_pages
from intercom.preflight import Workspace, attribute_problems
from warehouse.attributes import required_attributes
from warehouse.config import IngestSettings
from warehouse.errors import CoachError, ConfigError
from warehouse.memory import PeakMemory
from warehouse.writer import Database

SLICE_THRESHOLD_PAGES = 10  # a longer read is sliced and read concurrently
DESCENDING = {"field": "updated_at", "order": "descending"}


class IngestFailed(CoachError):
    """A stream failed for a reason that is not already a CoachError (kept to one line)."""


@dataclass
class RunResult:
    run_id: str
    started_at: int
    workspace: Workspace
    logs: list[StreamLog] = field(default_factory=list)
    publish_seconds: float = 0.0


@dataclass
class StreamReader:
    client: IntercomClient
    db: Database
    config: IngestSettings
    reporter: Reporter
    result: RunResult
    full: bool
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
        return IngestFailed(redact(f"Ingest of {stream} failed: {type(exc).__name__}: {exc}"))

    @staticmethod
    def _summary(log: StreamLog) -> str:
        return (
            f"{log.records_received:,} records read, {log.records_new:,} new, "
            f"{log.calls.calls:,} calls, {log.calls.retries} retries, "
            f"{log.calls.rate_limited} rate-limited"
            + (f", {log.deletions_noticed} deletions noticed" if log.deletions_noticed else "")
        )

    @staticmethod
    def decoder(stream: SearchStream) -> Decoder:
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
        # Announced first: the list is read to the end, whatever the search's count says.
        self.reporter.start(stream.name, "full", None)
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
        log.mode = "full"

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
            self.decoder(stream),
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
        reading = SlicedRead(self, stream, axis, backfill, log, sink, known)
        await reading.read()
