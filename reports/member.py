"""One member: the `members` row, their coaching sessions, Engagement Status history, maintained
attributes (the value in Intercom against the value the marts want) and data-quality rows.

Every part goes through `ReportContext.relation`, so a member out of scope is not found."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reports.context import ReportContext


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row, strict=True)) for row in self.rows]


@dataclass(frozen=True)
class MemberDetail:
    member: dict[str, Any]
    sessions: Table
    history: Table
    attributes: Table
    quality: Table


def _table(ctx: ReportContext, sql: str, contact_id: str, order: str, large: bool = False) -> Table:
    """The member's rows of `sql`; a `large` relation is read through a copy ordered by member
    (when the context keeps one: the web app)."""
    source = f"select * from {ctx.keyed(sql, 'contact_id')}" if large else sql
    base = ctx.relation(source + " where contact_id = ?", [contact_id])
    columns, rows = ctx.columns_and_rows(
        f"select * from ({base.sql}) as t order by {order}", list(base.params)
    )
    return Table(columns, rows)


def member_detail(ctx: ReportContext, contact_id: str) -> MemberDetail | None:
    """None when there is no such member (or not in the context's scope)."""
    found = _table(ctx, "select * from members", contact_id, "contact_id")
    if not found.rows:
        return None
    sessions = _table(
        ctx,
        "select session_at, session_date, channel, coach_name, coach_id, service_code, "
        "is_call_session, is_qualifying_call, conversation_id, contact_id from coaching_sessions",
        contact_id,
        "session_at desc, conversation_id",
        large=True,
    )
    history = _table(
        ctx,
        "select as_of_date, engagement_status, status_basis, days_since_enrolled, "
        "days_since_last_qualifying_call, built_at, contact_id from engagement_status_history",
        contact_id,
        "as_of_date desc",
    )
    attributes = _table(
        ctx,
        "select attribute, current_display, current_status, desired_display, needs_update, "
        "change_label, no_desired_reason, contact_id from contact_attribute_targets",
        contact_id,
        "attribute",
        large=True,
    )
    quality = _table(
        ctx,
        "select issue_kind, object_type, object_id, field, value, reason, contact_id "
        "from data_quality_issues",
        contact_id,
        "issue_kind, object_id, field",
    )
    return MemberDetail(found.records()[0], sessions, history, attributes, quality)
