"""How a dry run looks: the plan by attribute and transition, sample rows, the guards' verdicts;
or the whole plan as CSV/JSON. `coach writeback` and `coach demo` print it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from output.writers import write_records
from writeback.plan import PLAN_COLUMNS, Plan
from writeback.run import ApplyReport, DryRun

CLOSING = "`coach writeback --apply` writes the plan."


def print_dry_run(
    console: Console,
    dry: DryRun,
    published: Path,
    fmt: str = "table",
    limit: int | None = None,
    closing: str = CLOSING,
) -> None:
    plan = dry.plan.limited(limit)
    if fmt != "table":
        write_plan(sys.stdout, plan, fmt)
        return
    build = plan.build
    console.print(
        f"Plan from {published} (as of {build.as_of_date}, {build.program_timezone}): "
        f"{len(plan.rows):,} attribute changes on {plan.contacts:,} of {plan.members:,} members."
    )
    if plan.rows:
        console.print(_transitions(plan))
        console.print(_sample(plan))
    console.print(_verdicts(dry))
    if dry.pending:
        console.print(
            f"{dry.pending:,} writes of an interrupted run are undecided; --apply reads those "
            "contacts back first."
        )
    console.print(
        "Dry run: nothing was written.", closing, sep="\n" if "\n" in closing else " ", markup=False
    )


def write_plan(stream: IO[str], plan: Plan, fmt: str) -> int:
    """The whole plan as CSV or JSON (JSON also carries each value as it will be sent)."""
    columns = (*PLAN_COLUMNS, "value") if fmt == "json" else PLAN_COLUMNS
    records = (row.as_dict() for row in plan.rows)
    return write_records(stream, records, columns, plan.build.zone, fmt)


def _transitions(plan: Plan, shown_per_attribute: int = 6) -> Table:
    table = Table(title="Changes by attribute and transition")
    for column, justify in (("attribute", "left"), ("transition", "left"), ("rows", "right")):
        table.add_column(column, justify=justify)
    transitions = plan.transitions()
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
    return table


def _sample(plan: Plan, rows: int = 10) -> Table:
    sample = Table(title="Sample rows (--format json|csv prints them all)")
    for column in ("contact_id", "external_id", "attribute", "change"):
        sample.add_column(column)
    for row in plan.rows[:rows]:
        values = (row.contact_id, row.external_id or "", row.attribute, row.change_label)
        sample.add_row(*(escape(v) for v in values))
    return sample


def _verdicts(dry: DryRun) -> Table:
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
    return verdicts


def apply_summary(report: ApplyReport, published: Path) -> list[str]:
    """What `coach writeback --apply` prints when it is done."""
    result, stats = report.result, report.stats
    lines = [
        f"{report.run_id}: {result.applied:,} contacts applied, {result.failed:,} failed, "
        f"{result.skipped:,} skipped of {report.plan.contacts:,} planned "
        f"({len(report.plan.rows):,} attribute changes); {stats.calls:,} HTTP calls, "
        f"{stats.retries} retries, {stats.rate_limited} rate-limited; {report.seconds:.1f}s."
    ]
    if report.settled:
        lines.append(f"{report.settled:,} writes of an interrupted run were confirmed applied.")
    lines.append(f"Published {published}")
    return lines
