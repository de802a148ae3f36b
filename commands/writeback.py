"""`coach writeback`: the dry run, `--apply`, and the audit export."""

from __future__ import annotations

import click

from commands.common import CoachGroup, console, warehouse_option, warehouse_paths
from warehouse.errors import UsageError


@click.group(cls=CoachGroup, invoke_without_command=True)
@warehouse_option
@click.option("--apply", "do_apply", is_flag=True, help="Write the plan to Intercom.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Dry run: json or csv print the whole plan.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Dry run: write the whole plan to this file (owner-only; CSV, or JSON for a .json "
    "name or --format json) instead of printing it.",
)
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.option(
    "--max-ingest-age-hours",
    type=click.FloatRange(min=0),
    default=None,
    help="Refuse when the last ingest ended longer ago "
    "(default: $COACH_WRITEBACK_MAX_INGEST_AGE_HOURS, else 24).",
)
@click.option(
    "--max-share",
    type=click.FloatRange(min=0, max=100),
    default=None,
    metavar="PERCENT",
    help="Refuse when the plan changes more than this share of members "
    "(default: $COACH_WRITEBACK_MAX_SHARE_PERCENT, else 20).",
)
@click.option(
    "--max-attribute-share",
    type=click.FloatRange(min=0, max=100),
    default=None,
    metavar="PERCENT",
    help="Refuse when the plan changes one attribute for more than this share of members "
    "(default: $COACH_WRITEBACK_MAX_ATTRIBUTE_SHARE_PERCENT, else 20).",
)
@click.option("--allow-stale-ingest", is_flag=True, help="Override the ingest guard rail.")
@click.option("--allow-large-plan", is_flag=True, help="Override the plan-size guard rail.")
@click.option("--allow-other-as-of", is_flag=True, help="Override the as-of-date guard rail.")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=None,
    help="Write at most this many contacts (the rest stay in the plan).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 256),
    default=None,
    help="Writes in flight (default: $COACH_WRITEBACK_CONCURRENCY, else 32).",
)
@click.pass_context
def writeback(
    ctx: click.Context,
    warehouse: str | None,
    do_apply: bool,
    fmt: str,
    output: str | None,
    force: bool,
    max_ingest_age_hours: float | None,
    max_share: float | None,
    max_attribute_share: float | None,
    allow_stale_ingest: bool,
    allow_large_plan: bool,
    allow_other_as_of: bool,
    limit: int | None,
    concurrency: int | None,
) -> None:
    """Plan (default: a dry run) or `--apply` the maintained contact attributes."""
    from warehouse.config import ingest_settings, intercom_settings
    from writeback import guards
    from writeback.render import apply_summary
    from writeback.run import ApplyOptions, apply, dry_run

    if ctx.invoked_subcommand is not None:
        ctx.obj = warehouse
        return
    paths = warehouse_paths(warehouse)
    settings = _settings(
        max_ingest_age_hours=max_ingest_age_hours,
        max_share_percent=max_share,
        max_attribute_share_percent=max_attribute_share,
        concurrency=concurrency,
    )
    if not do_apply:
        dry = dry_run(paths, settings)
        if output is None:
            _print_dry_run(dry, paths, fmt, limit)
        else:
            _save_plan(dry, output, fmt, force, limit)
        return
    if fmt != "table" or output is not None:
        raise UsageError(
            "--format prints the plan of a dry run (as --output saves it); leave them out "
            "with --apply."
        )
    chosen = {
        guards.STALE_INGEST: allow_stale_ingest,
        guards.LARGE_PLAN: allow_large_plan,
        guards.OTHER_AS_OF: allow_other_as_of,
    }
    options = ApplyOptions(
        overrides=frozenset(flag for flag, given in chosen.items() if given), limit=limit
    )
    report = apply(paths, intercom_settings(), ingest_settings(), settings, options)
    for line in apply_summary(report, paths.published):
        click.echo(line)


def _settings(**given):
    """The write-back settings from the environment, with the options given on top."""
    import dataclasses

    from warehouse.config import writeback_settings

    chosen = {name: value for name, value in given.items() if value is not None}
    return dataclasses.replace(writeback_settings(), **chosen)


def _save_plan(dry, output: str, fmt: str, force: bool, limit: int | None) -> None:
    from pathlib import Path

    from output.writers import save
    from writeback.render import write_plan

    target = Path(output)
    if fmt == "table":
        fmt = "json" if target.suffix.lower() == ".json" else "csv"
    plan = dry.plan.limited(limit)
    rows = save(target, lambda handle: write_plan(handle, plan, fmt), force=force)
    click.echo(f"Wrote the plan ({rows:,} attribute changes) to {output} (owner-only).", err=True)


def _print_dry_run(dry, paths, fmt: str, limit: int | None) -> None:
    from writeback.render import print_dry_run

    print_dry_run(console(), dry, paths.published, fmt, limit)


@writeback.command("audit")
@warehouse_option
@click.option("--run", "run_id", help="This run (default: the latest).")
@click.option("--all", "all_runs", is_flag=True, help="Every run.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json"]),
    default="csv",
    show_default=True,
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Write to this file (owner-only) instead of stdout.",
)
@click.option("--force", is_flag=True, help="Overwrite --output if it exists.")
@click.pass_obj
def writeback_audit(
    group_warehouse: str | None,
    warehouse: str | None,
    run_id: str | None,
    all_runs: bool,
    fmt: str,
    output: str | None,
    force: bool,
) -> None:
    """Export the audit log: per run, contact and attribute, old and new value and outcome."""
    import sys
    from pathlib import Path

    from output.writers import save, write_records
    from writeback.audit import EXPORT_COLUMNS
    from writeback.run import audit_export

    if run_id and all_runs:
        raise UsageError("Give --run or --all, not both.")
    paths = warehouse_paths(warehouse or group_warehouse)
    rows, zone = audit_export(paths, run_id, all_runs)
    if output is None:
        write_records(sys.stdout, rows, EXPORT_COLUMNS, zone, fmt)
        return
    save(
        Path(output),
        lambda handle: write_records(handle, rows, EXPORT_COLUMNS, zone, fmt),
        force=force,
    )
    click.echo(f"Wrote {len(rows):,} audit rows to {output}", err=True)


COMMANDS = (writeback,)
