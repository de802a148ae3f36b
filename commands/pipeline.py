"""Commands that fill and build the warehouse: ingest, build, run, demo, doctor, docs, emulator."""

from __future__ import annotations

import click

from commands.common import (
    CoachGroup,
    as_of_option,
    console,
    warehouse_option,
    warehouse_paths,
)
from warehouse.errors import CoachError, ConfigError


@click.command("ingest")
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
    from pipeline import refresh

    refresh.ingest(warehouse_paths(warehouse), console(), full=full, streams=streams)


def replace_published_option(command):
    return click.option(
        "--replace-published",
        is_flag=True,
        help="With --as-of another day than today: build the shared warehouse (the one "
        "everyone reads) as of that day instead of an audit warehouse beside it.",
    )(command)


def _build_options(warehouse, as_of, full_refresh, replace_published, target="duckdb", pg=None):
    from pipeline.refresh import BuildOptions
    from warehouse.dates import parse_iso_date

    return BuildOptions(
        as_of=parse_iso_date(as_of, "--as-of") if as_of is not None else None,
        full_refresh=full_refresh,
        target=target,
        pg=pg,
        shared=warehouse is None,
        replace_published=replace_published,
    )


@click.command("run")
@warehouse_option
@click.option("--full", is_flag=True, help="Ingest with `--full` (reconcile deletions).")
@as_of_option
@replace_published_option
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def run_command(
    warehouse: str | None,
    full: bool,
    as_of: str | None,
    replace_published: bool,
    full_refresh: bool,
) -> None:
    """Ingest, then build: what a scheduled job runs before `coach writeback --apply`."""
    from pipeline import refresh

    options = _build_options(warehouse, as_of, full_refresh, replace_published)
    refresh.run(warehouse_paths(warehouse), console(), options, full=full)


@click.command()
@warehouse_option
@as_of_option
@click.option(
    "--target",
    type=click.Choice(["duckdb", "postgres"]),
    default="duckdb",
    show_default=True,
    help="Build in the DuckDB warehouse, or on PostgreSQL (COACH_PG_*).",
)
@replace_published_option
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def build(
    warehouse: str | None,
    as_of: str | None,
    target: str,
    replace_published: bool,
    full_refresh: bool,
) -> None:
    """Run the dbt models (every business rule) and publish the warehouse."""
    from pipeline import refresh
    from warehouse.config import postgres_settings

    pg = postgres_settings() if target == "postgres" else None
    options = _build_options(warehouse, as_of, full_refresh, replace_published, target, pg)
    refresh.build(warehouse_paths(warehouse), console(), options)


@click.command()
@warehouse_option
@click.option(
    "--workspace",
    type=click.Choice(["demo", "tiny"]),
    default="demo",
    show_default=True,
    help="The fake's workspace: demo (~600 members), or tiny (~40, a quick check).",
)
@click.option("--no-serve", is_flag=True, help="Stop after the summaries (scripts, tests).")
@click.option(
    "--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Web app port."
)
def demo(warehouse: str | None, workspace: str, no_serve: bool, port: int) -> None:
    """The whole pipeline against the built-in fake Intercom: ingest, build, then the caseload
    and billing summaries and the write-back plan; then the report web app on 127.0.0.1 until
    Ctrl-C (unless --no-serve)."""
    from pipeline.demo import run_demo
    from pipeline.demo_users import create_demo_users

    paths = warehouse_paths(warehouse)
    run_demo(paths, console(), workspace)
    logins = create_demo_users(paths)
    shown_port = port or 8000
    click.echo(f"\nLog in to the web app (http://127.0.0.1:{shown_port}/) as:")
    for login in logins:
        click.echo(f"  {login.name}  password {login.password}  (sees {login.sees})")
    if no_serve:
        click.echo("Start it with `coach serve`.")
        return
    from web.server import serve_app
    from web.settings import Listen, web_settings

    serve_app(paths, Listen(port=port), web_settings(), click.echo)


@click.command()
@warehouse_option
def doctor(warehouse: str | None) -> None:
    """Check the token, the API version, the workspace's data attributes, and whether the
    warehouse's recent ingest runs succeeded."""
    import asyncio

    from rich.table import Table

    from intercom.doctor import diagnose, ingest_runs
    from warehouse.config import intercom_settings

    paths = warehouse_paths(warehouse)
    runs = ingest_runs(paths)
    checks = [*asyncio.run(diagnose(intercom_settings())), runs]
    table = Table(title="coach doctor")
    for column in ("check", "", "detail"):
        table.add_column(column)
    for check in checks:
        table.add_row(check.name, check.verdict, check.detail)
    console().print(table)
    failed = [check for check in checks if not check.ok and check.checked]
    if failed == [runs]:  # the configuration is fine; the runs fail for another reason
        raise CoachError(f"Ingest is failing: {runs.detail}")
    if failed:
        more = f" ({len(failed) - 1} more above)" if len(failed) > 1 else ""
        raise ConfigError(f"{failed[0].detail}{more}")


@click.command()
@warehouse_option
@click.option("--no-serve", is_flag=True, help="Only generate the site.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
def docs(warehouse: str | None, no_serve: bool, port: int) -> None:
    """Generate the dbt docs site (models, lineage, glossary) and serve it on localhost."""
    from warehouse.docs_site import generate_docs, serve_docs

    site = generate_docs(warehouse_paths(warehouse))
    click.echo(f"Docs generated in {site}")
    if no_serve:
        return
    try:
        serve_docs(site, port, click.echo)
    except KeyboardInterrupt:
        click.echo("Docs server stopped.", err=True)
    except OSError as exc:
        raise CoachError(f"Cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}.") from None


@click.group(cls=CoachGroup)
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
@click.option("--token", help="The accepted bearer token (default: the demo's token).")
@click.option("--now", help="ISO date-time that history ends at (default: now)")
@click.option("--latency", help="150ms, uniform:100ms:200ms or lognormal:150ms:40ms (default: 0)")
@click.option(
    "--rate-limit",
    type=int,
    help="Requests per 10-second window; 0: unlimited (default: Intercom's private-app limit).",
)
@click.option("--index-lag", type=float, help="Seconds before a write is visible to search.")
@click.option("--fault-rate", type=float, help="Share of requests answered with a fault.")
@click.option("--fault-kinds", help="Comma-separated fault kinds (default: all of them).")
@click.option(
    "--cache-dir",
    help="where medium/large workspaces are cached (default: $COACH_FAKE_CACHE or data/fake-cache)",
)
def emulator_serve(**options) -> None:
    """Serve a generated workspace on HTTP until interrupted."""
    from pipeline.emulator import EmulatorOptions, serve_emulator

    serve_emulator(EmulatorOptions(**options), click.echo)


COMMANDS = (ingest_command, run_command, build, demo, doctor, docs, emulator)
