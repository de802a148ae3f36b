"""From command-line values to validated filters (the CLI stays a thin parser)."""

from __future__ import annotations

from reports import filters as f
from reports.context import ReportContext


def make_filters(
    ctx: ReportContext,
    *,
    lookback: int | None = None,
    lookback_limit: int | None = None,
    coaches: tuple[str, ...] = (),
    employers: tuple[str, ...] = (),
    exclude_employers: tuple[str, ...] = (),
    channels: tuple[str, ...] = (),
    date_from: str | None = None,
    date_to: str | None = None,
    date_options: tuple[str, str] = ("--from", "--to"),
) -> f.Filters:
    """Every value is checked (format, range, known to the warehouse) before any report runs."""
    first, last = f.date_range(date_from, date_to, date_options)
    coach_ids = f.resolve_coaches(ctx, coaches)
    return f.Filters(
        lookback=f.check_lookback(lookback, ctx.info, limit=lookback_limit),
        coach_ids=coach_ids,
        coaches=f.coach_labels(ctx, coach_ids),
        employers=f.resolve_employers(ctx, employers, "--employer"),
        exclude_employers=f.resolve_employers(ctx, exclude_employers, "--exclude-employer"),
        channels=f.resolve_channels(ctx, channels),
        date_from=first,
        date_to=last,
    )
