"""`coach ingest` and `coach run`: the ingest's set-up once, then the build for a run."""

from __future__ import annotations

import dataclasses
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
from warehouse.errors import CoachError, UsageError
from warehouse.store import WarehousePaths, pipeline_lock, publish_logs


def ingest(
    paths: WarehousePaths,
    console: Console,
    *,
    full: bool = False,
    streams: tuple[str, ...] = (),
    command: str = "coach ingest",
    publish_after: bool = True,
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
        publish_after=publish_after,
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
    # `coach run`: skip a build with nothing new to read (`warehouse.build_state`).
    skip_unchanged: bool = False


def _is_audit(options: BuildOptions) -> bool:
    return options.shared and not options.replace_published and is_other_day(options.as_of)


def build(
    paths: WarehousePaths, console: Console, options: BuildOptions, command: str = "coach build"
) -> dbt.DbtRun:
    """Build and publish; a build of the shared warehouse for another day than today goes to
    an audit warehouse of its own (`warehouse.as_of`) unless `replace_published`."""
    day = options.as_of
    audit = _is_audit(options)
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
        skip_unchanged=options.skip_unchanged,
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
    """Ingest, then build and publish once: what a scheduled job runs. A build that publishes
    this warehouse (DuckDB, not an audit) publishes the ingest with it; a failed build publishes
    the ingest's logs on the previous snapshot. Ends with how long each phase took (in a cron
    log, what a slow refresh spends its time on)."""
    started = time.monotonic()
    dbt.start_importing()
    builds_here = options.target == "duckdb" and not _is_audit(options)
    result = ingest(paths, console, full=full, command="coach run", publish_after=not builds_here)
    ingested = time.monotonic()
    try:
        built = build(
            paths, console, dataclasses.replace(options, skip_unchanged=True), command="coach run"
        )
    except CoachError:
        if builds_here:
            with pipeline_lock(paths, command="coach run"):
                publish_logs(paths)
        raise
    publish_s = result.publish_seconds + built.publish_seconds
    ingest_s = ingested - started - result.publish_seconds
    build_s = time.monotonic() - ingested - built.publish_seconds
    say(
        console,
        f"Took {ingest_s + build_s + publish_s:.1f}s: ingest {ingest_s:.1f}s, build "
        f"{build_s:.1f}s (dbt {built.seconds:.1f}s), publish {publish_s:.1f}s "
        f"({built.published_bytes:,} bytes written)"
        + (", by the build's changes" if built.published_by_changes else ""),
    )
    return built
