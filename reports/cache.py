"""Results derived from one published file, kept while it is current.

A published file never changes (the pipeline replaces it whole), so what a relation gives on it
(a count, the cards, a chart, a page) can be kept and reused by every request on that file,
keyed by the relation's scoped SQL and parameters (two scopes never share an entry). The web
app makes one cache per file (`warehouse.readers.Snapshot.remember`); the CLI uses none.

Relations that are expensive to evaluate (the caseload rollup over another window) are also
materialised once into a table of the snapshot's private in-memory catalog, so their count,
cards, chart and pages read that table instead of rolling the sessions up again.

Concurrent requests for the same missing entry compute it once (the others wait for it).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

import duckdb

T = TypeVar("T")

# The in-memory catalog every snapshot connection has beside the attached published file.
CATALOG = "memory"


class RelationCache:
    def __init__(self, max_entries: int = 4_096, max_table_rows: int = 1_500_000) -> None:
        self.max_entries = max_entries
        self.max_table_rows = max_table_rows
        self._lock = threading.Lock()
        self._values: OrderedDict[str, Any] = OrderedDict()
        self._tables: OrderedDict[str, int] = OrderedDict()  # table name -> rows
        self._computing: dict[str, threading.Lock] = {}
        self._pinned: dict[str, str] = {}
        self.hits = 0
        self.misses = 0

    def remember(self, key: str, compute: Callable[[], T]) -> T:
        while True:
            with self._lock:
                if key in self._pinned:
                    return self._pinned[key]  # type: ignore[return-value]
                if key in self._values:
                    self._values.move_to_end(key)
                    self.hits += 1
                    return self._values[key]
                gate = self._computing.get(key)
                if gate is None:
                    gate = self._computing[key] = threading.Lock()
                    gate.acquire()
                    break
            with gate:  # another request is computing it: wait, then read it
                pass
        try:
            value = compute()
            with self._lock:
                self.misses += 1
                self._values[key] = value
                while len(self._values) > self.max_entries:
                    self._values.popitem(last=False)
            return value
        finally:
            with self._lock:
                del self._computing[key]
            gate.release()

    def table(
        self, con: duckdb.DuckDBPyConnection, sql: str, params: list[Any], pinned: bool = False
    ) -> str:
        """The name of a table holding the rows of `sql` (made on first use). A pinned table is
        kept for the file's life (a few, made on purpose); others within a budget of rows."""
        digest = hashlib.blake2b(repr((sql, params)).encode(), digest_size=10).hexdigest()
        name = f'{CATALOG}.main."relation_{digest}"'

        def create() -> str:
            con.execute(f"create table {name} as {sql}", params)
            if not pinned:
                rows = con.execute(f"select count(*) from {name}").fetchone()[0]
                self._keep(con, name, rows)
            return name

        if pinned:
            with self._lock:
                if f"table:{name}" in self._values:
                    return self._values[f"table:{name}"]
            value = self.remember(f"table:{name}", create)
            with self._lock:
                self._pinned[f"table:{name}"] = value
            return value
        return self.remember(f"table:{name}", create)

    def _keep(self, con: duckdb.DuckDBPyConnection, name: str, rows: int) -> None:
        """Drop the least recently made tables beyond the row budget."""
        with self._lock:
            self._tables[name] = rows
            dropped = []
            while sum(self._tables.values()) > self.max_table_rows and len(self._tables) > 1:
                old, _ = self._tables.popitem(last=False)
                self._values.pop(f"table:{old}", None)
                dropped.append(old)
        for old in dropped:
            con.execute(f"drop table if exists {old}")


def key(*parts: Any) -> str:
    return repr(parts)
