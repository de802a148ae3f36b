"""A sliced read: a backfill (or a large incremental read) cut into slices balanced by record
count, planned by bisection, read `concurrency` at a time, largest first, each slice
checkpointed in the transaction that lands its last records, so a killed run resumes with the
slices (and unplanned gaps) that are left. A contact day too full for one worker is cut again
by `created_at`."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING

from ingest.sink import StreamSink
from ingest.slicing import Bound, Slice, TimeAxis, bisect, gaps, slice_query, split_by_created
from ingest.state import Backfill, StreamLog, add_slices, finish_backfill, finish_slice
from ingest.streams import SearchStream
from intercom.pages import Page, keeping
from intercom.pagination import search_pages

if TYPE_CHECKING:
    from ingest.reader import StreamReader

MIN_SLICE_PAGES = 5
SLICES_PER_WORKER = 4
ASCENDING = {"field": "updated_at", "order": "ascending"}
CREATED_ASCENDING = {"field": "created_at", "order": "ascending"}


class SlicedRead:
    def __init__(
        self,
        run: StreamReader,
        stream: SearchStream,
        axis: TimeAxis,
        backfill: Backfill,
        log: StreamLog,
        sink: StreamSink,
        known: tuple[int, int | None] | None = None,
    ) -> None:
        """`known`: the record count and oldest `updated_at` of the whole range, when the
        first page of a read already told them."""
        self.run, self.stream, self.axis, self.backfill = run, stream, axis, backfill
        self.log, self.sink, self.known = log, sink, known
        self.queue: asyncio.PriorityQueue[tuple[float, int, Slice | None]] = asyncio.PriorityQueue()
        self.order = iter(range(1 << 62))
        self.recorded: list[asyncio.Future[None]] = []
        self.expected = sum(piece.expected for piece in backfill.slices)
        concurrency, page_size = run.config.concurrency, run.config.page_size
        self.target = max(
            MIN_SLICE_PAGES * page_size,
            (known[0] if known else 0) // (concurrency * SLICES_PER_WORKER),
        )

    async def read(self) -> None:
        """Plan the unplanned gaps of the backfill and read every slice not yet done."""
        for piece in self.backfill.slices:
            self._queue(piece)
        covered = [(s.lo, s.hi) for s in self.backfill.slices + self.backfill.done]
        async with asyncio.TaskGroup() as group:
            workers = [
                group.create_task(self._worker()) for _ in range(self.run.config.concurrency)
            ]
            gaps_left = gaps(covered, self.backfill.lower)
            await asyncio.gather(*(self._plan(lo, hi) for lo, hi in gaps_left))
            for _ in workers:
                self.queue.put_nowait((float("inf"), next(self.order), None))
            await asyncio.gather(*self.recorded)
        await self.sink.drain(
            partial(finish_backfill, backfill=self.backfill, run_id=self.run.run_id)
        )
        self.log.final_cursor = self.backfill.started_at

    def _queue(self, piece: Slice) -> None:
        self.queue.put_nowait((-piece.expected, next(self.order), piece))

    async def _probe(self, piece: Slice, sort: dict[str, str] = ASCENDING) -> Page:
        """The first record of `piece` in `sort` order, and how many it holds."""
        stream = self.stream
        return await self.run.client.post(
            stream.search_path,
            json={
                "query": slice_query(piece, self.axis),
                "pagination": {"per_page": 1},
                "sort": sort,
            },
            stats=self.log.calls,
            decode=keeping(stream.records_key, stream.search_path),
        )

    async def _count(self, piece: Slice) -> int:
        return (await self._probe(piece)).total_count or 0

    async def _by_created(self, piece: Slice) -> list[Slice]:
        """A day too full for one worker, cut by `created_at` (never after `updated_at`)."""
        oldest = first_value(await self._probe(piece, CREATED_ASCENDING), "created_at")
        if oldest is None:
            return [piece]
        latest = self.run.started_at if piece.hi is None else piece.hi
        return await split_by_created(
            piece,
            axis=self.axis,
            oldest_created=oldest,
            latest=latest,
            target=self.target,
            probe=self._count,
        )

    async def _emit(self, piece: Slice) -> None:
        too_full = self.axis.day_granular and piece.expected > self.target
        pieces = await self._by_created(piece) if too_full else [piece]
        # Recorded on the warehouse thread, which runs statements in order, so before the
        # transaction that marks a slice done; planning does not wait behind landings.
        self.recorded.append(self.run.db.submit(add_slices, self.stream.name, pieces))
        for part in pieces:
            self._queue(part)

    async def _plan(self, lo: Bound, hi: Bound) -> None:
        known = self.known
        if known is not None and lo == self.backfill.lower and hi is None:
            records, oldest = known
        else:
            page = await self._probe(Slice(lo, hi))
            records, oldest = page.total_count or 0, first_value(page, "updated_at")
        self.expected += records
        self.run.reporter.start(self.stream.name, self.log.mode, self.expected)
        span_start = lo if lo is not None else (oldest if oldest is not None else 0)
        span = (span_start, max(self.run.started_at, span_start))
        await bisect(
            lo,
            hi,
            records,
            axis=self.axis,
            span=span,
            target=self.target,
            probe=lambda a, b: self._count(Slice(a, b)),
            emit=self._emit,
        )

    async def _worker(self) -> None:
        while True:
            _, _, piece = await self.queue.get()
            if piece is None:
                return
            await self._read_slice(piece)

    async def _read_slice(self, piece: Slice) -> None:
        pages = search_pages(
            self.run.client,
            self.stream.search_path,
            self.run.decoder(self.stream),
            slice_query(piece, self.axis),
            sort=ASCENDING,
            per_page=self.run.config.page_size,
            stats=self.log.calls,
        )
        async for page in pages:
            self.log.pages += 1
            await self.sink.add(page)
        self.sink.checkpoint(
            partial(finish_slice, stream=self.stream.name, piece=piece, run_id=self.run.run_id)
        )


def first_value(page: Page, field: str) -> int | None:
    """An integer field of a probe's one record."""
    value = (page.records or [{}])[0].get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
