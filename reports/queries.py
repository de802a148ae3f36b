"""The four reports and the engagement export: filters and group-bys over the public marts.

Every rule (what a coaching session is, days since, buckets, cohorts, statuses) lives in the dbt
models; these queries only filter their rows and count them. A caseload over another window or
for one coach or channel cannot be a filter of the `caseload` mart, whose channel combinations,
coaches and session counts are those of the build's window; it is the group-by over
`coaching_sessions` that the mart's documentation gives (and a dbt test checks the mart against).
Its bucket is the `recency_bucket` of the member's latest session, as labelled by the model.
"""

from __future__ import annotations

from datetime import date

from reports.context import ReportContext
from reports.filters import Filters
from reports.model import Breakdown, Report
from reports.where import Where

CASELOAD_SQL = """
with

sessions as (
    select * from coaching_sessions
    {where}
),

members_in_caseload as (
    select contact_id, external_id, name, employer from members
),

channel_combinations as (
    select
        contact_id,
        count(*) as channel_count,
        string_agg(channel, ' + ' order by channel) as channel_combination
    from (select distinct contact_id, channel from sessions) as channels_used
    group by contact_id
),

coach_lists as (
    select
        contact_id,
        string_agg(coach_id, '; ' order by coach_name, coach_id) as coach_ids,
        string_agg(coach_name, '; ' order by coach_name, coach_id) as coach_names
    from (
        select distinct contact_id, coach_id, coach_name from sessions where coach_id is not null
    ) as coaches
    group by contact_id
),

latest as (
    select
        contact_id,
        max(session_at) as last_session_at,
        max(session_date) as last_session_date,
        min(days_since) as days_since_last_session,
        arg_min(recency_bucket, days_since) as recency_bucket,
        count(distinct conversation_id) as session_count
    from sessions
    group by contact_id
)

select
    latest.contact_id,
    members_in_caseload.external_id,
    members_in_caseload.name,
    members_in_caseload.employer,
    latest.last_session_at,
    latest.last_session_date,
    latest.days_since_last_session,
    latest.recency_bucket,
    latest.session_count,
    channel_combinations.channel_count,
    channel_combinations.channel_combination,
    coach_lists.coach_ids,
    coach_lists.coach_names
from latest
inner join members_in_caseload on members_in_caseload.contact_id = latest.contact_id
inner join channel_combinations on channel_combinations.contact_id = latest.contact_id
left join coach_lists on coach_lists.contact_id = latest.contact_id
order by latest.days_since_last_session, members_in_caseload.name, latest.contact_id
"""


def _bucket_order(ctx: ReportContext, column: str, days: str, table: str) -> list[str]:
    """A report's bucket labels in day order, as the model labels them."""
    sql = f"select {column} from {table} group by {column} order by min({days})"
    return [label for (label,) in ctx.rows(sql) if label is not None]


def _count_by(rows: list[dict], key: str, order: list[str]) -> list[tuple[str, int]]:
    counts = {label: 0 for label in order}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    return list(counts.items())


def caseload(ctx: ReportContext, filters: Filters) -> Report:
    lookback = filters.lookback or ctx.info.lookback_days
    where = Where().at_most("days_since", lookback)
    where.any_of("coach_id", filters.coach_ids).any_of("channel", filters.channels)
    where.employers("employer", filters)
    columns, rows = ctx.columns_and_rows(CASELOAD_SQL.format(where=where.sql()), where.params)
    report = Report(
        name="caseload",
        title=f"Caseload: members with a coaching session in the last {lookback} days",
        columns=columns,
        rows=rows,
        display_columns=[
            "external_id",
            "name",
            "employer",
            "last_session_date",
            "days_since_last_session",
            "recency_bucket",
            "session_count",
            "channel_combination",
            "coach_names",
        ],
        filters={"lookback": lookback, **filters.describe()},
        empty_message="No member has a coaching session matching these filters.",
    )
    records = report.records()
    buckets = _bucket_order(ctx, "recency_bucket", "days_since", "coaching_sessions")
    report.cards.extend([("members", len(rows)), *_count_by(records, "recency_bucket", buckets)])
    combos: dict[str, dict[str, int]] = {}
    for row in records:
        per = combos.setdefault(row["channel_combination"], dict.fromkeys(buckets, 0))
        per[row["recency_bucket"]] += 1
    report.breakdowns.append(
        Breakdown(
            title="Members by channel combination and days since the last session",
            columns=["channel combination", *buckets, "total"],
            rows=[
                (combo, *per.values(), sum(per.values()))
                for combo, per in sorted(combos.items(), key=lambda kv: -sum(kv[1].values()))
            ],
        )
    )
    return report


def sessions(ctx: ReportContext, filters: Filters) -> Report:
    """One row per coaching session and member. With neither --lookback nor a date range, the
    build's lookback window; with a date range only, just the range."""
    dated = filters.date_from is not None or filters.date_to is not None
    lookback = filters.lookback or (None if dated else ctx.info.lookback_days)
    where = Where().at_most("days_since", lookback)
    where.between("session_date", filters.date_from, filters.date_to)
    where.any_of("coach_id", filters.coach_ids).any_of("channel", filters.channels)
    where.employers("employer", filters)
    sql = f"""
        select conversation_id, contact_id, external_id, session_at, session_date, days_since,
               recency_bucket, channel, service_code, coach_id, coach_name, employer,
               is_call_session, is_qualifying_call
        from coaching_sessions
        {where.sql()}
        order by session_at desc, conversation_id, contact_id
    """
    columns, rows = ctx.columns_and_rows(sql, where.params)
    report = Report(
        name="sessions",
        title="Coaching sessions",
        columns=columns,
        rows=rows,
        display_columns=[
            "session_date",
            "days_since",
            "channel",
            "service_code",
            "coach_name",
            "external_id",
            "employer",
            "conversation_id",
        ],
        filters={"lookback": lookback, **filters.describe()},
        empty_message="No coaching session matches these filters.",
    )
    # Session counts count a conversation once, however many members it lists.
    buckets = _bucket_order(ctx, "recency_bucket", "days_since", "coaching_sessions")
    by_bucket: dict[str, set[str]] = {label: set() for label in buckets}
    for row in report.records():
        by_bucket.setdefault(row["recency_bucket"], set()).add(row["conversation_id"])
    report.cards.extend(
        [
            ("sessions", len({row[0] for row in rows})),
            ("members", len({row[1] for row in rows})),
            *((f"sessions {label} days", len(ids)) for label, ids in by_bucket.items()),
        ]
    )
    return report


def participants(ctx: ReportContext, filters: Filters) -> Report:
    where = Where().at_most("days_since_enrolled", filters.lookback)
    where.between("enrolled_date", filters.date_from, filters.date_to)
    where.any_of("coach_id", filters.coach_ids).employers("employer", filters)
    sql = f"""
        select contact_id, external_id, name, employer, enrolled_date, days_since_enrolled,
               last_coaching_session_at, days_without_session, coach_id, coach_name,
               no_session_bucket
        from enrolled_participants
        {where.sql()}
        order by days_without_session desc, name, contact_id
    """
    columns, rows = ctx.columns_and_rows(sql, where.params)
    lookback = filters.lookback or ctx.info.lookback_days
    report = Report(
        name="participants",
        title=f"Enrolled participants: Enrolled Date in the last {lookback} days",
        columns=columns,
        rows=rows,
        display_columns=[
            "external_id",
            "name",
            "employer",
            "enrolled_date",
            "days_without_session",
            "no_session_bucket",
            "coach_name",
        ],
        filters={"lookback": lookback, **filters.describe()},
        empty_message="No enrolled participant matches these filters.",
    )
    buckets = _bucket_order(
        ctx, "no_session_bucket", "days_without_session", "enrolled_participants"
    )
    report.cards.extend(
        [("participants", len(rows)), *_count_by(report.records(), "no_session_bucket", buckets)]
    )
    return report


def billing(ctx: ReportContext, filters: Filters, month_start: date) -> Report:
    where = Where().add("month_start = ?", month_start).employers("employer", filters)
    sql = f"""
        select month, external_id, contact_id, name, email, employer, enrolled_date,
               last_call_session_date, is_new_participant, is_engaged
        from billing_cohort
        {where.sql()}
        order by employer nulls last, name, contact_id
    """
    columns, rows = ctx.columns_and_rows(sql, where.params)
    month = month_start.strftime("%Y-%m")
    report = Report(
        name="billing",
        title=f"Billing cohort {month}",
        columns=columns,
        rows=rows,
        display_columns=[
            "external_id",
            "name",
            "employer",
            "enrolled_date",
            "last_call_session_date",
            "is_new_participant",
            "is_engaged",
        ],
        filters={"month": month, **filters.describe()},
        empty_message=f"No member is billable in {month} with these filters.",
    )
    records = report.records()
    new = sum(r["is_new_participant"] for r in records)
    engaged = sum(r["is_engaged"] for r in records)
    both = sum(r["is_new_participant"] and r["is_engaged"] for r in records)
    report.cards.extend(
        [
            ("billable members", len(rows)),
            ("new participants", new),
            ("engaged", engaged),
            ("new and engaged", both),
        ]
    )
    return report


ENGAGEMENT_COLUMNS = (
    "employee_id",
    "name_first",
    "name_last",
    "member_dob",
    "group_description",
    "last_coaching_session",
    "program_status",
    "status_date",
    "eligible_programs",
    "registration_code",
)


def engagement_export(
    ctx: ReportContext,
    filters: Filters,
    *,
    referrals: list[str],
    statuses: list[str],
    last_session: tuple[date | None, date | None],
) -> Report:
    """The engagement export's exact columns; filters on referral, employer, Enrolled Date,
    last coaching session and status (inclusive bounds)."""
    where = Where().any_of("members.referral", referrals)
    where.employers("export.group_description", filters)
    where.between("members.enrolled_date", filters.date_from, filters.date_to)
    where.between("cast(export.last_coaching_session as date)", *last_session)
    where.any_of("export.program_status", statuses)
    select = ", ".join(f"export.{column}" for column in ENGAGEMENT_COLUMNS)
    sql = f"""
        select {select}
        from engagement_export as export
        inner join members on members.contact_id = export.contact_id
        {where.sql()}
        order by export.employee_id nulls last, export.contact_id
    """
    columns, rows = ctx.columns_and_rows(sql, where.params)
    columns = [c.removeprefix("export.") for c in columns]
    return Report(
        name="engagement",
        title="Engagement export",
        columns=columns,
        rows=rows,
        cards=[("members", len(rows))],
        filters={**filters.describe(), "referral": referrals, "status": statuses},
        empty_message="No member matches these filters.",
    )
