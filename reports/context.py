"""The published warehouse as reports see it: read-only, with the build's clock and constants."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import duckdb

from warehouse.errors import CoachError
from warehouse.store import WarehousePaths, connect_published


@dataclass(frozen=True)
class BuildInfo:
    """The `build_info` mart: the reports read these instead of restating a constant."""

    as_of_date: date
    program_timezone: str
    lookback_days: int
    max_lookback_days: int

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.program_timezone)


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
        try:
            row = con.execute(
                "select as_of_date, program_timezone, lookback_days, max_lookback_days"
                " from build_info"
            ).fetchone()
        except duckdb.CatalogException:
            raise CoachError(
                f"The warehouse {paths.published} has no built models yet; run `coach build` "
                "(or `coach run`) first."
            ) from None
        if row is None:
            raise CoachError(f"The warehouse {paths.published} has an empty build_info table.")
        yield ReportContext(con, BuildInfo(*row))
    finally:
        con.close()
