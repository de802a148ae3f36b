"""The `build_info` mart: the clock and constants of the build a warehouse holds. Reports and
write-back read these instead of restating a constant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb

from warehouse.errors import CoachError

COLUMNS = (
    "as_of_date",
    "program_timezone",
    "built_at",
    "lookback_days",
    "max_lookback_days",
    "participants_max_lookback_days",
    "as_of_month_start",
    "previous_month_start",
)


class NotBuilt(CoachError):
    """The warehouse holds no built models (or an empty build_info)."""


@dataclass(frozen=True)
class BuildInfo:
    as_of_date: date
    program_timezone: str
    built_at: datetime
    lookback_days: int
    max_lookback_days: int
    participants_max_lookback_days: int
    # The billing report's default month (that of the as-of date) and the one before.
    as_of_month_start: date
    previous_month_start: date

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.program_timezone)


def read_build_info(
    con: duckdb.DuckDBPyConnection, warehouse: object = "The warehouse"
) -> BuildInfo:
    """`build_info` of a built warehouse (published or working); `warehouse` names it in the
    error when there is none."""
    try:
        row = con.execute(f"select {', '.join(COLUMNS)} from main.build_info").fetchone()
    except duckdb.CatalogException:
        raise NotBuilt(
            f"{warehouse} has no built models yet; run `coach build` (or `coach run`) first."
        ) from None
    except duckdb.BinderException:
        raise NotBuilt(
            f"{warehouse} was built by an older version of the models; run `coach build` again."
        ) from None
    if row is None:
        raise NotBuilt(f"{warehouse} has an empty build_info table; run `coach build` again.")
    return BuildInfo(*row)
