"""Running the dbt project programmatically, against one warehouse at a time.

Every invocation names the project, the profile and a target/log directory of its own beside the
warehouse (`<stem>.dbt/<target>/`), so concurrent test processes and different warehouses never
share `dbt_project/target`. A failure becomes one readable line (which model or test, and why).
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import json
import os
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from warehouse import build_scope, build_state, snapshot_changes
from warehouse.as_of import today
from warehouse.config import PostgresSettings
from warehouse.errors import CoachError, ConfigError
from warehouse.files import ensure_private_dir
from warehouse.postgres import copy_raw_to_postgres
from warehouse.raw_tables import create_raw_tables, has_records
from warehouse.store import (
    WarehousePaths,
    connect_working,
    pipeline_lock,
    publish,
    publish_logs,
)

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
Target = Literal["duckdb", "postgres", "duckdb_read_only"]
TARGETS: tuple[Target, ...] = ("duckdb", "postgres", "duckdb_read_only")
_FAILED = {"error", "fail", "runtime error"}


@dataclass(frozen=True)
class DbtRun:
    """What one dbt invocation did: node counts by status, and where its log is."""

    command: str
    statuses: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    log_path: Path | None = None
    # The publish that followed (`coach build` on DuckDB): its seconds and the file it wrote.
    publish_seconds: float = 0.0
    published_bytes: int = 0
    # Why nothing was built (`coach run` with nothing new to read), if so.
    skipped: str = ""
    # A DuckDB build: "full", or "incremental" (the changes since the last successful build).
    mode: str = ""
    # Whether the publish brought the previous snapshot up to date by the build's changes.
    published_by_changes: bool = False

    def summary(self) -> str:
        if self.skipped:
            return f"dbt {self.command}: skipped, {self.skipped}"
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        mode = f" ({self.mode})" if self.mode else ""
        return f"dbt {self.command}: {counts or 'nothing to do'} in {self.seconds:.1f}s{mode}"


def artifacts_dir(paths: WarehousePaths, target: Target, pg: PostgresSettings | None) -> Path:
    """Where dbt's target/ and logs/ go for this warehouse and target."""
    name = target if target == "duckdb" or pg is None else f"{target}-{pg.schema}"
    return paths.directory / f"{paths.published.stem}.dbt" / name


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def _one_line(text: str, limit: int = 400) -> str:
    line = re.sub(r"\s+", " ", text).strip()
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _failure_line(command: str, result, log_file: Path) -> str:
    """The readable cause of a failed invocation: the first failing node, and how many failed."""
    where = f"(full log: {log_file})"
    if result.exception is not None:
        # dbt appends the chain of macros that raised ("> in macro ..."); the cause comes first.
        cause = [ln for ln in str(result.exception).splitlines() if not ln.lstrip().startswith(">")]
        return f"dbt {command} failed: {_one_line(' '.join(cause))} {where}"
    outcomes = getattr(result.result, "results", None) or []
    failed = [r for r in outcomes if str(r.status) in _FAILED]
    if not failed:
        return f"dbt {command} failed without a failing node {where}"
    first = failed[0]
    kind = first.node.resource_type.replace("_", " ")
    message = first.message or str(first.status)
    if kind == "unit test":
        message = message.strip().splitlines()[0]
    elif first.failures:
        message = f"{first.failures} failing row(s): {message}"
    if "out of sync" in message:  # an incremental model whose columns changed in an upgrade
        message += " Run `coach build --full-refresh` once."
    more = f" and {len(failed) - 1} more failed" if len(failed) > 1 else ""
    return f"dbt {command} failed: {kind} {first.node.name}: {_one_line(message)}{more} {where}"


def start_importing() -> None:
    """Import dbt in a background thread: about 2 s that `coach run` spends while the ingest
    mostly waits on Intercom. `run_dbt`'s own import then finds it done (or waits for it); an
    error is left for that import to raise."""

    def load() -> None:
        with contextlib.suppress(Exception):
            for module in ("dbt.cli.main", "dbt.adapters.duckdb"):
                importlib.import_module(module)

    threading.Thread(target=load, name="import-dbt", daemon=True).start()


def run_dbt(
    command: str,
    paths: WarehousePaths,
    *,
    target: Target = "duckdb",
    as_of: date | None = None,
    full_refresh: bool = False,
    pg: PostgresSettings | None = None,
    extra_args: tuple[str, ...] = (),
    changed_since: Mapping[str, object] | None = None,
) -> DbtRun:
    """Run one dbt command (build, test, source freshness, docs generate, ...) on a warehouse.
    `changed_since`: the last successful build's watermarks (`build_state.changed_since`), for
    the incremental models; without them every key of an incremental model counts as changed."""
    from dbt.cli.main import dbtRunner

    if target not in TARGETS:
        raise ConfigError(f"Unknown target {target!r}; use one of {', '.join(TARGETS)}.")
    if target == "postgres" and pg is None:
        raise ConfigError("The postgres target needs PostgreSQL settings (COACH_PG_*).")
    # dbt resolves a relative target path against the project directory: always absolute.
    out = artifacts_dir(paths, target, pg).resolve()
    ensure_private_dir(out.parent)
    ensure_private_dir(out)
    env, dbt_vars = _settings_for(paths, target, pg, as_of)
    env["COACH_CHANGED_SINCE"] = json.dumps(dict(changed_since)) if changed_since else ""
    args = [
        *command.split(),
        "--project-dir", str(PROJECT_DIR),
        "--profiles-dir", str(PROJECT_DIR),
        "--target-path", str(out / "target"),
        "--log-path", str(out / "logs"),
        "--target", target,
        "--log-level", "none",
        "--log-level-file", "info",
        "--no-use-colors-file",
        *extra_args,
    ]  # fmt: skip
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    if full_refresh:
        args.append("--full-refresh")
    started = time.monotonic()
    with _environment(env):
        try:
            result = dbtRunner().invoke(args)
        finally:
            _release_duckdb()
    seconds = time.monotonic() - started
    if build_scope.NO_ARTIFACTS in extra_args and hasattr(result.result, "write"):
        result.result.write(str(out / "target" / "run_results.json"))
    log_file = out / "logs" / "dbt.log"
    if not result.success:
        raise CoachError(_failure_line(command, result, log_file))
    statuses: dict[str, int] = {}
    for outcome in getattr(result.result, "results", None) or []:
        statuses[str(outcome.status)] = statuses.get(str(outcome.status), 0) + 1
    return DbtRun(command=command, statuses=statuses, seconds=seconds, log_path=log_file)


def _settings_for(
    paths: WarehousePaths, target: Target, pg: PostgresSettings | None, as_of: date | None
) -> tuple[dict[str, str], dict[str, str]]:
    """The environment (the profile reads the database path and PostgreSQL settings from it)
    and the vars of one invocation."""
    dbt_vars: dict[str, str] = {}
    database = paths.published if target == "duckdb_read_only" else paths.working
    env = {
        "COACH_DBT_DUCKDB_PATH": str(database.resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # The as-of date goes to the models in the environment, not in --vars: dbt parses the
        # whole project again whenever its vars change; macros/program.sql reads this only while
        # executing, so dbt's partial parse stays valid from one date to the next.
        "COACH_AS_OF": "" if as_of is None else as_of.isoformat(),
    }
    if target == "postgres":
        assert pg is not None
        env.update(pg.dbt_env())
        if pg.schema_prefix:
            dbt_vars["schema_prefix"] = pg.schema_prefix
    return env, dbt_vars


def _release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open for the life of the process (its
    connection manager caches one environment). A process that goes on after dbt (the docs
    server, a test, a benchmark) would otherwise hold the file and lock out other processes."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


def build(
    paths: WarehousePaths,
    *,
    target: Target = "duckdb",
    as_of: date | None = None,
    full_refresh: bool = False,
    pg: PostgresSettings | None = None,
    command: str = "coach build",
    skip_unchanged: bool = False,
) -> DbtRun:
    """`coach build`: under the writer lock, run `dbt build`, then publish the DuckDB warehouse.

    On PostgreSQL the raw rows landed since the last copy go over first
    (`warehouse.postgres.copy_raw_to_postgres`); the published DuckDB file is left as it is.
    With `skip_unchanged` (`coach run`), a DuckDB build with nothing new to read since the last
    one, whose marts are published, is skipped: the ingest's logs are published on those marts
    (`warehouse.build_state`).
    """
    with pipeline_lock(paths, command=command):
        con = connect_working(paths)
        try:
            create_raw_tables(con)
            landed = has_records(con)
            key = build_state.build_key(con, as_of or today()) if target == "duckdb" else ""
            stored = build_state.stored_key(con)
            if target == "duckdb":
                build_state.forget(con)
        finally:
            con.close()
        if not landed:
            raise CoachError(
                f"Nothing has been ingested into {paths.published} yet (is --warehouse right?); "
                "run `coach ingest` first, then build. Nothing was built or published."
            )
        if skip_unchanged and not full_refresh and _published_build_of(paths, key, stored):
            assert stored is not None
            return _publish_unchanged(paths, key, stored[1])
        if target == "postgres":
            assert pg is not None
            copy_raw_to_postgres(paths.working, pg)
        incremental = target == "duckdb" and not full_refresh
        since = build_state.changed_since(stored, key) if incremental else None
        run = run_dbt(
            "build",
            paths,
            target=target,
            as_of=as_of,
            # DuckDB: what the last successful build's key cannot describe is built in full.
            full_refresh=full_refresh or (target == "duckdb" and since is None),
            pg=pg,
            extra_args=build_scope.left_out(
                target, stored, since, scheduled=skip_unchanged, manifest=_manifest(paths)
            ),
            changed_since=since,
        )
        if target == "duckdb":
            return _record_and_publish(paths, run, key, since, stored)
    return run


def _published_build_of(paths: WarehousePaths, key: str, stored: tuple | None) -> bool:
    """Whether the last build read what a build now would (`key`) and its marts are published."""
    if not key or stored is None or stored[0] != key:
        return False
    return build_state.published_built_at(paths.published) == stored[1]


def _record_then(paths: WarehousePaths, key: str, publisher) -> tuple[float, int]:
    """Keep `key` as the last build's, then publish; the seconds and bytes the publish took."""
    con = connect_working(paths)
    try:
        build_state.record(con, key)
    finally:
        con.close()
    started = time.monotonic()
    written = publisher(paths)
    return time.monotonic() - started, written


def _manifest(paths: WarehousePaths) -> Path:
    return artifacts_dir(paths, "duckdb", None) / "target" / "manifest.json"


def _changes_to_publish(
    paths: WarehousePaths, since: Mapping[str, object] | None, stored: tuple | None
) -> dict[tuple[str, str], str] | None:
    """What an incremental build changed, for a publish that brings the previous snapshot up to
    date (`warehouse.snapshot_changes`): only when the published file is the snapshot of the build
    the changes were counted from, with the same as-of date; else None (a whole snapshot)."""
    if not since or not since.get("same_as_of") or stored is None:
        return None
    if build_state.published_built_at(paths.published) != stored[1]:
        return None
    try:
        return snapshot_changes.changed_rows(_manifest(paths))
    except (OSError, ValueError, KeyError, snapshot_changes.NotApplicable):
        return None


def _record_and_publish(
    paths: WarehousePaths, run: DbtRun, key: str, since: Mapping | None, stored: tuple | None
) -> DbtRun:
    """Keep the key of the DuckDB build `run` (incremental when `since`) and publish it."""
    run = dataclasses.replace(run, mode="incremental" if since else "full")
    changed = _changes_to_publish(paths, since, stored) if since else None
    by_changes = False

    def publisher(p: WarehousePaths) -> int:
        nonlocal by_changes
        by_changes = publish(p, changed)
        return p.published.stat().st_size

    seconds, written = _record_then(paths, key, publisher)
    return dataclasses.replace(
        run, publish_seconds=seconds, published_bytes=written, published_by_changes=by_changes
    )


def _publish_unchanged(paths: WarehousePaths, key: str, built_at: object) -> DbtRun:
    """Nothing new since the last build: keep its key and publish the logs on its marts."""
    seconds, written = _record_then(paths, key, publish_logs)
    return DbtRun(
        command="build",
        skipped=f"nothing new to read since the build of {built_at:%Y-%m-%d %H:%M:%S %Z}",
        publish_seconds=seconds,
        published_bytes=written,
    )
