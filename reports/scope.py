"""Row-level scope: the members a reader may see, applied in one place to every report relation.

Every relation a report, page, chart, CSV or JSON answer reads is made by
`ReportContext.relation` (reports/context.py), which passes it through `Scope.restrict` below.
So a scope set on the context reaches every row, card and chart without any report knowing it.

The default scope is unrestricted and changes nothing (the CLI, and admins in the web app). A
scope of employers and coaches narrows from both sides: a member is in scope when their Employer
is one of the employers (if any are given) and one of the coaches had a coaching session with
them (if any are given). So `--employer Acme --coach C1` is C1's members at Acme: a scope never
widens by adding a kind. Rows that name no member (contact_id null) are out of every scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scope:
    """None: no restriction of that kind. An empty set restricts to nothing."""

    employers: frozenset[str] | None = None
    coach_ids: frozenset[str] | None = None

    @property
    def unrestricted(self) -> bool:
        return self.employers is None and self.coach_ids is None

    def restrict(self, sql: str, params: list[Any]) -> tuple[str, list[Any]]:
        """`sql` (a select with a `contact_id` column) limited to the members in scope."""
        if self.unrestricted:
            return sql, params
        allowed: list[str] = []
        extra: list[Any] = []
        if self.employers is not None:
            allowed.append(
                "contact_id in (select contact_id from members where employer in "
                "(select unnest(?::varchar[])))"
            )
            extra.append(sorted(self.employers))
        if self.coach_ids is not None:
            allowed.append(
                "contact_id in (select contact_id from coaching_sessions where coach_id in "
                "(select unnest(?::varchar[])))"
            )
            extra.append(sorted(self.coach_ids))
        scoped = f"select * from ({sql}) as in_scope where {' and '.join(allowed)}"
        return scoped, [*params, *extra]
