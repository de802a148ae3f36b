"""The scenarios `make bench` runs at each size, in order, against one fake Intercom.

A scenario is an object with a `name`, a `description` (what it measures and how; the results
table quotes it), `unavailable()` (None, or why it cannot run here) and `run(context)`, which
returns a JSON-ready record. `SCENARIOS` is the registry: add a scenario with `register()` (a
module under bench/ may register its own; `load_plugins()` imports those listed in PLUGINS if they
exist). Order matters: the warehouse is backfilled and built first, the day's changes are made
and refreshed, then both sides answer the same report from the same state, and write-back, which
changes Intercom, runs last.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb

from bench.common import FakeServer, api_calls, coach, measure, python_module, spread
from warehouse.raw_tables import current_counts
from warehouse.store import WarehousePaths

RECORDS_PER_CALL = 150  # a full page: the most records one call can bring


@dataclass
class Settings:
    sizes: list[str]
    repetitions: int
    baseline_repetitions: dict[str, int]
    lookbacks: list[int]
    latency: str
    rate_limit_per_10s: int
    change_share: float
    day_views: int
    work: Path

    @property
    def bound_per_second(self) -> float:
        return self.rate_limit_per_10s / 10


@dataclass
class Context:
    """One size: its fake, its warehouse, and what earlier scenarios recorded."""

    size: str
    settings: Settings
    fake: FakeServer
    warehouse: Path
    as_of: str
    now: int
    records: dict[str, Any] = field(default_factory=dict)

    def coach_env(self) -> dict[str, str]:
        return self.fake.env()


class Scenario(Protocol):
    name: str
    description: str

    def unavailable(self) -> str | None: ...

    def run(self, context: Context) -> dict[str, Any]: ...


def _latest_run(warehouse: Path) -> dict[str, Any]:
    """Records and duration of the latest `coach ingest` run, from its run log."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        received, seconds = con.execute(
            """select sum(records_received), epoch(max(ended_at)) - epoch(min(started_at))
               from ingest.run_log
               where run_id = (
                   select run_id from ingest.run_log order by started_at desc limit 1
               )"""
        ).fetchone()
    return {"records_received": int(received), "ingest_seconds": round(seconds, 3)}


def _measured_coach(context: Context, *args: str) -> dict[str, Any]:
    before = context.fake.stats()
    measured = measure(coach(*args, "--warehouse", str(context.warehouse)), context.coach_env())
    calls = api_calls(before, context.fake.stats())
    return {
        "wall_seconds": measured.wall_seconds,
        "peak_rss_mb": measured.peak_rss_mb,
        "cpu_seconds": measured.cpu_seconds,
        **calls,
    }


class IngestBackfill:
    name = "ingest_backfill"
    description = (
        "`coach ingest` into an empty warehouse (a sliced backfill), once: wall time of the "
        "command, calls and 429s as the fake counted them; throughput = calls per second of the "
        "run (ingest.run_log) ÷ the rate-limit bound."
    )

    def unavailable(self) -> str | None:
        return None

    def run(self, context: Context) -> dict[str, Any]:
        record = _measured_coach(context, "ingest")
        record |= _latest_run(context.warehouse)
        per_second = record["calls"] / record["ingest_seconds"]
        record["calls_per_second"] = round(per_second, 2)
        record["fraction_of_rate_limit_bound"] = round(
            per_second / context.settings.bound_per_second, 3
        )
        return record


class BuildFull:
    name = "build_full"
    description = (
        "`coach build --as-of` over the backfilled warehouse, once: wall time incl. dbt start-up; "
        "throughput = contacts and conversations built per second ÷ the most the rate limit lets "
        "ingest deliver (bound × 150 records a call); above 1, the build is never the bottleneck."
    )

    def unavailable(self) -> str | None:
        return None

    def run(self, context: Context) -> dict[str, Any]:
        record = _measured_coach(context, "build", "--as-of", context.as_of)
        working = WarehousePaths(context.warehouse).working  # raw tables: not published
        with duckdb.connect(str(working), read_only=True) as con:
            counts = current_counts(con)
        records = counts["contacts"] + counts["conversations"]
        record["records"] = records
        record["records_per_second"] = round(records / record["wall_seconds"], 1)
        record["fraction_of_rate_limit_bound"] = round(
            records
            / record["wall_seconds"]
            / (context.settings.bound_per_second * RECORDS_PER_CALL),
            4,
        )
        return record


class ProductRefresh:
    name = "product_refresh"
    description = (
        "the fake changes a share of the conversations (`POST /_emulator/simulate_day`: open ones "
        "closed, closed ones get a note; new seed each repetition), then `coach run --as-of` "
        "(incremental ingest + dbt build + publish): wall time of the command, calls, 429s, peak "
        "RSS of its process tree."
    )

    def unavailable(self) -> str | None:
        return None

    def run(self, context: Context) -> dict[str, Any]:
        runs = []
        for repetition in range(context.settings.repetitions):
            day = context.fake.control(
                "POST",
                "/simulate_day",
                {"share": context.settings.change_share, "seed": 1000 + repetition},
            )
            run = _measured_coach(context, "run", "--as-of", context.as_of)
            runs.append(run | _latest_run(context.warehouse) | {"changed": day["changed"]})
        return _summarise(runs)


class ProductReport:
    name = "product_report"
    description = (
        "the caseload for each lookback from the published warehouse (`bench/report_query.py`: "
        "open read-only, query the `caseload` mart, fetch every row, close), timed inside the "
        "process after one warm-up; no API calls."
    )

    def unavailable(self) -> str | None:
        return None

    def run(self, context: Context) -> dict[str, Any]:
        lookbacks = {}
        for lookback in context.settings.lookbacks:
            measured = measure(
                python_module(
                    "bench.report_query",
                    *("--warehouse", str(context.warehouse), "--lookback", str(lookback)),
                    *("--repetitions", str(context.settings.repetitions)),
                )
            )
            answer = json.loads(measured.stdout)
            lookbacks[str(lookback)] = {
                "seconds": spread(answer["seconds"], 5),
                "members": answer["members"],
                "buckets": answer["buckets"],
                "peak_rss_mb": answer["peak_rss_mb"],
                "calls": 0,
            }
        return {"lookbacks": lookbacks}


class BaselineReport:
    name = "baseline_report"
    description = (
        "the caseload computed by reading Intercom directly, as the earlier tool did "
        "(`bench/baseline.py`: closed conversations updated in the lookback, 150 a page, one page "
        "after another; `GET /contacts/{id}` 10 at a time; `GET /admins`; caseload in memory): "
        "seconds from first request to finished report, calls and 429s as the fake counted them, "
        "peak RSS of the process."
    )

    def unavailable(self) -> str | None:
        return None

    def run(self, context: Context) -> dict[str, Any]:
        lookbacks = {}
        repetitions = context.settings.baseline_repetitions[context.size]
        for lookback in context.settings.lookbacks:
            runs = []
            for _ in range(repetitions):
                before = context.fake.stats()
                measured = measure(
                    python_module(
                        "bench.baseline",
                        *("--base-url", context.fake.base_url, "--now", str(context.now)),
                        *("--as-of", context.as_of, "--lookback", str(lookback)),
                    )
                )
                answer = json.loads(measured.stdout)
                calls = api_calls(before, context.fake.stats())
                runs.append(
                    {
                        "seconds": answer["seconds"],
                        "wall_seconds": measured.wall_seconds,
                        "peak_rss_mb": answer["peak_rss_mb"],
                        "conversations_read": answer["conversations_read"],
                        "members": answer["members"],
                        "buckets": answer["buckets"],
                        "client_calls": sum(answer["calls"].values()),
                        **calls,
                    }
                )
            lookbacks[str(lookback)] = _summarise(runs)
        return {"lookbacks": lookbacks}


class Writeback:
    name = "writeback"
    description = (
        "`coach writeback --apply --allow-large-plan --allow-other-as-of` after the refreshes "
        "(the benchmark's as-of date is fixed and its first plan is large, so those two guard "
        "rails are overridden): wall time, calls, 429s; throughput = contacts written per second "
        "of the write phase (first intent to last outcome in the audit log) ÷ the rate-limit bound."
    )

    def unavailable(self) -> str | None:
        return None

    def run(self, context: Context) -> dict[str, Any]:
        record = _measured_coach(
            context, "writeback", "--apply", "--allow-large-plan", "--allow-other-as-of"
        )
        with duckdb.connect(str(context.warehouse), read_only=True) as con:
            run_id, applied = con.execute(
                "select run_id, applied from writeback.runs where status != 'refused'"
                " order by started_at desc limit 1"
            ).fetchone()
            write_seconds = con.execute(
                "select epoch(max(outcome_at)) - epoch(min(intent_at)) from writeback.writes"
                " where run_id = ?",
                [run_id],
            ).fetchone()[0]
        record["contacts_written"] = applied
        record["write_phase_seconds"] = round(write_seconds or 0.0, 3)
        per_second = applied / write_seconds if write_seconds else 0.0
        record["writes_per_second"] = round(per_second, 2)
        record["fraction_of_rate_limit_bound"] = round(
            per_second / context.settings.bound_per_second, 3
        )
        return record


def _summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """min/median/max of every number over the repetitions; other values from the last one."""
    summary: dict[str, Any] = {"repetitions": len(runs)}
    for key, value in runs[-1].items():
        numbers = [run[key] for run in runs]
        if isinstance(value, int | float) and not isinstance(value, bool):
            summary[key] = spread(numbers)
        else:
            summary[key] = value
    return summary


SCENARIOS: list[Scenario] = [
    IngestBackfill(),
    BuildFull(),
    ProductRefresh(),
    ProductReport(),
    BaselineReport(),
    Writeback(),
]

# Modules that may add scenarios with `register()` when imported (absent ones are skipped).
PLUGINS: tuple[str, ...] = ()


def register(scenario: Scenario, before: str | None = None) -> None:
    """Add a scenario (replacing one of the same name), at the end or before another."""
    SCENARIOS[:] = [s for s in SCENARIOS if s.name != scenario.name]
    names = [s.name for s in SCENARIOS]
    SCENARIOS.insert(names.index(before) if before in names else len(SCENARIOS), scenario)


def load_plugins() -> None:
    for module in PLUGINS:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as error:
            if error.name != module:  # the plug-in exists but its own import is broken
                raise
