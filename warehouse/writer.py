"""The warehouse thread: every statement of a run on the one DuckDB connection, in order.

DuckDB releases the GIL while it works, so statements queued here overlap with the event loop
fetching pages or sending writes. Ingest and write-back both write through it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")
Action = Callable[[duckdb.DuckDBPyConnection], Any]


class Database:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warehouse")

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """`fn(con, *args)` on the warehouse thread."""
        return await self.submit(fn, *args)

    def submit(self, fn: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Queue `fn(con, *args)` behind what is already queued, without waiting for it:
        statements run in the order they were submitted."""
        return asyncio.get_running_loop().run_in_executor(self._thread, fn, self.con, *args)

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
