"""`coach writeback`: the dry run (read the published warehouse) and `--apply`.

An apply holds the writer lock and works on the working file, in this order:

1. runs a killed run left `running` are marked `interrupted`; its undecided writes are settled by
   reading the contacts back (`apply.settle_in_doubt`);
2. the plan is read from `contact_attribute_targets`, less the writes of killed runs that the
   marts do not reflect yet (applied, landed, not refreshed);
3. it is checked against the guard rails and the data attributes' declared types, and cut to
   `--limit` contacts if given;
4. the writes are sent and audited (`writeback.apply`);
5. the models downstream of the contacts source are refreshed (`dbt run`, same as-of date), so
   the next plan no longer holds what was written, and the warehouse is published.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import duckdb
import httpx
import orjson

from intercom.client import CallStats, IntercomClient
from intercom.preflight import attribute_problems, identify
from intercom.retry import RetryPolicy
from warehouse.attributes import RequiredAttribute
from warehouse.build_info import read_build_info
from warehouse.config import IngestSettings, IntercomSettings, WritebackSettings
from warehouse.dbt import run_dbt
from warehouse.errors import CoachError, ConfigError
from warehouse.raw_tables import create_raw_tables, current_records_sql
from warehouse.store import WarehousePaths, connect_published, connect_working, pipeline_lock
from warehouse.store import publish as publish_warehouse
from warehouse.workspace import stored_workspace
from warehouse.writer import Database
from writeback import audit
from writeback.apply import ApplyResult, send_changes, settle_in_doubt, with_journal
from writeback.guards import Verdict, check_all
from writeback.plan import Plan, plan_attributes, read_plan

# The models whose rows can change when write-back lands contacts.
REFRESH_SELECTOR = "source:intercom.intercom_contacts+"
T = TypeVar("T")


class GuardRefused(CoachError):
    """A guard rail stopped the apply before any write."""


class WritebackFailed(CoachError):
    """The run finished, but some writes failed (they stay in the plan)."""


@dataclass(frozen=True)
class ApplyOptions:
    overrides: frozenset[str] = frozenset()
    limit: int | None = None
    transport: httpx.AsyncBaseTransport | None = None
    now: datetime | None = None  # for the guards; default: the clock


@dataclass
class ApplyReport:
    run_id: str
    plan: Plan
    verdicts: list[Verdict]
    result: ApplyResult = field(default_factory=ApplyResult)
    settled: int = 0
    stats: CallStats = field(default_factory=CallStats)
    seconds: float = 0.0
    refreshed: bool = False


@dataclass(frozen=True)
class DryRun:
    plan: Plan
    verdicts: list[Verdict]
    type_problems: list[str]
    pending: int


def new_run_id() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"writeback-{stamp}-{uuid.uuid4().hex[:6]}"


def type_problems(con: duckdb.DuckDBPyConnection, plan: Plan) -> list[str]:
    """The plan's attributes against the data-attribute definitions ingest landed."""
    definitions = [
        orjson.loads(record)
        for (record,) in con.execute(
            f"select record from ({current_records_sql('data_attributes')})"
        ).fetchall()
    ]
    needed = [
        RequiredAttribute("contact", name, data_type, maintained=True)
        for name, data_type in sorted(plan_attributes(plan.rows).items())
    ]
    return attribute_problems(definitions, needed)


def dry_run(paths: WarehousePaths, settings: WritebackSettings) -> DryRun:
    """The plan and the guards' verdicts, from the published warehouse; nothing is written."""
    con = connect_published(paths)
    try:
        plan = read_plan(con)
        verdicts = check_all(con, plan, settings)
        problems = type_problems(con, plan)
        try:
            pending = len(audit.pending_writes(con))
        except duckdb.CatalogException:
            pending = 0
    finally:
        con.close()
    return DryRun(plan, verdicts, problems, pending)


def apply(
    paths: WarehousePaths,
    intercom: IntercomSettings,
    http: IngestSettings,
    settings: WritebackSettings,
    options: ApplyOptions,
) -> ApplyReport:
    """`coach writeback --apply`. Raises `GuardRefused` (nothing written), `WritebackFailed`
    (some writes failed; the rest applied, audited and published) or another `CoachError`."""
    intercom.require_token()
    started = time.monotonic()
    run_id = new_run_id()
    with pipeline_lock(paths, command="coach writeback --apply"):
        _with_working(paths, _prepare)
        settled = asyncio.run(
            _in_working(paths, lambda db: _settle(db, run_id, intercom, http, settings, options))
        )
        try:
            report = asyncio.run(
                _in_working(
                    paths,
                    lambda db: _plan_and_send(
                        db, run_id, str(paths.published), intercom, http, settings, options
                    ),
                )
            )
        finally:
            # Also after a refusal or a failure: the audit of what happened and the contacts
            # landed so far reach the marts and the published warehouse.
            _refresh_if_needed(paths)
            publish_warehouse(paths)
    report.settled = settled
    report.seconds = time.monotonic() - started
    _raise_for(report)
    return report


def _prepare(con: duckdb.DuckDBPyConnection) -> None:
    create_raw_tables(con)
    audit.create_audit_tables(con)
    audit.mark_interrupted(con)


def _with_working(paths: WarehousePaths, fn: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    con = connect_working(paths)
    try:
        return fn(con)
    finally:
        con.close()


async def _in_working(paths: WarehousePaths, body: Callable[[Database], Awaitable[T]]) -> T:
    """`body` with the working file open on a warehouse thread (closed again afterwards, so
    dbt can open the file)."""
    con = connect_working(paths)
    db = Database(con)
    try:
        return await body(db)
    finally:
        db.close()
        con.close()


def _refresh_if_needed(paths: WarehousePaths) -> bool:
    """Fold contacts landed by write-back into the marts: `dbt run` of the models downstream
    of the contacts source, as of the date the warehouse was built for."""
    if not _with_working(paths, audit.needs_refresh):
        return False
    as_of = _with_working(paths, read_plan).build.as_of_date
    run_dbt("run", paths, as_of=as_of, extra_args=("--select", REFRESH_SELECTOR))
    _with_working(paths, audit.mark_refreshed)
    return True


def _client(
    intercom: IntercomSettings,
    http: IngestSettings,
    settings: WritebackSettings,
    options: ApplyOptions,
) -> IntercomClient:
    return IntercomClient(
        intercom,
        transport=options.transport,
        timeout=http.timeout_seconds,
        max_in_flight=settings.concurrency,
        retry=RetryPolicy(max_attempts=http.max_attempts),
    )


async def _settle(
    db: Database,
    run_id: str,
    intercom: IntercomSettings,
    http: IngestSettings,
    settings: WritebackSettings,
    options: ApplyOptions,
) -> int:
    """Decide the writes a killed run left undecided (see `apply.settle_in_doubt`)."""
    pending = await db.run(audit.pending_writes)
    if not pending:
        return 0
    async with _client(intercom, http, settings, options) as client:
        await _same_workspace(client, db, CallStats())
        settled = await with_journal(
            db,
            run_id,
            lambda journal: settle_in_doubt(
                client, journal, pending, concurrency=settings.concurrency, stats=CallStats()
            ),
        )
    # The killed runs' summaries follow their rows, now decided.
    await db.run(audit.recount, sorted({write.run_id for write in pending}))
    return settled


async def _plan_and_send(
    db: Database,
    run_id: str,
    warehouse: str,
    intercom: IntercomSettings,
    http: IngestSettings,
    settings: WritebackSettings,
    options: ApplyOptions,
) -> ApplyReport:
    # A killed run's writes are in the raw tables but not yet in the marts (they are refreshed
    # after this run's writes, once for both): the plan leaves out what Intercom already holds.
    whole = await db.run(read_plan)
    whole = whole.without(await db.run(audit.applied_not_refreshed, whole.build.built_at))
    # The guards judge the whole plan: a limit shortens a run, it does not make a plan sane.
    verdicts = await db.run(check_all, whole, settings, options.now)
    plan = whole.limited(options.limit)
    report = ApplyReport(run_id, plan, verdicts)
    record = audit.RunRecord(
        run_id,
        warehouse,
        as_of_date=plan.build.as_of_date,
        counts=plan.counts() | {"whole_plan": whole.counts(), "limit": options.limit},
        overrides=sorted(options.overrides),
    )
    for refusal, error in (
        (_refusal(verdicts, options), GuardRefused),
        (_type_refusal(await db.run(type_problems, plan)), ConfigError),
    ):
        if refusal is not None:
            record.status, record.error = "refused", refusal
            await db.run(audit.open_run, record)
            raise error(refusal)
    async with _client(intercom, http, settings, options) as client:
        await _same_workspace(client, db, report.stats)
        await db.run(audit.open_run, record)
        try:
            report.result = await with_journal(
                db,
                run_id,
                lambda journal: send_changes(
                    client,
                    journal,
                    run_id,
                    plan.changes,
                    concurrency=settings.concurrency,
                    stats=report.stats,
                ),
            )
        except BaseException as exc:
            record.status, record.error = "failed", f"{type(exc).__name__}: {exc}"[:500]
            _count(record, report)
            await db.run(audit.close_run, record)
            raise
    result = report.result
    record.status = "failed" if result.fatal or result.failed else "succeeded"
    record.error = str(result.fatal) if result.fatal else None
    _count(record, report)
    await db.run(audit.close_run, record)
    return report


def _count(record: audit.RunRecord, report: ApplyReport) -> None:
    result, stats = report.result, report.stats
    record.applied, record.failed, record.skipped = result.applied, result.failed, result.skipped
    record.http_calls, record.retries = stats.calls, stats.retries
    record.rate_limited = stats.rate_limited


async def _same_workspace(client: IntercomClient, db: Database, stats: CallStats) -> None:
    """Never write a plan into another workspace than the one it was computed from."""
    workspace = await identify(client, stats)
    held = await db.run(stored_workspace)
    if held is not None and held != workspace.app_id:
        raise ConfigError(
            "The warehouse was filled from another Intercom workspace than "
            f"the token opens ({workspace.name or workspace.app_id!r}); refusing to write."
        )


def _refusal(verdicts: Sequence[Verdict], options: ApplyOptions) -> str | None:
    stopped = [v for v in verdicts if not v.passed and v.override not in options.overrides]
    if not stopped:
        return None
    more = f" ({len(stopped) - 1} more guard rail(s) also stop it)" if len(stopped) > 1 else ""
    return f"Refusing to apply: {stopped[0].refusal()}{more}"


def _type_refusal(problems: Sequence[str]) -> str | None:
    if not problems:
        return None
    more = f" ({len(problems) - 1} more attribute problem(s))" if len(problems) > 1 else ""
    return f"Refusing to apply: {problems[0]}{more} Nothing was written."


def _raise_for(report: ApplyReport) -> None:
    result = report.result
    if result.fatal is not None:
        raise WritebackFailed(
            f"Write-back stopped after {result.applied:,} applied and {result.failed:,} failed "
            f"writes: {result.fatal}",
            exit_code=result.fatal.exit_code,
        )
    if result.failed:
        raise WritebackFailed(
            f"{result.failed:,} of {report.plan.contacts:,} contacts failed; they stay in the "
            f"plan and are retried by the next run (`coach writeback audit --run "
            f"{report.run_id}` lists them)."
        )


def audit_export(
    paths: WarehousePaths, run_id: str | None, all_runs: bool
) -> tuple[list[dict[str, Any]], ZoneInfo]:
    """The audit rows asked for, and the program time zone their instants are shown in."""
    con = connect_published(paths)
    try:
        if not audit.has_audit(con):
            raise CoachError("No write-back has been applied to this warehouse yet.")
        chosen = None if all_runs else (run_id or audit.last_run_id(con))
        if not all_runs and chosen is None:
            raise CoachError("No write-back has been applied to this warehouse yet.")
        if run_id and not audit.run_summaries(con, run_id):
            raise CoachError(f"No write-back run {run_id!r} in {paths.published}.", exit_code=2)
        return audit.export_rows(con, chosen), read_build_info(con).zone
    finally:
        con.close()
