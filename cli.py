"""`coach`: the command line over the warehouse. It parses and prints; the work lives in packages.

Heavy imports (dbt, duckdb, the fake Intercom) happen inside the commands that need them, so
`coach --help` stays fast.
"""

from __future__ import annotations

import os

import click

from warehouse.errors import CoachError, UsageError

# The fake Intercom's token for `coach demo`: not a secret, it opens only the built-in fake.
DEMO_TOKEN = "demo-token"


class CoachGroup(click.Group):
    """Turns a CoachError anywhere below into one plain line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CoachError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=CoachGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Health-coaching analytics over Intercom: ingest, build, report, write back."""
    # Everything this tool writes (warehouse, exports, logs) may hold health data: owner-only.
    os.umask(0o077)


def warehouse_option(command):
    return click.option(
        "--warehouse",
        type=click.Path(dir_okay=False),
        default=None,
        help="The published warehouse file (default: $COACH_WAREHOUSE, else "
        "data/warehouse.duckdb).",
    )(command)


@main.command("ingest")
@warehouse_option
@click.option(
    "--full",
    is_flag=True,
    help="Also list every contact and conversation to the end and mark records that vanished "
    "from Intercom as deleted (run nightly or weekly).",
)
@click.option(
    "--stream",
    "streams",
    multiple=True,
    help="Only this stream (repeatable): contacts, conversations, admins, teams, "
    "data_attributes. Default: all.",
)
def ingest_command(warehouse: str | None, full: bool, streams: tuple[str, ...]) -> None:
    """Land Intercom's records in the warehouse: incremental, resumable, paced."""
    from ingest.progress import make_reporter
    from ingest.runner import run_ingest
    from warehouse.config import ingest_settings, intercom_settings, warehouse_path
    from warehouse.store import WarehousePaths

    paths = WarehousePaths(warehouse_path(warehouse))
    settings, config = intercom_settings(), ingest_settings()
    settings.require_token()
    result = run_ingest(
        paths, settings, config, streams=streams, full=full, reporter=make_reporter()
    )
    _print_run(result, paths)


def _console():
    """stdout for tables; off a terminal (logs, CI, pipes) wide enough not to cut columns."""
    import sys

    from rich.console import Console

    return Console() if sys.stdout.isatty() else Console(width=160)


def _print_run(result, paths) -> None:
    from rich.table import Table

    table = Table(title=f"{result.run_id} \u2192 {paths.published}")
    for column in (
        "stream",
        "mode",
        "read",
        "new",
        "calls",
        "retries",
        "429s",
        "deleted",
        "outcome",
    ):
        table.add_column(column, justify="left" if column in ("stream", "mode") else "right")
    for log in result.logs:
        table.add_row(
            log.stream,
            log.mode,
            f"{log.records_received:,}",
            f"{log.records_new:,}",
            f"{log.calls.calls:,}",
            str(log.calls.retries),
            str(log.calls.rate_limited),
            str(log.deletions_noticed),
            log.outcome,
        )
    _console().print(table)


@main.command("run")
@warehouse_option
@click.option("--full", is_flag=True, help="Ingest with `--full` (reconcile deletions).")
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge as of this date (default: today)."
)
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def run_command(warehouse: str | None, full: bool, as_of: str | None, full_refresh: bool) -> None:
    """Ingest, then build: what a scheduled job runs before `coach writeback --apply`."""
    from ingest.progress import make_reporter
    from ingest.runner import run_ingest
    from warehouse import dbt
    from warehouse.config import ingest_settings, intercom_settings, warehouse_path
    from warehouse.dates import parse_iso_date
    from warehouse.store import WarehousePaths

    day = parse_iso_date(as_of, "--as-of") if as_of is not None else None
    paths = WarehousePaths(warehouse_path(warehouse))
    settings, config = intercom_settings(), ingest_settings()
    settings.require_token()
    result = run_ingest(paths, settings, config, full=full, reporter=make_reporter())
    _print_run(result, paths)
    click.echo(dbt.build(paths, as_of=day, full_refresh=full_refresh).summary())
    click.echo(f"Published {paths.published}")


@main.group(cls=CoachGroup, invoke_without_command=True)
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
    import dataclasses

    from warehouse.config import (
        ingest_settings,
        intercom_settings,
        warehouse_path,
        writeback_settings,
    )
    from warehouse.store import WarehousePaths
    from writeback import guards
    from writeback.run import ApplyOptions, apply, dry_run

    if ctx.invoked_subcommand is not None:
        ctx.obj = warehouse
        return
    paths = WarehousePaths(warehouse_path(warehouse))
    settings = writeback_settings()
    changes = {
        "max_ingest_age_hours": max_ingest_age_hours,
        "max_share_percent": max_share,
        "max_attribute_share_percent": max_attribute_share,
        "concurrency": concurrency,
    }
    settings = dataclasses.replace(settings, **{k: v for k, v in changes.items() if v is not None})
    if not do_apply:
        _print_dry_run(dry_run(paths, settings), paths, fmt, limit)
        return
    if fmt != "table":
        raise UsageError("--format prints the plan of a dry run; leave it out with --apply.")
    chosen = {
        guards.STALE_INGEST: allow_stale_ingest,
        guards.LARGE_PLAN: allow_large_plan,
        guards.OTHER_AS_OF: allow_other_as_of,
    }
    options = ApplyOptions(
        overrides=frozenset(flag for flag, given in chosen.items() if given), limit=limit
    )
    report = apply(paths, intercom_settings(), ingest_settings(), settings, options)
    result = report.result
    click.echo(
        f"{report.run_id}: {result.applied:,} contacts applied, {result.failed:,} failed, "
        f"{result.skipped:,} skipped of {report.plan.contacts:,} planned "
        f"({len(report.plan.rows):,} attribute changes); {report.stats.calls:,} HTTP calls, "
        f"{report.stats.retries} retries, {report.stats.rate_limited} rate-limited; "
        f"{report.seconds:.1f}s."
    )
    if report.settled:
        click.echo(f"{report.settled:,} writes of an interrupted run were confirmed applied.")
    click.echo(f"Published {paths.published}")


def _print_dry_run(dry, paths, fmt: str, limit: int | None) -> None:
    import sys

    from rich.table import Table

    from writeback.export import write_rows
    from writeback.plan import PLAN_COLUMNS

    plan = dry.plan.limited(limit)
    if fmt != "table":
        columns = (*PLAN_COLUMNS, "value") if fmt == "json" else PLAN_COLUMNS
        write_rows([row.as_dict() for row in plan.rows], columns, fmt, sys.stdout)
        return
    console = _console()
    build = plan.build
    console.print(
        f"Plan from {paths.published} (as of {build.as_of_date}, {build.program_timezone}): "
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
                table.add_row(attribute, label, f"{n:,}")
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
            sample.add_row(row.contact_id, row.external_id or "", row.attribute, row.change_label)
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

    from warehouse.config import warehouse_path
    from warehouse.files import atomic_private_file
    from warehouse.store import WarehousePaths
    from writeback.audit import EXPORT_COLUMNS
    from writeback.export import write_rows
    from writeback.run import audit_export

    if run_id and all_runs:
        raise UsageError("Give --run or --all, not both.")
    paths = WarehousePaths(warehouse_path(warehouse or group_warehouse))
    rows = audit_export(paths, run_id, all_runs)
    if output is None:
        write_rows(rows, EXPORT_COLUMNS, fmt, sys.stdout)
        return
    with atomic_private_file(Path(output), force=force) as handle:
        write_rows(rows, EXPORT_COLUMNS, fmt, handle)
    click.echo(f"Wrote {len(rows):,} audit rows to {output}", err=True)


@main.command()
@warehouse_option
def doctor(warehouse: str | None) -> None:
    """Check the token, the API version and the workspace's data attributes."""
    import asyncio

    from rich.table import Table

    from ingest.doctor import diagnose
    from warehouse.config import intercom_settings, warehouse_path
    from warehouse.errors import ConfigError

    warehouse_path(warehouse)
    checks = asyncio.run(diagnose(intercom_settings()))
    table = Table(title="coach doctor")
    for column in ("check", "", "detail"):
        table.add_column(column)
    for check in checks:
        table.add_row(check.name, "ok" if check.ok else "FAILED", check.detail)
    _console().print(table)
    failed = [check for check in checks if not check.ok]
    if failed:
        more = f" ({len(failed) - 1} more above)" if len(failed) > 1 else ""
        raise ConfigError(f"{failed[0].detail}{more}")


@main.command()
@warehouse_option
def demo(warehouse: str | None) -> None:
    """Run the pipeline against the built-in fake Intercom (its `demo` workspace)."""
    import asyncio

    import duckdb
    from rich.table import Table

    from fake_intercom import EmulatorConfig, FakeIntercom
    from ingest.demo import fresh_demo_warehouse
    from ingest.doctor import whoami
    from ingest.progress import make_reporter
    from ingest.runner import run_ingest
    from warehouse.config import (
        DEFAULT_API_VERSION,
        IntercomSettings,
        Secret,
        ingest_settings,
        warehouse_path,
    )
    from warehouse.raw_tables import current_counts
    from warehouse.store import WarehousePaths

    paths = WarehousePaths(warehouse_path(warehouse))
    console = _console()
    fake = FakeIntercom.create(workspace="demo", config=EmulatorConfig(token=DEMO_TOKEN))
    with fake.serve_in_thread() as base_url:
        console.print(f"Fake Intercom (demo workspace) serving at {base_url}")
        settings = IntercomSettings(
            token=Secret(DEMO_TOKEN), api_base=base_url, version=DEFAULT_API_VERSION
        )
        fresh_demo_warehouse(paths, asyncio.run(whoami(settings)).app_id)
        result = run_ingest(paths, settings, ingest_settings(), reporter=make_reporter())
    _print_run(result, paths)
    with duckdb.connect(str(paths.published), read_only=True) as con:
        counts = current_counts(con)
    table = Table(title=f"What landed in {paths.published}")
    table.add_column("stream")
    table.add_column("records", justify="right")
    for stream, count in counts.items():
        table.add_row(stream, f"{count:,}")
    console.print(table)


@main.group(cls=CoachGroup)
def emulator() -> None:
    """The fake Intercom used by the demo, the tests and the benchmarks."""


@emulator.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8111, show_default=True, type=int, help="0: any free port")
@click.option(
    "--workspace",
    default="demo",
    show_default=True,
    type=click.Choice(["tiny", "demo", "small", "medium", "large"]),
)
@click.option("--seed", default=7, show_default=True, type=int)
@click.option("--token", default="demo-token", show_default=True, help="the accepted bearer token")
@click.option("--now", "now_text", help="ISO date-time that history ends at (default: now)")
@click.option(
    "--latency",
    default="0",
    show_default=True,
    help="150ms, uniform:100ms:200ms or lognormal:150ms:40ms",
)
@click.option(
    "--rate-limit",
    default=1667,
    show_default=True,
    type=int,
    help="requests per 10-second window (0: unlimited)",
)
@click.option(
    "--index-lag",
    default=0.0,
    show_default=True,
    type=float,
    help="seconds before a write is visible to search",
)
@click.option("--fault-rate", default=0.0, show_default=True, type=float)
@click.option(
    "--fault-kinds", default="500,502,503,timeout,reset,truncated,burst429", show_default=True
)
@click.option(
    "--cache-dir",
    help="where medium/large workspaces are cached (default: $COACH_FAKE_CACHE or data/fake-cache)",
)
def emulator_serve(
    host: str,
    port: int,
    workspace: str,
    seed: int,
    token: str,
    now_text: str | None,
    latency: str,
    rate_limit: int,
    index_lag: float,
    fault_rate: float,
    fault_kinds: str,
    cache_dir: str | None,
) -> None:
    """Serve a generated workspace on HTTP until interrupted."""
    from fake_intercom import EmulatorConfig, FakeIntercom
    from fake_intercom.config import KnobError, parse_fault_kinds
    from fake_intercom.server import serve_fake

    now = _parse_now(now_text)
    try:
        config = EmulatorConfig(
            token=token,
            latency=latency,
            rate_limit_per_10s=rate_limit,
            index_lag_seconds=index_lag,
            fault_rate=fault_rate,
            fault_kinds=parse_fault_kinds(fault_kinds),
        )
    except KnobError as exc:
        raise UsageError(str(exc)) from None
    if workspace in ("medium", "large"):
        click.echo(f"Loading the {workspace} workspace (generated once, then cached)...", err=True)
    with FakeIntercom.create(workspace, seed, now, config, cache=cache_dir) as fake:
        try:
            serve_fake(fake, host, port, click.echo)
        except KeyboardInterrupt:  # Ctrl-C is how it is meant to stop
            click.echo("Fake Intercom stopped.", err=True)
        except OSError as exc:
            raise CoachError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None


def _parse_now(text: str | None):
    from datetime import UTC, datetime

    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--now must be an ISO date or date-time such as 2026-06-15, got {text!r}."
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@main.command()
@warehouse_option
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge as of this date (default: today)."
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "postgres"]),
    default="duckdb",
    show_default=True,
    help="Build in the DuckDB warehouse, or on PostgreSQL (COACH_PG_*).",
)
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def build(warehouse: str | None, as_of: str | None, target: str, full_refresh: bool) -> None:
    """Run the dbt models (every business rule) and publish the warehouse."""
    from warehouse import dbt
    from warehouse.config import postgres_settings, warehouse_path
    from warehouse.dates import parse_iso_date
    from warehouse.store import WarehousePaths

    day = parse_iso_date(as_of, "--as-of") if as_of is not None else None
    paths = WarehousePaths(warehouse_path(warehouse))
    pg = postgres_settings() if target == "postgres" else None
    run = dbt.build(paths, target=target, as_of=day, full_refresh=full_refresh, pg=pg)
    click.echo(run.summary())
    if target == "duckdb":
        click.echo(f"Published {paths.published}")


if __name__ == "__main__":
    main()
