"""The published warehouse as reports see it: read-only, with the build's clock and constants,
and the row-level scope every report relation passes through."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import duckdb

from reports.scope import Scope
from warehouse.build_info import BuildInfo, read_build_info
from warehouse.readers import open_snapshot
from warehouse.store import WarehousePaths

if TYPE_CHECKING:
    from reports.cache import RelationCache
    from reports.relation import Relation


@dataclass
class ReportContext:
    con: duckdb.DuckDBPyConnection
    info: BuildInfo
    scope: Scope = field(default_factory=Scope)
    # Results kept per published file (the web app); None: compute every time (the CLI).
    cache: RelationCache | None = None

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def columns_and_rows(self, sql: str, params: list | None = None) -> tuple[list[str], list]:
        cursor = self.con.execute(sql, params or [])
        return [d[0] for d in cursor.description], cursor.fetchall()

    def source(self, sql: str, params: list[Any]) -> tuple[str, list[Any]]:
        """A relation expensive to evaluate (a table function rolling sessions up), as a FROM
        item: itself, or with a cache (the web app's, per published file) a table holding its
        rows, made on first use. Filters and the scope apply on top, so they share the table."""
        if self.cache is None:
            return sql, params
        return self.cache.table(self.con, f"select * from {sql}", params), []

    def keyed(self, sql: str, key: str) -> str:
        """`sql` as a FROM item for looking up one value of `key` (a member's rows): itself, or
        with a cache a copy of its rows ordered by `key`, kept for the file, in which DuckDB
        skips every block whose smallest and largest `key` exclude the value."""
        if self.cache is None:
            return f"({sql}) as keyed"
        return self.cache.table(self.con, f"{sql} order by {key}", [], pinned=True)

    def relation(self, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> Relation:
        """The one way a report gets its rows: `sql` (with a contact_id column) restricted to
        the context's scope (reports/scope.py)."""
        from reports.relation import Relation

        scoped, bound = self.scope.restrict(sql, list(params))
        return Relation(scoped, tuple(bound))


@contextlib.contextmanager
def open_reports(paths: WarehousePaths, scope: Scope | None = None) -> Iterator[ReportContext]:
    """Open the published warehouse read-only; a warehouse without marts is a clear error."""
    with open_snapshot(paths) as con:
        yield ReportContext(
            con, read_build_info(con, f"The warehouse {paths.published}"), scope or Scope()
        )
