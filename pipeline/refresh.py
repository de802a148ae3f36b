"""`coach ingest` and `coach run`: the ingest's set-up once, then the build for a run."""

from __future__ import annotations

from datetime import date

from rich.console import Console

from ingest.progress import make_reporter
from ingest.render import run_table
from ingest.runner import RunResult, run_ingest
from output.terminal import say
from warehouse import dbt
from warehouse.config import ingest_settings, intercom_settings
from warehouse.store import WarehousePaths


def ingest(
    paths: WarehousePaths,
    console: Console,
    *,
    full: bool = False,
    streams: tuple[str, ...] = (),
    command: str = "coach ingest",
) -> RunResult:
    """Land Intercom's records with the configuration from the environment; print the result."""
    settings, config = intercom_settings(), ingest_settings()
    settings.require_token()
    result = run_ingest(
        paths,
        settings,
        config,
        streams=streams,
        full=full,
        reporter=make_reporter(),
        command=command,
    )
    console.print(run_table(result, paths.published))
    return result


def run(
    paths: WarehousePaths,
    console: Console,
    *,
    full: bool = False,
    as_of: date | None = None,
    full_refresh: bool = False,
) -> dbt.DbtRun:
    """Ingest, then build and publish: what a scheduled job runs."""
    ingest(paths, console, full=full, command="coach run")
    built = dbt.build(paths, as_of=as_of, full_refresh=full_refresh, command="coach run")
    say(console, built.summary())
    say(console, f"Published {paths.published}")
    return built
