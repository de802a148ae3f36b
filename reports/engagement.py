"""Engagement over time, from `engagement_status_history` (one row per member and as-of date built).

* the mix of statuses per as-of date up to the build's (a chart);
* per status, the members now and the change since the previous build and since a month before
  (the latest history date at least a month before the build's as-of date);
* the members whose status changed in the last N days (a table: one row per change).

History dates after the build's as-of date (a build for an earlier day leaves later ones in place)
are left out, so the page describes the build it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from reports.context import ReportContext
from reports.filters import Filters
from reports.relation import CardSpec, ChartSpec, ReportQuery
from reports.where import Where
from warehouse.errors import UsageError

DEFAULT_CHANGE_DAYS = 30


def check_days(days: int | None, info) -> int:
    """How far back changes are listed: 1 to the warehouse's largest lookback (default 30)."""
    if days is None:
        return DEFAULT_CHANGE_DAYS
    if not 1 <= days <= info.max_lookback_days:
        raise UsageError(f"--days must be between 1 and {info.max_lookback_days} days, got {days}.")
    return days


def statuses(ctx: ReportContext) -> list[str]:
    """The Engagement Status values, in the seed's order."""
    return [s for (s,) in ctx.rows("select engagement_status from engagement_statuses")]


def _history(ctx: ReportContext, filters: Filters) -> tuple[str, list]:
    where = Where().add("h.as_of_date <= ?", ctx.info.as_of_date)
    where.employers("m.employer", filters)
    sql = f"""select h.*, m.external_id, m.name, m.employer
        from engagement_status_history as h
        inner join members as m on m.contact_id = h.contact_id
        {where.sql()}"""
    return sql, where.params


def mix_query(ctx: ReportContext, filters: Filters) -> ReportQuery:
    """Members per status and as-of date, for the chart (`comparison` gives the cards)."""
    sql, params = _history(ctx, filters)
    return ReportQuery(
        name="engagement-mix",
        title="Engagement Status over time",
        base=ctx.relation(sql, params),
        columns=("as_of_date", "contact_id", "engagement_status"),
        order="as_of_date, contact_id",
        charts=(
            ChartSpec(
                "Members by Engagement Status and as-of date",
                x="as_of_date",
                series="engagement_status",
                value="count(*)",
                x_label="as-of date",
            ),
        ),
        filters=filters.describe(),
    )


@dataclass(frozen=True)
class StatusCount:
    status: str
    now: int
    previous: int | None  # at the previous build's date; None without one
    month_ago: int | None  # at the latest date a month or more before; None without one


@dataclass(frozen=True)
class Comparison:
    previous_date: date | None
    month_ago_date: date | None
    counts: list[StatusCount]


def comparison(ctx: ReportContext, filters: Filters) -> Comparison:
    """Members per status now, at the previous build and a month before."""
    sql, params = _history(ctx, filters)
    base = ctx.relation(sql, params)
    as_of = ctx.info.as_of_date
    dates = ctx.rows(
        """select max(as_of_date) filter (where as_of_date < ?),
                  max(as_of_date) filter (where as_of_date <= ? - interval 1 month)
           from (select distinct as_of_date from engagement_status_history)""",
        [as_of, as_of],
    )[0]
    previous, month_ago = (d.date() if hasattr(d, "date") else d for d in dates)
    counted = {
        (day, status): count
        for day, status, count in ctx.rows(
            f"""select as_of_date, engagement_status, count(*) from ({base.sql}) as h
                where as_of_date in (?, ?, ?) group by all""",
            [*base.params, as_of, previous, month_ago],
        )
    }

    def at(day: date | None, status: str) -> int | None:
        return None if day is None else counted.get((day, status), 0)

    return Comparison(
        previous,
        month_ago,
        [
            StatusCount(s, counted.get((as_of, s), 0), at(previous, s), at(month_ago, s))
            for s in statuses(ctx)
        ],
    )


def changes_query(
    ctx: ReportContext, filters: Filters, days: int, to_statuses: list[str]
) -> ReportQuery:
    """One row per status change on a history date in the last `days` days (as of the build)."""
    sql, params = _history(ctx, filters)
    as_of = ctx.info.as_of_date
    since = "? - cast(? as integer)"
    changes = f"""
        select contact_id, external_id, name, employer, as_of_date as changed_on,
               previous_status, engagement_status as new_status, previous_date
        from (
            select *,
                lag(engagement_status) over (partition by contact_id order by as_of_date)
                    as previous_status,
                lag(as_of_date) over (partition by contact_id order by as_of_date)
                    as previous_date
            from ({sql}) as history
            -- the history the window needs: its dates, and the last date before it
            where as_of_date >= coalesce(
                (select max(as_of_date) from engagement_status_history
                 where as_of_date <= {since}), date '0001-01-01')
        ) as lagged
        where previous_status is not null and previous_status <> engagement_status
          and as_of_date > {since}
    """
    where = Where().any_of("new_status", to_statuses)
    full = f"select * from ({changes}) as c {where.sql()}"
    bound = [*params, as_of, days, as_of, days, *where.params]
    return ReportQuery(
        name="engagement",
        title=f"Engagement Status changes in the {days} days up to {as_of}",
        base=ctx.relation(full, bound),
        columns=(
            "contact_id",
            "external_id",
            "name",
            "employer",
            "changed_on",
            "previous_status",
            "new_status",
            "previous_date",
        ),
        order="changed_on desc, name, contact_id",
        display_columns=(
            "name",
            "external_id",
            "employer",
            "changed_on",
            "previous_status",
            "new_status",
        ),
        cards=(CardSpec("status changes", "count(*)"),),
        filters={"days": days, **filters.describe(), "status": to_statuses},
        empty_message=f"No member's Engagement Status changed in the {days} days up to {as_of}.",
    )
