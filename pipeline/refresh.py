"""`coach ingest` and `coach run`: the ingest's set-up once, then the build for a run."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date

from rich.console import Console

from ingest.progress import make_reporter
from ingest.render import run_table
from ingest.runner import RunResult, run_ingest
from output.terminal import say
from warehouse import dbt
from warehouse.as_of import is_other_day, prepare_audit
from warehouse.config import PostgresSettings, ingest_settings, intercom_settings
from warehouse.errors import UsageError
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


@dataclass(frozen=True)
class BuildOptions:
    as_of: date | None = None
    full_refresh: bool = False
    target: dbt.Target = "duckdb"
    pg: PostgresSettings | None = None
    # The warehouse was not named on the command line: it is the one everyone reads.
    shared: bool = True
    replace_published: bool = False


def build(
    paths: WarehousePaths, console: Console, options: BuildOptions, command: str = "coach build"
) -> dbt.DbtRun:
    """Build and publish; a build of the shared warehouse for another day than today goes to
    an audit warehouse of its own (`warehouse.as_of`) unless `replace_published`."""
    day = options.as_of
    audit = options.shared and not options.replace_published and is_other_day(day)
    if audit and options.target == "postgres":
        raise UsageError(
            f"A build as of {day} would replace the marts everyone reads in PostgreSQL; build "
            "into another COACH_PG_SCHEMA with --replace-published, or leave out --as-of."
        )
    target_paths = prepare_audit(paths, day) if audit and day is not None else paths
    built = dbt.build(
        target_paths,
        target=options.target,
        as_of=day,
        full_refresh=options.full_refresh,
        pg=options.pg,
        command=command,
    )
    say(console, built.summary())
    if options.target != "duckdb":
        return built
    say(console, f"Published {target_paths.published}")
    if audit:
        say(
            console,
            f"This is an audit warehouse as of {day}: {paths.published}, which everyone reads, "
            f"is unchanged (--replace-published would replace it). Read this one with "
            f"--warehouse {target_paths.published}.",
        )
    return built


def run(
    paths: WarehousePaths,
    console: Console,
    options: BuildOptions,
    *,
    full: bool = False,
) -> dbt.DbtRun:
    """Ingest, then build and publish: what a scheduled job runs. Ends with how long each
    phase took (in a cron log, what a slow refresh spends its time on)."""
    started = time.monotonic()
    result = ingest(paths, console, full=full, command="coach run")
    ingested = time.monotonic()
    built = build(paths, console, options, command="coach run")
    ingest_s, build_s = ingested - started, time.monotonic() - ingested
    say(
        console,
        f"Took {ingest_s + build_s:.1f}s: ingest {ingest_s:.1f}s (publish "
        f"{result.publish_seconds:.1f}s), build {build_s:.1f}s (dbt {built.seconds:.1f}s, "
        f"publish and set-up {build_s - built.seconds:.1f}s)",
    )
    return built
