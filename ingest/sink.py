"""Getting pages into the working warehouse in batches, without blocking the event loop.

Statements run on the warehouse thread (`warehouse.writer.Database`), so landing a batch
overlaps with fetching the next pages. `StreamSink` collects a stream's pages and lands them
through `land_records` once a couple of thousand records have gathered. A checkpoint (a slice
done, a cursor) is committed in the same transaction as the batch holding the last records it
covers, so it is never ahead of the data.
"""

from __future__ import annotations

import asyncio
import time

import duckdb

from ingest.progress import Reporter
from ingest.state import StreamLog
from intercom.pages import Page
from warehouse.raw_tables import LandResult, PreparedRecords, land_prepared
from warehouse.writer import Action, Database

# A checkpoint waits at most this long for a full batch to carry it.
CHECKPOINT_DELAY = 2.0


class StreamSink:
    """Batches one stream's records for the warehouse thread.

    Batches land in order, one at a time, while the next one fills, so fetching waits for
    DuckDB only when DuckDB falls a whole batch behind (the backpressure that bounds memory).
    `checkpoint` actions ride along with the next batch; `drain` lands everything left and
    waits for it.
    """

    def __init__(
        self,
        db: Database,
        log: StreamLog,
        *,
        batch_records: int,
        reporter: Reporter,
        seen_table: str | None = None,
    ) -> None:
        self._db = db
        self._log = log
        self._batch = batch_records
        self._reporter = reporter
        self._seen_table = seen_table
        self._buffer = PreparedRecords(log.stream)
        self._actions: list[Action] = []
        self._landing: asyncio.Future[None] | None = None
        self._handed_at = time.monotonic()

    async def add(self, page: Page) -> None:
        """Take a decoded page: its prepared records (or, for the small streams, its parsed
        records, prepared here). The warehouse thread then only runs DuckDB."""
        if page.prepared is not None:
            self._buffer.extend(page.prepared)
        else:
            self._buffer.add(page.records or [])
        self._log.records_received += page.count
        self._reporter.advance(self._log.stream, page.count)
        overdue = self._actions and time.monotonic() - self._handed_at > CHECKPOINT_DELAY
        if len(self._buffer) >= self._batch or overdue:
            await self._hand_over()

    def checkpoint(self, action: Action) -> None:
        """Run `action` in the transaction of the next batch, i.e. once every record added so
        far is landed."""
        self._actions.append(action)

    async def drain(self, *then: Action) -> None:
        """Land everything added so far and run `then` in the same transaction; wait for it."""
        self._actions.extend(then)
        await self._hand_over()
        if self._landing is not None:
            await self._landing

    async def _hand_over(self) -> None:
        """Start landing the buffer after the batch before it (landings stay in order); wait
        only for that previous batch, so a slow warehouse slows fetching instead of letting
        batches pile up in memory."""
        records, self._buffer = self._buffer, PreparedRecords(self._log.stream)
        actions, self._actions = self._actions, []
        self._handed_at = time.monotonic()
        if not records.received and not actions:
            return
        previous = self._landing
        self._landing = asyncio.ensure_future(self._land(previous, records, actions))
        # A failure is raised to whoever waits next; this only keeps asyncio from reporting
        # it as never retrieved when the stream has failed for another reason first.
        self._landing.add_done_callback(lambda f: f.cancelled() or f.exception())
        if previous is not None:
            await previous

    async def _land(
        self,
        previous: asyncio.Future[None] | None,
        records: PreparedRecords,
        actions: list[Action],
    ) -> None:
        if previous is not None:
            await previous
        landed: list[LandResult] = []
        await self._db.transaction(
            lambda con: landed.append(self._land_batch(con, records)), *actions
        )
        self._log.records_new += landed[0].new

    def _land_batch(self, con: duckdb.DuckDBPyConnection, records: PreparedRecords) -> LandResult:
        if self._seen_table and records.ids:
            con.execute(f"insert into {self._seen_table} select unnest($ids)", {"ids": records.ids})
        return land_prepared(con, records, self._log.run_id)
