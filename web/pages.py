"""The table pages: each is a `reports/` query built from GET parameters named like the CLI's
options. A page, its CSV (`/NAME.csv`) and its JSON (`/api/NAME`) share the builder, so they show
the same rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from reports import engagement, quality, queries
from reports.context import ReportContext
from reports.filters import (
    billing_month,
    check_choice,
    date_range,
    resolve_bucket,
    resolve_referrals,
    resolve_statuses,
)
from reports.options import make_filters
from reports.relation import ReportQuery
from web.params import Param, Parsed

LOOKBACK = Param("lookback", "int", "Lookback (days)", "1 to 365; default: the build's")
COACH = Param("coach", "list", "Coach", options="coaches")
EMPLOYER = Param("employer", "list", "Employer", options="employers")
EXCLUDE = Param("exclude-employer", "list", "Not employer", options="employers")
CHANNEL = Param("channel", "list", "Channel", options="channels")
BUCKET = Param("bucket", "text", "Bucket", in_form=False)


def _dates(what: str) -> tuple[Param, Param]:
    return (
        Param("from", "date", f"{what} from", "on or after"),
        Param("to", "date", f"{what} to", "on or before"),
    )


@dataclass(frozen=True)
class TablePage:
    name: str  # the URL segment: /NAME, /NAME.csv, /api/NAME
    nav: str
    params: tuple[Param, ...]
    build: Callable[[ReportContext, Parsed], ReportQuery]
    intro: str = ""
    heading: str = ""  # the page's title when it is not its table's


def _filters(ctx: ReportContext, p: Parsed, *, lookback_limit: int | None = None):
    return make_filters(
        ctx,
        lookback=p.get("lookback"),
        lookback_limit=lookback_limit,
        coaches=p.many("coach"),
        employers=p.many("employer"),
        exclude_employers=p.many("exclude-employer"),
        channels=p.many("channel"),
        date_from=p.get("from"),
        date_to=p.get("to"),
    )


def caseload(ctx: ReportContext, p: Parsed) -> ReportQuery:
    filters = _filters(ctx, p)
    bucket = resolve_bucket(ctx, "recency_bucket", p.get("bucket"), "--bucket")
    return queries.caseload_query(ctx, filters, bucket)


def sessions(ctx: ReportContext, p: Parsed) -> ReportQuery:
    filters = _filters(ctx, p)
    bucket = resolve_bucket(ctx, "recency_bucket", p.get("bucket"), "--bucket")
    return queries.sessions_query(ctx, filters, bucket)


def participants(ctx: ReportContext, p: Parsed) -> ReportQuery:
    filters = _filters(ctx, p, lookback_limit=ctx.info.participants_max_lookback_days)
    bucket = resolve_bucket(ctx, "no_session_bucket", p.get("bucket"), "--bucket")
    return queries.participants_query(ctx, filters, bucket)


def billing(ctx: ReportContext, p: Parsed) -> ReportQuery:
    month = billing_month(ctx.info, p.get("month"), bool(p.get("previous")))
    filters = _filters(ctx, p)
    cohort = check_choice(p.get("cohort"), tuple(queries.COHORTS), "--cohort")
    return queries.billing_query(ctx, filters, month, cohort)


def engagement_changes(ctx: ReportContext, p: Parsed) -> ReportQuery:
    days = engagement.check_days(p.get("days"), ctx.info)
    filters = _filters(ctx, p)
    return engagement.changes_query(ctx, filters, days, resolve_statuses(ctx, p.many("status")))


def data_quality(ctx: ReportContext, p: Parsed) -> ReportQuery:
    return quality.quality_query(ctx, quality.resolve_kind(ctx, p.get("kind")))


def engagement_export(ctx: ReportContext, p: Parsed) -> ReportQuery:
    filters = make_filters(
        ctx,
        employers=p.many("employer"),
        exclude_employers=p.many("exclude-employer"),
        date_from=p.get("enrolled-from"),
        date_to=p.get("enrolled-to"),
        date_options=("--enrolled-from", "--enrolled-to"),
    )
    return queries.engagement_export_query(
        ctx,
        filters,
        referrals=resolve_referrals(ctx, p.many("referral")),
        statuses=resolve_statuses(ctx, p.many("status")),
        last_session=date_range(
            p.get("last-session-from"),
            p.get("last-session-to"),
            ("--last-session-from", "--last-session-to"),
        ),
    )


STATUS = Param("status", "list", "Engagement Status", options="statuses")

PAGES = (
    TablePage(
        "caseload",
        "Caseload",
        (LOOKBACK, COACH, EMPLOYER, EXCLUDE, CHANNEL, BUCKET),
        caseload,
        "Members with a coaching session in the lookback window, by days since the last one. "
        "A card shows its members.",
    ),
    TablePage(
        "sessions",
        "Sessions",
        (LOOKBACK, *_dates("Session date"), COACH, EMPLOYER, EXCLUDE, CHANNEL, BUCKET),
        sessions,
        "Coaching sessions, one row per session and member; a session counts once in the cards. "
        "Without a lookback or dates: the build's lookback; with dates only, just those dates.",
    ),
    TablePage(
        "participants",
        "Enrolled participants",
        (
            Param("lookback", "int", "Lookback (days)", "days since Enrolled Date"),
            *_dates("Enrolled Date"),
            COACH,
            EMPLOYER,
            EXCLUDE,
            Param("bucket", "text", "Bucket", in_form=False),
        ),
        participants,
        "Members whose Enrolled Date lies in the lookback window, by days without a coaching "
        "session.",
    ),
    TablePage(
        "billing",
        "Billing",
        (
            Param("month", "month", "Month", "YYYY-MM; default: the build's month"),
            Param("previous", "flag", "Previous month", in_form=False),
            EMPLOYER,
            EXCLUDE,
            Param("cohort", "text", "Cohort", in_form=False),
        ),
        billing,
        "The billing cohort of a month: new participants and members engaged during it.",
    ),
    TablePage(
        "engagement",
        "Engagement",
        (
            Param("days", "int", "Changes in the last (days)", "default 30"),
            STATUS,
            EMPLOYER,
            EXCLUDE,
        ),
        engagement_changes,
        "Engagement Status over the builds kept in engagement_status_history, and the members "
        "whose status changed recently.",
        heading="Engagement over time",
    ),
    TablePage(
        "data-quality",
        "Data quality",
        (Param("kind", "text", "Kind", in_form=False),),
        data_quality,
        "Dirty data found in Intercom: treated as missing, never written back. A card shows its "
        "rows.",
    ),
)

EXPORT = TablePage(
    "exports/engagement",
    "Engagement export",
    (
        Param("referral", "list", "Referral", options="referrals"),
        EMPLOYER,
        EXCLUDE,
        Param("enrolled-from", "date", "Enrolled from"),
        Param("enrolled-to", "date", "Enrolled to"),
        Param("last-session-from", "date", "Last session from"),
        Param("last-session-to", "date", "Last session to"),
        STATUS,
    ),
    engagement_export,
    "The engagement export (`coach export engagement`): one row per member.",
)

BY_NAME = {page.name: page for page in (*PAGES, EXPORT)}
