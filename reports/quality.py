"""Data quality: the `data_quality_issues` mart, counted by kind, with the rows behind each."""

from __future__ import annotations

from reports.context import ReportContext
from reports.relation import CardSpec, ReportQuery
from warehouse.errors import UsageError, listing, shown

COLUMNS = (
    "issue_kind",
    "object_type",
    "object_id",
    "contact_id",
    "conversation_id",
    "field",
    "value",
    "reason",
    "issue_id",
)


def kinds(ctx: ReportContext) -> list[str]:
    """The kinds found, most frequent first."""
    base = ctx.relation("select * from data_quality_issues")
    return [
        kind
        for (kind,) in ctx.rows(
            f"select issue_kind from ({base.sql}) group by 1 order by count(*) desc, 1",
            list(base.params),
        )
    ]


def resolve_kind(ctx: ReportContext, given: str | None) -> str | None:
    if given is None:
        return None
    known = kinds(ctx)
    if given.strip() not in known:
        raise UsageError(
            f"No data-quality issue of kind {shown(given)} (--kind); known: {listing(known)}."
        )
    return given.strip()


def quality_query(ctx: ReportContext, kind: str | None = None) -> ReportQuery:
    query = ReportQuery(
        name="data-quality",
        title="Data quality: dirty data found in Intercom",
        base=ctx.relation(
            "select q.*, m.name from data_quality_issues as q "
            "left join members as m on m.contact_id = q.contact_id"
        ),
        columns=(*COLUMNS[:4], "name", *COLUMNS[4:]),
        order="issue_kind, object_type, object_id, field, issue_id",
        display_columns=(
            "issue_kind",
            "object_type",
            "object_id",
            "name",
            "field",
            "value",
            "reason",
        ),
        cards=(
            CardSpec("issues", "count(*)"),
            *(
                CardSpec(k, "count(*) filter (where issue_kind = ?)", (k,), {"kind": k})
                for k in kinds(ctx)
            ),
        ),
        empty_message="No data-quality issue matches.",
    )
    if kind is not None:
        query = query.drilled("issue_kind = ?", kind, kind=kind)
    return query
