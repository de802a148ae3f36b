"""Report filters: parsed and checked before any query, then applied in SQL as parameters.

A value that cannot match anything (an unknown coach, employer, channel, referral or status) is
an error naming the known values, never an empty table and never a filter silently dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from reports.context import ReportContext
from warehouse.build_info import BuildInfo
from warehouse.dates import month_start, parse_iso_date
from warehouse.errors import UsageError, listing, shown

_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(text: str, option: str = "--month") -> date:
    """`YYYY-MM` to the month's first day, or a one-line UsageError."""
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise UsageError(f"{option} must be a month YYYY-MM, got {shown(text)}.")
    return month_start(int(match.group(1)), int(match.group(2)), option, text)


def billing_month(info: BuildInfo, month: str | None, previous: bool) -> date:
    """`--month`, else the month build_info gives as the default (that of the as-of date), or with
    `--previous` the one before it."""
    if month is not None and previous:
        raise UsageError("Give either --month or --previous, not both.")
    if month is not None:
        return parse_month(month)
    return info.previous_month_start if previous else info.as_of_month_start


def check_lookback(days: int | None, info: BuildInfo, *, limit: int | None = None) -> int | None:
    """A lookback in days: 1 to the warehouse's maximum (or `limit`, what the mart holds)."""
    if days is None:
        return None
    most = info.max_lookback_days if limit is None else limit
    if not 1 <= days <= most:
        raise UsageError(f"--lookback must be between 1 and {most} days, got {days}.")
    return days


def date_range(
    start: str | None, end: str | None, names: tuple[str, str] = ("--from", "--to")
) -> tuple[date | None, date | None]:
    """Inclusive bounds; a start after the end is an error rather than an empty result."""
    first = parse_iso_date(start, names[0]) if start is not None else None
    last = parse_iso_date(end, names[1]) if end is not None else None
    if first is not None and last is not None and first > last:
        raise UsageError(f"{names[0]} {first} is after {names[1]} {last}.")
    return first, last


@dataclass
class Filters:
    """Validated filter values, as the SQL takes them (lists are matched with IN)."""

    lookback: int | None = None
    coach_ids: list[str] = field(default_factory=list)
    coaches: list[str] = field(default_factory=list)  # "name (id)" of each, for headings
    employers: list[str] = field(default_factory=list)
    exclude_employers: list[str] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> dict[str, object]:
        return {
            key: (value.isoformat() if isinstance(value, date) else value)
            for key, value in vars(self).items()
            if value not in (None, [])
        }


def _match(given: list[str], known: dict[str, str], what: str, option: str) -> list[str]:
    """Map each given value (case-insensitively) to the warehouse's spelling."""
    matched: list[str] = []
    for value in given:
        canonical = known.get(value.strip().casefold())
        if canonical is None:
            listed = listing(sorted(set(known.values())))
            raise UsageError(
                f"No {what} {shown(value)} in the warehouse ({option}); known: {listed}."
            )
        if canonical not in matched:
            matched.append(canonical)
    return matched


def _resolve(
    ctx: ReportContext, given: tuple[str, ...], sql: str, what: str, option: str
) -> list[str]:
    """The values given, each matched case-insensitively against those `sql` lists."""
    if not given:
        return []
    known = {value.casefold(): value for (value,) in ctx.rows(sql) if value is not None}
    return _match(list(given), known, what, option)


def resolve_employers(ctx: ReportContext, given: tuple[str, ...], option: str) -> list[str]:
    return _resolve(ctx, given, "select employer from employers", "employer", option)


def resolve_referrals(ctx: ReportContext, given: tuple[str, ...]) -> list[str]:
    sql = "select distinct referral from members"
    return _resolve(ctx, given, sql, "referral", "--referral")


def resolve_channels(ctx: ReportContext, given: tuple[str, ...]) -> list[str]:
    """Coaching channels, from the mart the models' seed publishes."""
    sql = "select channel from coaching_channels"
    return _resolve(ctx, given, sql, "coaching channel", "--channel")


def resolve_statuses(ctx: ReportContext, given: tuple[str, ...]) -> list[str]:
    """Engagement Status values, from the seed the models' status columns are tested against."""
    sql = "select engagement_status from engagement_statuses"
    return _resolve(ctx, given, sql, "engagement status", "--status")


def resolve_coaches(ctx: ReportContext, given: tuple[str, ...]) -> list[str]:
    """Coach ids for each value given as an id or a name (case-insensitive); a name two coaches
    share matches both."""
    if not given:
        return []
    coaches = ctx.rows("select coach_id, coach_name from coaches")
    ids: list[str] = []
    for value in given:
        wanted = value.strip().casefold()
        found = [
            cid
            for cid, name in coaches
            if cid == value.strip() or (name or "").casefold() == wanted
        ]
        if not found:
            listed = listing(sorted(f"{n} ({i})" for i, n in coaches))
            raise UsageError(
                f"No coach {shown(value)} on any coaching session (--coach takes an id or a "
                f"name); known: {listed}."
            )
        ids.extend(cid for cid in sorted(found) if cid not in ids)
    return ids


def coach_labels(ctx: ReportContext, ids: list[str]) -> list[str]:
    """ "Name (id)" for each coach id, as a report's heading names its filter."""
    if not ids:
        return []
    names = dict(
        ctx.rows(
            "select coach_id, coach_name from coaches where coach_id in (select unnest(?))",
            [ids],
        )
    )
    return [f"{names.get(i) or 'unnamed'} ({i})" for i in ids]


def resolve_bucket(ctx: ReportContext, column: str, given: str | None, option: str) -> str | None:
    """A day bucket's label (a card's drill-down), as the `day_buckets` mart spells it."""
    if given is None:
        return None
    labels = [
        label
        for (label,) in ctx.rows(
            "select bucket from day_buckets where bucket_column = ? order by bucket_order",
            [column],
        )
    ]
    if given.strip() not in labels:
        raise UsageError(
            f"No {column.replace('_', ' ')} {shown(given)} ({option}); known: {listing(labels)}."
        )
    return given.strip()


def check_choice(given: str | None, choices: tuple[str, ...], option: str) -> str | None:
    """One of a fixed set of values (e.g. a billing card's cohort)."""
    if given is None:
        return None
    if given not in choices:
        raise UsageError(f"{option} must be one of {', '.join(choices)}, got {shown(given)}.")
    return given
