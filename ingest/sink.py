"""Getting pages into the working warehouse in batches, without blocking the event loop.

`Database` runs every statement on the one DuckDB connection from one dedicated thread, in
order; DuckDB releases the GIL while it works, so landing a batch overlaps with fetching the
next pages. `StreamSink` collects a stream's pages and lands them through `land_records` once a
couple of thousand records have gathered. A checkpoint (a slice done, a cursor) is committed in
the same transaction as the batch holding the last records it covers, so it is never ahead of
the data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import duckdb

from ingest.progress import Reporter
from ingest.state import StreamLog
from warehouse.raw_tables import LandResult, land_records, record_id

T = TypeVar("T")
Action = Callable[[duckdb.DuckDBPyConnection], Any]


class Database:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warehouse")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(con, *args)` on the warehouse thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, fn, self.con, *args)

    async def transaction(self, *actions: Action) -> None:
        await self.run(_in_transaction, actions)

    def close(self) -> None:
        self._thread.shutdown(wait=True)


def _in_transaction(con: duckdb.DuckDBPyConnection, actions: Sequence[Action]) -> None:
    con.execute("begin transaction")
    try:
        for action in actions:
            action(con)
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


class StreamSink:
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
        self._buffer: list[dict[str, Any]] = []
        self._lock = asyncio.Lock()

    async def add(self, records: list[dict[str, Any]]) -> None:
        self._buffer.extend(records)
        self._log.records_received += len(records)
        self._reporter.advance(self._log.stream, len(records))
        if len(self._buffer) >= self._batch:
            await self.commit()

    async def commit(self, *then: Action) -> None:
        """Land what is buffered, then run `then` in the same transaction."""
        async with self._lock:
            records, self._buffer = self._buffer, []
            if not records and not then:
                return
            landed: list[LandResult] = []
            await self._db.transaction(lambda con: landed.append(self._land(con, records)), *then)
            self._log.records_new += landed[0].new

    def _land(self, con: duckdb.DuckDBPyConnection, records: list[dict[str, Any]]) -> LandResult:
        stream = self._log.stream
        if self._seen_table and records:
            con.execute(
                f"insert into {self._seen_table} select unnest($ids)",
                {"ids": [record_id(stream, r) for r in records]},
            )
        return land_records(con, stream, records, self._log.run_id)
