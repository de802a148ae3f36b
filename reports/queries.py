"""The four reports and the engagement export: filters over the public marts and table functions.

Every rule (what a coaching session is, days since, buckets, cohorts, statuses, the caseload
rollup, how sessions are counted, default windows and months) lives in the dbt project; these
queries bind parameters, filter rows, and count them. A caseload over another window, coach or
channel is the table function `caseload_for`, the same SQL as the `caseload` mart (macro
caseload_rollup), so the caseload of the build's window reads the mart itself. The sessions report
is `sessions_for`, with its counts from `session_counts_for` and its window from `sessions_window`.
Cards list buckets in the order of the `day_buckets` mart.
"""

from __future__ import annotations

from datetime import date

from reports.context import ReportContext
from reports.filters import Filters
from reports.model import Breakdown, Report
from reports.where import Where, listed


def _buckets(ctx: ReportContext, column: str) -> list[str]:
    """The labels of a bucketed column, in day order."""
    sql = "select bucket from day_buckets where bucket_column = ? order by bucket_order"
    return [label for (label,) in ctx.rows(sql, [column])]


def _count_by(rows: list[dict], key: str, order: list[str]) -> list[tuple[str, int]]:
    counts = {label: 0 for label in order}
    for row in rows:
        counts[row[key]] = counts.get(row[key], 0) + 1
    return list(counts.items())


def caseload(ctx: ReportContext, filters: Filters) -> Report:
    lookback = filters.lookback or ctx.info.lookback_days
    if lookback == ctx.info.lookback_days and not filters.coach_ids and not filters.channels:
        source, params = "caseload", []
    else:
        source = "caseload_for(?, ?, ?)"
        params = [lookback, listed(filters.coach_ids), listed(filters.channels)]
    where = Where().employers("employer", filters)
    sql = f"""
        select * from {source}
        {where.sql()}
        order by days_since_last_session, name, contact_id
    """
    columns, rows = ctx.columns_and_rows(sql, params + where.params)
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
    buckets = _buckets(ctx, "recency_bucket")
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
    """One row per coaching session and member, in the window `sessions_window` gives."""
    window = [filters.lookback, filters.date_from, filters.date_to]
    params = [
        *window,
        listed(filters.coach_ids),
        listed(filters.channels),
        listed(filters.employers),
        listed(filters.exclude_employers),
    ]
    [(lookback,)] = ctx.rows("select lookback_days from sessions_window(?, ?, ?)", window)
    sql = """
        select conversation_id, contact_id, external_id, session_at, session_date, days_since,
               recency_bucket, channel, service_code, coach_id, coach_name, employer,
               is_call_session, is_qualifying_call
        from sessions_for(?, ?, ?, ?, ?, ?, ?)
        order by session_at desc, conversation_id, contact_id
    """
    columns, rows = ctx.columns_and_rows(sql, params)
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
    counts = ctx.rows(
        "select recency_bucket, session_count, member_count"
        " from session_counts_for(?, ?, ?, ?, ?, ?, ?) order by bucket_order",
        params,
    )
    [(_, all_sessions, all_members), *per_bucket] = counts
    report.cards.extend(
        [
            ("sessions", all_sessions),
            ("members", all_members),
            *((f"sessions {label} days", count) for label, count, _ in per_bucket),
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
    buckets = _buckets(ctx, "no_session_bucket")
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


def engagement_export(
    ctx: ReportContext,
    filters: Filters,
    *,
    referrals: list[str],
    statuses: list[str],
    last_session: tuple[date | None, date | None],
) -> Report:
    """The engagement export's columns (the mart's, but for contact_id); filters on referral,
    employer, Enrolled Date, last coaching session and status (inclusive bounds)."""
    where = Where().any_of("members.referral", referrals)
    where.employers("export.group_description", filters)
    where.between("members.enrolled_date", filters.date_from, filters.date_to)
    where.between("cast(export.last_coaching_session as date)", *last_session)
    where.any_of("export.program_status", statuses)
    sql = f"""
        select export.* exclude (contact_id)
        from engagement_export as export
        inner join members on members.contact_id = export.contact_id
        {where.sql()}
        order by export.employee_id nulls last, export.contact_id
    """
    columns, rows = ctx.columns_and_rows(sql, where.params)
    return Report(
        name="engagement",
        title="Engagement export",
        columns=columns,
        rows=rows,
        cards=[("members", len(rows))],
        filters={**filters.describe(), "referral": referrals, "status": statuses},
        empty_message="No member matches these filters.",
    )
