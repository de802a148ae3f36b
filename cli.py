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
    from writeback.render import print_dry_run

    print_dry_run(_console(), dry, paths.published, fmt, limit)


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
@click.option(
    "--workspace",
    type=click.Choice(["demo", "tiny"]),
    default="demo",
    show_default=True,
    help="The fake's workspace: demo (~600 members), or tiny (~40, a quick check).",
)
def demo(warehouse: str | None, workspace: str) -> None:
    """The whole pipeline against the built-in fake Intercom: ingest, build, then the caseload
    and billing summaries and the write-back plan."""
    import asyncio
    import time

    from fake_intercom import EmulatorConfig, FakeIntercom
    from ingest.demo import fresh_demo_warehouse
    from ingest.doctor import whoami
    from ingest.progress import make_reporter
    from ingest.runner import run_ingest
    from reports.summary import print_pipeline_summary
    from warehouse import dbt
    from warehouse.config import (
        DEFAULT_API_VERSION,
        IntercomSettings,
        Secret,
        ingest_settings,
        warehouse_path,
    )
    from warehouse.store import WarehousePaths

    started = time.monotonic()
    paths = WarehousePaths(warehouse_path(warehouse))
    console = _console()
    fake = FakeIntercom.create(workspace=workspace, config=EmulatorConfig(token=DEMO_TOKEN))
    with fake.serve_in_thread() as base_url:
        console.print(f"Fake Intercom ({workspace} workspace) serving at {base_url}")
        settings = IntercomSettings(
            token=Secret(DEMO_TOKEN), api_base=base_url, version=DEFAULT_API_VERSION
        )
        fresh_demo_warehouse(paths, asyncio.run(whoami(settings)).app_id)
        result = run_ingest(paths, settings, ingest_settings(), reporter=make_reporter())
    _print_run(result, paths)
    console.print("Building the models (dbt build)...")
    console.print(dbt.build(paths).summary())
    print_pipeline_summary(console, paths)
    console.print(f"Demo finished in {time.monotonic() - started:.0f}s.")


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


# --- reports and exports -------------------------------------------------------------------

FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="A terminal table with summary cards, or CSV / JSON on stdout.",
)


LOOKBACK = click.option("--lookback", type=int, metavar="DAYS", help="Days back, 1 to 365.")
COACH = click.option("--coach", "coaches", multiple=True, help="Coach id or name (repeatable).")
EMPLOYER = click.option("--employer", "employers", multiple=True, help="Employer (repeatable).")
EXCLUDE = click.option(
    "--exclude-employer", "exclude_employers", multiple=True, help="Leave out this employer."
)
CHANNEL = click.option(
    "--channel",
    "channels",
    multiple=True,
    help="Phone, Video Conference, Email, Chat (repeatable).",
)
MONTH = click.option("--month", metavar="YYYY-MM", help="Billing month (default: the current one).")
PREVIOUS = click.option("--previous", is_flag=True, help="The month before the current one.")
OUT = click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="CSV file.")
FORCE = click.option("--force", is_flag=True, help="Overwrite an existing file.")


def _date_options(what: str):
    def apply(command):
        command = click.option(
            "--to", "date_to", metavar="YYYY-MM-DD", help=f"{what} on or before."
        )(command)
        return click.option(
            "--from", "date_from", metavar="YYYY-MM-DD", help=f"{what} on or after."
        )(command)

    return apply


def _show(report, ctx, fmt: str) -> None:
    import sys

    from reports.render import print_table, write_report

    if fmt == "table":
        print_table(_console(), report, ctx.info.zone)
    else:
        write_report(sys.stdout, report, ctx.info.zone, fmt)


def _reports(warehouse: str | None):
    from reports.context import open_reports
    from warehouse.config import warehouse_path
    from warehouse.store import WarehousePaths

    return open_reports(WarehousePaths(warehouse_path(warehouse)))


@main.group(cls=CoachGroup)
def report() -> None:
    """Reports over the warehouse (read-only): summary cards and a table, or CSV / JSON."""


@report.command("caseload")
@warehouse_option
@LOOKBACK
@COACH
@EMPLOYER
@EXCLUDE
@CHANNEL
@FORMAT_OPTION
def report_caseload(warehouse, lookback, coaches, employers, exclude_employers, channels, fmt):
    """Members with a coaching session in the lookback window, by days since the last one."""
    from reports import queries
    from reports.options import make_filters

    with _reports(warehouse) as ctx:
        filters = make_filters(
            ctx,
            lookback=lookback,
            coaches=coaches,
            employers=employers,
            exclude_employers=exclude_employers,
            channels=channels,
        )
        _show(queries.caseload(ctx, filters), ctx, fmt)


@report.command("sessions")
@warehouse_option
@LOOKBACK
@_date_options("Session date")
@COACH
@EMPLOYER
@EXCLUDE
@CHANNEL
@FORMAT_OPTION
def report_sessions(
    warehouse, lookback, date_from, date_to, coaches, employers, exclude_employers, channels, fmt
):
    """Coaching sessions (one row per session and member). Default window: the build's
    lookback; with --from/--to only, just that date range."""
    from reports import queries
    from reports.options import make_filters

    with _reports(warehouse) as ctx:
        filters = make_filters(
            ctx,
            lookback=lookback,
            coaches=coaches,
            employers=employers,
            exclude_employers=exclude_employers,
            channels=channels,
            date_from=date_from,
            date_to=date_to,
        )
        _show(queries.sessions(ctx, filters), ctx, fmt)


def _participants(ctx, lookback, date_from, date_to, coaches, employers, exclude_employers):
    from reports import queries
    from reports.options import make_filters

    filters = make_filters(
        ctx,
        lookback=lookback,
        # The mart holds the build's lookback window: a longer one cannot come from it.
        lookback_limit=ctx.info.lookback_days,
        coaches=coaches,
        employers=employers,
        exclude_employers=exclude_employers,
        date_from=date_from,
        date_to=date_to,
    )
    return queries.participants(ctx, filters)


@report.command("participants")
@warehouse_option
@LOOKBACK
@_date_options("Enrolled Date")
@COACH
@EMPLOYER
@EXCLUDE
@FORMAT_OPTION
def report_participants(
    warehouse, lookback, date_from, date_to, coaches, employers, exclude_employers, fmt
):
    """Enrolled participants and their days without a coaching session."""
    with _reports(warehouse) as ctx:
        report = _participants(
            ctx, lookback, date_from, date_to, coaches, employers, exclude_employers
        )
        _show(report, ctx, fmt)


def _billing(ctx, month, previous, employers, exclude_employers):
    from reports import queries
    from reports.filters import billing_month
    from reports.options import make_filters

    month_start = billing_month(ctx.info, month, previous)
    filters = make_filters(ctx, employers=employers, exclude_employers=exclude_employers)
    return queries.billing(ctx, filters, month_start)


@report.command("billing")
@warehouse_option
@MONTH
@PREVIOUS
@EMPLOYER
@EXCLUDE
@FORMAT_OPTION
def report_billing(warehouse, month, previous, employers, exclude_employers, fmt):
    """The billing cohort of a month: new participants and engaged members."""
    with _reports(warehouse) as ctx:
        _show(_billing(ctx, month, previous, employers, exclude_employers), ctx, fmt)


@main.group(cls=CoachGroup)
def export() -> None:
    """CSV files for spreadsheets: owner-only, written atomically, formula-safe."""


def _save(report, ctx, out: str, force: bool) -> None:
    from pathlib import Path

    from reports.csv_files import export_csv

    count = export_csv(Path(out), report.columns, report.rows, ctx.info.zone, force=force)
    if count == 0:
        click.echo(f"{report.empty_message} Wrote only the header to {out}.")
    else:
        click.echo(f"Wrote {count:,} rows to {out} (owner-only).")


@export.command("engagement")
@warehouse_option
@OUT
@FORCE
@click.option("--referral", "referrals", multiple=True, help="Referral (repeatable).")
@EMPLOYER
@EXCLUDE
@click.option("--enrolled-from", metavar="YYYY-MM-DD", help="Enrolled Date on or after.")
@click.option("--enrolled-to", metavar="YYYY-MM-DD", help="Enrolled Date on or before.")
@click.option(
    "--last-session-from", metavar="YYYY-MM-DD", help="Last coaching session on or after."
)
@click.option("--last-session-to", metavar="YYYY-MM-DD", help="Last coaching session on or before.")
@click.option(
    "--status", "statuses", multiple=True, help="Engaged, At Risk or Unengaged (repeatable)."
)
def export_engagement(
    warehouse,
    out,
    force,
    referrals,
    employers,
    exclude_employers,
    enrolled_from,
    enrolled_to,
    last_session_from,
    last_session_to,
    statuses,
):
    """The engagement export (employee_id ... registration_code), one row per member."""
    from reports import queries
    from reports.filters import date_range, resolve_referrals, resolve_statuses
    from reports.options import make_filters

    with _reports(warehouse) as ctx:
        filters = make_filters(
            ctx,
            employers=employers,
            exclude_employers=exclude_employers,
            date_from=enrolled_from,
            date_to=enrolled_to,
            date_options=("--enrolled-from", "--enrolled-to"),
        )
        report = queries.engagement_export(
            ctx,
            filters,
            referrals=resolve_referrals(ctx, referrals),
            statuses=resolve_statuses(statuses),
            last_session=date_range(
                last_session_from, last_session_to, ("--last-session-from", "--last-session-to")
            ),
        )
        _save(report, ctx, out, force)


@export.command("billing")
@warehouse_option
@OUT
@FORCE
@MONTH
@PREVIOUS
@EMPLOYER
@EXCLUDE
def export_billing(warehouse, out, force, month, previous, employers, exclude_employers):
    """The billing cohort of a month, one row per member."""
    with _reports(warehouse) as ctx:
        _save(_billing(ctx, month, previous, employers, exclude_employers), ctx, out, force)


@export.command("participants")
@warehouse_option
@OUT
@FORCE
@LOOKBACK
@_date_options("Enrolled Date")
@COACH
@EMPLOYER
@EXCLUDE
def export_participants(
    warehouse, out, force, lookback, date_from, date_to, coaches, employers, exclude_employers
):
    """Enrolled participants, one row per member."""
    with _reports(warehouse) as ctx:
        report = _participants(
            ctx, lookback, date_from, date_to, coaches, employers, exclude_employers
        )
        _save(report, ctx, out, force)


@main.command()
@warehouse_option
@click.option("--no-serve", is_flag=True, help="Only generate the site.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
def docs(warehouse: str | None, no_serve: bool, port: int) -> None:
    """Generate the dbt docs site (models, lineage, glossary) and serve it on localhost."""
    from warehouse.config import warehouse_path
    from warehouse.docs_site import generate_docs, serve_docs
    from warehouse.store import WarehousePaths

    site = generate_docs(WarehousePaths(warehouse_path(warehouse)))
    click.echo(f"Docs generated in {site}")
    if no_serve:
        return
    try:
        serve_docs(site, port, click.echo)
    except KeyboardInterrupt:
        click.echo("Docs server stopped.", err=True)
    except OSError as exc:
        raise CoachError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}.") from None


if __name__ == "__main__":
    main()
