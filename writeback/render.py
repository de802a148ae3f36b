"""How a dry run looks: the plan by attribute and transition, sample rows, the guards' verdicts;
or the whole plan as CSV/JSON. `coach writeback` and `coach demo` print it."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from output.writers import write_records
from writeback.plan import PLAN_COLUMNS
from writeback.run import DryRun


def print_dry_run(
    console: Console, dry: DryRun, published: Path, fmt: str = "table", limit: int | None = None
) -> None:
    plan = dry.plan.limited(limit)
    if fmt != "table":
        columns = (*PLAN_COLUMNS, "value") if fmt == "json" else PLAN_COLUMNS
        records = (row.as_dict() for row in plan.rows)
        write_records(sys.stdout, records, columns, plan.build.zone, fmt)
        return
    build = plan.build
    console.print(
        f"Plan from {published} (as of {build.as_of_date}, {build.program_timezone}): "
        f"{len(plan.rows):,} attribute changes on {plan.contacts:,} of {plan.members:,} members."
    )
    if plan.rows:
        table = Table(title="Changes by attribute and transition")
        for column, justify in (("attribute", "left"), ("transition", "left"), ("rows", "right")):
            table.add_column(column, justify=justify)
        transitions = plan.transitions()
        shown_per_attribute = 6
        for attribute, total in sorted(plan.by_attribute().items()):
            mine = [(label, n) for (a, label), n in transitions.most_common() if a == attribute]
            for label, n in mine[:shown_per_attribute]:
                table.add_row(escape(attribute), escape(label), f"{n:,}")
            rest = mine[shown_per_attribute:]
            if rest:
                table.add_row(
                    attribute, f"({len(rest):,} other transitions)", f"{sum(n for _, n in rest):,}"
                )
            table.add_row(attribute, "[b]all[/b]", f"[b]{total:,}[/b]", end_section=True)
        console.print(table)
        sample = Table(title="Sample rows (--format json|csv prints them all)")
        for column in ("contact_id", "external_id", "attribute", "change"):
            sample.add_column(column)
        for row in plan.rows[:10]:
            sample.add_row(
                *(
                    escape(v)
                    for v in (
                        row.contact_id,
                        row.external_id or "",
                        row.attribute,
                        row.change_label,
                    )
                )
            )
        console.print(sample)
    verdicts = Table(title="Guard rails (checked again by --apply)")
    for column in ("guard rail", "", "detail", "override"):
        verdicts.add_column(column)
    for verdict in dry.verdicts:
        verdicts.add_row(
            verdict.guard,
            "ok" if verdict.passed else "STOPS --apply",
            verdict.detail,
            verdict.override,
        )
    for problem in dry.type_problems:
        verdicts.add_row("attribute types", "STOPS --apply", problem, "(none: fix the workspace)")
    console.print(verdicts)
    if dry.pending:
        console.print(
            f"{dry.pending:,} writes of an interrupted run are undecided; --apply reads those "
            "contacts back first."
        )
    console.print("Dry run: nothing was written. `coach writeback --apply` writes the plan.")
