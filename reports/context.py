"""The published warehouse as reports see it: read-only, with the build's clock and constants."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

from warehouse.build_info import BuildInfo, read_build_info
from warehouse.store import WarehousePaths, connect_published


@dataclass
class ReportContext:
    con: duckdb.DuckDBPyConnection
    info: BuildInfo

    def rows(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.con.execute(sql, params or []).fetchall()

    def columns_and_rows(self, sql: str, params: list | None = None) -> tuple[list[str], list]:
        cursor = self.con.execute(sql, params or [])
        return [d[0] for d in cursor.description], cursor.fetchall()


@contextlib.contextmanager
def open_reports(paths: WarehousePaths) -> Iterator[ReportContext]:
    """Open the published warehouse read-only; a warehouse without marts is a clear error."""
    con = connect_published(paths)
    try:
        yield ReportContext(con, read_build_info(con, f"The warehouse {paths.published}"))
    finally:
        con.close()
