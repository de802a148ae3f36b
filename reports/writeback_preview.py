"""A read-only preview of the write-back plan, for `coach demo`.

It counts the rows of `contact_attribute_targets` that need an update, per attribute, with a few
examples. `coach writeback` (package `writeback/`, built separately) owns the real plan, guard
rails and apply; once it is merged, the demo should print that plan instead of this one.
"""

from __future__ import annotations

from dataclasses import dataclass

from reports.context import ReportContext


@dataclass(frozen=True)
class PlannedAttribute:
    attribute: str
    updates: int
    examples: list[tuple[str | None, str]]  # (User ID, "current → desired")


def planned_updates(ctx: ReportContext, examples: int = 2) -> list[PlannedAttribute]:
    rows = ctx.rows(
        """
        select attribute, count(*) as updates,
               list([external_id, change_label] order by external_id nulls last)[1:?]
        from contact_attribute_targets
        where needs_update
        group by attribute
        order by attribute
        """,
        [examples],
    )
    return [
        PlannedAttribute(attribute, updates, [(e[0], e[1]) for e in sample])
        for attribute, updates, sample in rows
    ]
