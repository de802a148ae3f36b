"""The write-back plan: the rows of the `contact_attribute_targets` mart that need an update.

Write-back holds no business rule. The mart decides what each maintained attribute should be
(`desired_value`, text in Intercom's encoding) and whether it differs (`needs_update`); this
module only reads those rows, groups them per contact and turns each value into the JSON type the
attribute is declared with (dates: unix seconds as an integer; strings, including the "; "-joined
list of Eligible Programs, as they are).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import duckdb

from warehouse.build_info import BuildInfo, read_build_info
from warehouse.errors import CoachError

PLAN_COLUMNS = (
    "contact_id",
    "external_id",
    "attribute",
    "data_type",
    "current_value",
    "desired_value",
    "current_display",
    "desired_display",
    "change_label",
)


class PlanError(CoachError):
    """The warehouse cannot give a plan (not built, or a value that does not fit its type)."""


@dataclass(frozen=True)
class PlanRow:
    contact_id: str
    external_id: str | None
    attribute: str
    data_type: str
    current_value: str | None
    desired_value: str
    current_display: str | None
    desired_display: str | None
    change_label: str | None

    @property
    def value(self) -> Any:
        """The desired value as Intercom's JSON expects it for the declared type."""
        return typed_value(self.data_type, self.desired_value, self.attribute)

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in PLAN_COLUMNS} | {"value": self.value}


def typed_value(data_type: str, text: str, attribute: str = "") -> Any:
    """`text` (the mart's encoding) as the JSON value of a `data_type` attribute."""
    if data_type == "string":
        return text
    if data_type == "date":
        try:
            return int(text)
        except ValueError:
            raise PlanError(
                f"The desired value {text!r} of {attribute!r} is not unix seconds; "
                "rebuild with `coach build` and report it if it persists."
            ) from None
    raise PlanError(f"Write-back cannot write {attribute!r}: unsupported data type {data_type!r}.")


@dataclass(frozen=True)
class ContactChange:
    """One PUT: a contact and the attributes that change on it."""

    contact_id: str
    external_id: str | None
    rows: tuple[PlanRow, ...]

    @property
    def custom_attributes(self) -> dict[str, Any]:
        return {row.attribute: row.value for row in self.rows}


@dataclass
class Plan:
    rows: list[PlanRow]
    members: int
    build: BuildInfo
    changes: list[ContactChange] = field(init=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[PlanRow]] = {}
        for row in self.rows:
            grouped.setdefault(row.contact_id, []).append(row)
        self.changes = [
            ContactChange(contact_id, rows[0].external_id, tuple(rows))
            for contact_id, rows in grouped.items()
        ]

    @property
    def contacts(self) -> int:
        return len(self.changes)

    def by_attribute(self) -> Counter[str]:
        return Counter(row.attribute for row in self.rows)

    def transitions(self) -> Counter[tuple[str, str]]:
        """(attribute, change label such as "At Risk → Unengaged") → rows."""
        return Counter((row.attribute, row.change_label or "") for row in self.rows)

    def counts(self) -> dict[str, Any]:
        """What the audit log keeps of a plan."""
        return {
            "members": self.members,
            "contacts": self.contacts,
            "changes": len(self.rows),
            "by_attribute": dict(sorted(self.by_attribute().items())),
        }

    def without(self, done: set[tuple[str, str, str]]) -> Plan:
        """The plan less the rows whose desired value is already written ((contact, attribute,
        value) in `done`)."""
        if not done:
            return self
        rows = [r for r in self.rows if (r.contact_id, r.attribute, r.desired_value) not in done]
        return Plan(rows, self.members, self.build)

    def limited(self, limit: int | None) -> Plan:
        """The first `limit` contacts of the plan (the rest stay for a later run)."""
        if limit is None or limit >= self.contacts:
            return self
        keep = {change.contact_id for change in self.changes[:limit]}
        return Plan([r for r in self.rows if r.contact_id in keep], self.members, self.build)


def read_plan(con: duckdb.DuckDBPyConnection) -> Plan:
    """The plan from a built warehouse (published or working): the mart's `needs_update` rows,
    in a stable order (contact, attribute)."""
    build = read_build_info(con)
    members = con.execute(
        "select count(distinct contact_id) from main.contact_attribute_targets"
    ).fetchone()[0]
    rows = con.execute(
        f"""select {", ".join(PLAN_COLUMNS)} from main.contact_attribute_targets
        where needs_update order by contact_id, attribute"""
    ).fetchall()
    plan = Plan(
        [PlanRow(*row) for row in rows],
        int(members),
        build,
    )
    for row in plan.rows:
        row.value  # noqa: B018 - a value that does not fit its type fails before any write
    return plan


def plan_attributes(rows: Iterable[PlanRow]) -> dict[str, str]:
    """{attribute: data_type} of the attributes a plan writes."""
    return {row.attribute: row.data_type for row in rows}
