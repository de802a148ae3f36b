"""The four reports and the engagement export: filters over the public marts and table functions.

Every rule (what a coaching session is, days since, buckets, cohorts, statuses, the caseload
rollup, how sessions are counted, default windows and months) lives in the dbt project; these
queries bind parameters and filter rows. A caseload over another window, coach or channel is the
table function `caseload_for`, the same SQL as the `caseload` mart (macro caseload_rollup), so
the caseload of the build's window reads the mart itself. The sessions report is `sessions_for`,
with its window from `sessions_window`. Cards list buckets in the order of the `day_buckets` mart.

Each report is a `ReportQuery` (reports/relation.py): a relation the CLI materialises whole
(`caseload`, `sessions`, ...) and the web app pages, counts and streams.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from reports import relation as rel
from reports.context import ReportContext
from reports.filters import Filters
from reports.model import Breakdown, Report
from reports.relation import CardSpec, ChartSpec, ReportQuery
from reports.where import Where, listed


def buckets(ctx: ReportContext, column: str) -> list[str]:
    """The labels of a bucketed column, in day order."""
    sql = "select bucket from day_buckets where bucket_column = ? order by bucket_order"
    return [label for (label,) in ctx.rows(sql, [column])]


def columns_of(ctx: ReportContext, sql: str, params: list[Any] | tuple[Any, ...]) -> list[str]:
    cursor = ctx.con.execute(f"select * from ({sql}) as c limit 0", list(params))
    return [d[0] for d in cursor.description]


def _bucket_cards(
    ctx: ReportContext, column: str, aggregate: str = "count(*)", label: str = "{}"
) -> list[CardSpec]:
    return [
        CardSpec(
            label.format(bucket),
            f"{aggregate} filter (where {column} = ?)",
            (bucket,),
            {"bucket": bucket},
        )
        for bucket in buckets(ctx, column)
    ]


# -- caseload ---------------------------------------------------------------------------------

CASELOAD_ORDER = "days_since_last_session, name, contact_id"


def caseload_query(ctx: ReportContext, filters: Filters, bucket: str | None = None) -> ReportQuery:
    lookback = filters.lookback or ctx.info.lookback_days
    if lookback == ctx.info.lookback_days and not filters.coach_ids and not filters.channels:
        source, params = "caseload", []
    else:
        source, params = ctx.source(
            "caseload_for(?, ?, ?)",
            [lookback, listed(filters.coach_ids), listed(filters.channels)],
        )
    where = Where().employers("employer", filters)
    sql = f"select * from {source} {where.sql()}"
    query = ReportQuery(
        name="caseload",
        title=f"Caseload: members with a coaching session in the last {lookback} days",
        base=ctx.relation(sql, params + where.params),
        columns=tuple(columns_of(ctx, sql, params + where.params)),
        order=CASELOAD_ORDER,
        display_columns=(
            "external_id",
            "name",
            "employer",
            "last_session_date",
            "days_since_last_session",
            "recency_bucket",
            "session_count",
            "channel_combination",
            "coach_names",
        ),
        cards=(CardSpec("members", "count(*)"), *_bucket_cards(ctx, "recency_bucket")),
        charts=(
            ChartSpec(
                "Members by days since the last session and channel combination",
                x="recency_bucket",
                series="channel_combination",
                value="count(*)",
                x_label="days since the last session",
                order="min(days_since_last_session), 2",
            ),
        ),
        filters={"lookback": lookback, **filters.describe()},
        empty_message="No member has a coaching session matching these filters.",
    )
    if bucket is not None:
        query = query.drilled("recency_bucket = ?", bucket, bucket=bucket)
    return query


def caseload_breakdown(ctx: ReportContext, query: ReportQuery) -> Breakdown:
    """Members by channel combination and bucket, the combinations with most members first (ties:
    the one whose first member comes first in the table)."""
    labels = buckets(ctx, "recency_bucket")
    sql = f"""
        select channel_combination, recency_bucket, count(*) as members, min(n) as first
        from (select *, row_number() over (order by {query.order}) as n
              from ({query.base.sql}) as b) as t
        group by all
    """
    combos: dict[str, dict[str, int]] = {}
    first: dict[str, int] = {}
    for combo, bucket, members, n in ctx.rows(sql, list(query.base.params)):
        combos.setdefault(combo, dict.fromkeys(labels, 0))[bucket] = members
        first[combo] = min(first.get(combo, n), n)
    ordered = sorted(combos.items(), key=lambda kv: (-sum(kv[1].values()), first[kv[0]]))
    return Breakdown(
        title="Members by channel combination and days since the last session",
        columns=["channel combination", *labels, "total"],
        rows=[(combo, *per.values(), sum(per.values())) for combo, per in ordered],
    )


def caseload(ctx: ReportContext, filters: Filters) -> Report:
    query = caseload_query(ctx, filters)
    report = materialise(ctx, query)
    report.breakdowns.append(caseload_breakdown(ctx, query))
    return report


# -- sessions ---------------------------------------------------------------------------------

SESSION_COLUMNS = (
    "conversation_id, contact_id, external_id, session_at, session_date, days_since, "
    "recency_bucket, channel, service_code, coach_id, coach_name, employer, is_call_session, "
    "is_qualifying_call"
)


def sessions_query(ctx: ReportContext, filters: Filters, bucket: str | None = None) -> ReportQuery:
    """One row per coaching session and member, in the window `sessions_window` gives. A session
    (conversation) counts once in the cards, however many members it lists."""
    window = [filters.lookback, filters.date_from, filters.date_to]
    params = [
        *window,
        listed(filters.coach_ids),
        listed(filters.channels),
        listed(filters.employers),
        listed(filters.exclude_employers),
    ]
    [(lookback,)] = ctx.rows("select lookback_days from sessions_window(?, ?, ?)", window)
    sql = f"select {SESSION_COLUMNS} from sessions_for(?, ?, ?, ?, ?, ?, ?)"
    sessions = "count(distinct conversation_id)"
    query = ReportQuery(
        name="sessions",
        title="Coaching sessions",
        base=ctx.relation(sql, params),
        columns=tuple(c.strip() for c in SESSION_COLUMNS.split(",")),
        order="session_at desc, conversation_id, contact_id",
        display_columns=(
            "session_date",
            "days_since",
            "channel",
            "service_code",
            "coach_name",
            "external_id",
            "employer",
            "conversation_id",
        ),
        cards=(
            CardSpec("sessions", sessions),
            CardSpec("members", "count(distinct contact_id)"),
            *_bucket_cards(ctx, "recency_bucket", sessions, "sessions {} days"),
        ),
        charts=(
            ChartSpec(
                "Sessions per week by channel",
                x="date_trunc('week', session_date)",
                series="channel",
                value=sessions,
                x_label="week (from Monday)",
            ),
        ),
        filters={"lookback": lookback, **filters.describe()},
        empty_message="No coaching session matches these filters.",
    )
    if bucket is not None:
        query = query.drilled("recency_bucket = ?", bucket, bucket=bucket)
    return query


def sessions(ctx: ReportContext, filters: Filters) -> Report:
    return materialise(ctx, sessions_query(ctx, filters))


# -- enrolled participants --------------------------------------------------------------------


def participants_query(
    ctx: ReportContext, filters: Filters, bucket: str | None = None
) -> ReportQuery:
    where = Where().at_most("days_since_enrolled", filters.lookback)
    where.between("enrolled_date", filters.date_from, filters.date_to)
    where.any_of("coach_id", filters.coach_ids).employers("employer", filters)
    columns = (
        "contact_id, external_id, name, employer, enrolled_date, days_since_enrolled, "
        "last_coaching_session_at, days_without_session, coach_id, coach_name, no_session_bucket"
    )
    sql = f"select {columns} from enrolled_participants {where.sql()}"
    lookback = filters.lookback or ctx.info.lookback_days
    query = ReportQuery(
        name="participants",
        title=f"Enrolled participants: Enrolled Date in the last {lookback} days",
        base=ctx.relation(sql, where.params),
        columns=tuple(c.strip() for c in columns.split(",")),
        order="days_without_session desc, name, contact_id",
        display_columns=(
            "external_id",
            "name",
            "employer",
            "enrolled_date",
            "days_without_session",
            "no_session_bucket",
            "coach_name",
        ),
        cards=(CardSpec("participants", "count(*)"), *_bucket_cards(ctx, "no_session_bucket")),
        filters={"lookback": lookback, **filters.describe()},
        empty_message="No enrolled participant matches these filters.",
    )
    if bucket is not None:
        query = query.drilled("no_session_bucket = ?", bucket, bucket=bucket)
    return query


def participants(ctx: ReportContext, filters: Filters) -> Report:
    return materialise(ctx, participants_query(ctx, filters))


# -- billing ----------------------------------------------------------------------------------

# The billing cards' drill-downs: which members of the cohort each counts.
COHORTS = {
    "new": "is_new_participant",
    "engaged": "is_engaged",
    "both": "is_new_participant and is_engaged",
}


def billing_query(
    ctx: ReportContext, filters: Filters, month_start: date, cohort: str | None = None
) -> ReportQuery:
    where = Where().add("month_start = ?", month_start).employers("employer", filters)
    columns = (
        "month, external_id, contact_id, name, email, employer, enrolled_date, "
        "last_call_session_date, is_new_participant, is_engaged"
    )
    sql = f"select {columns} from billing_cohort {where.sql()}"
    month = month_start.strftime("%Y-%m")
    query = ReportQuery(
        name="billing",
        title=f"Billing cohort {month}",
        base=ctx.relation(sql, where.params),
        columns=tuple(c.strip() for c in columns.split(",")),
        order="employer nulls last, name, contact_id",
        display_columns=(
            "external_id",
            "name",
            "employer",
            "enrolled_date",
            "last_call_session_date",
            "is_new_participant",
            "is_engaged",
        ),
        cards=(
            CardSpec("billable members", "count(*)"),
            *(
                CardSpec(label, f"count(*) filter (where {COHORTS[key]})", (), {"cohort": key})
                for label, key in (
                    ("new participants", "new"),
                    ("engaged", "engaged"),
                    ("new and engaged", "both"),
                )
            ),
        ),
        filters={"month": month, **filters.describe()},
        empty_message=f"No member is billable in {month} with these filters.",
    )
    if cohort is not None:
        query = query.drilled(COHORTS[cohort], cohort=cohort)
    return query


def billing(ctx: ReportContext, filters: Filters, month_start: date) -> Report:
    return materialise(ctx, billing_query(ctx, filters, month_start))


# -- the engagement export --------------------------------------------------------------------


def engagement_export_query(
    ctx: ReportContext,
    filters: Filters,
    *,
    referrals: list[str],
    statuses: list[str],
    last_session: tuple[date | None, date | None],
) -> ReportQuery:
    """The engagement export's columns (the mart's, but for contact_id); filters on referral,
    employer, Enrolled Date, last coaching session and status (inclusive bounds)."""
    where = Where().any_of("members.referral", referrals)
    where.employers("export.group_description", filters)
    where.between("members.enrolled_date", filters.date_from, filters.date_to)
    where.between("cast(export.last_coaching_session as date)", *last_session)
    where.any_of("export.program_status", statuses)
    sql = f"""
        select export.*
        from engagement_export as export
        inner join members on members.contact_id = export.contact_id
        {where.sql()}
    """
    columns = [c for c in columns_of(ctx, sql, where.params) if c != "contact_id"]
    return ReportQuery(
        name="engagement",
        title="Engagement export",
        base=ctx.relation(sql, where.params),
        columns=tuple(columns),
        order="employee_id nulls last, contact_id",
        cards=(CardSpec("members", "count(*)"),),
        filters={**filters.describe(), "referral": referrals, "status": statuses},
        empty_message="No member matches these filters.",
    )


def engagement_export(
    ctx: ReportContext,
    filters: Filters,
    *,
    referrals: list[str],
    statuses: list[str],
    last_session: tuple[date | None, date | None],
) -> Report:
    query = engagement_export_query(
        ctx, filters, referrals=referrals, statuses=statuses, last_session=last_session
    )
    return materialise(ctx, query)


# -- whole reports, as the CLI prints them ----------------------------------------------------


def materialise(ctx: ReportContext, query: ReportQuery) -> Report:
    """Every row (in the default order) and the cards of a query."""
    return Report(
        name=query.name,
        title=query.title,
        columns=list(query.columns),
        rows=rel.all_rows(ctx, query),
        cards=[(card.label, card.value) for card in rel.compute_cards(ctx, query)],
        display_columns=list(query.display_columns),
        filters=dict(query.filters),
        empty_message=query.empty_message,
    )
