"""`make bench-build`: how long `coach build` takes, full and incremental, at the medium and large
sizes, and how fast every report answers from the warm warehouse. Writes
bench/results/build.json.

The workspace is the fake Intercom's generated `medium` / `large` one, landed as a perfect ingest
would land it (`iter_ground_truth` through `land_records`). The incremental rebuild follows a
day of activity made through the fake's backend: 1% new closed calls, 1% of contacts changed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import shutil
import statistics
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import psutil

from bench.common import commit, machine
from fake_intercom import EmulatorConfig, FakeIntercom
from warehouse.dbt import build
from warehouse.raw_tables import STREAMS, create_raw_tables, land_records
from warehouse.store import WarehousePaths, connect_working

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "build.json"
WORK = BENCH_DIR / "work"
NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
BATCH = 5_000


SIZES = ("medium", "large")

# What each report asks of the marts; the CLI's filters and group-bys look like these.
REPORT_QUERIES = {
    "caseload_by_bucket": "select recency_bucket, count(*) from caseload group by 1",
    "caseload_by_channel_combination_and_bucket": (
        "select channel_combination, recency_bucket, count(*) from caseload group by 1, 2"
    ),
    "caseload_lookback_90_one_coach": (
        "select contact_id, max(session_at), min(days_since), "
        "string_agg(distinct channel, ' + ' order by channel) from coaching_sessions "
        "where days_since <= 90 and coach_id = '{coach}' group by contact_id"
    ),
    "sessions_counts_7_28_56": (
        "select recency_bucket, count(distinct conversation_id) from coaching_sessions "
        "where days_since <= 56 group by 1"
    ),
    "sessions_date_range_one_employer": (
        "select count(distinct conversation_id), count(distinct contact_id) from coaching_sessions "
        "where session_date between '2026-03-01' and '2026-03-31' and employer = '{employer}'"
    ),
    "enrolled_participants_by_bucket": (
        "select no_session_bucket, count(*) from enrolled_participants group by 1"
    ),
    "billing_cohort_one_month": "select * from billing_cohort where month = '2026-03'",
    "engagement_export_all": "select * from engagement_export",
    "data_quality_by_kind": "select issue_kind, count(*) from data_quality_issues group by 1",
}

# Not a report: write-back's plan, every update due (nearly all rows on a first build).
WRITEBACK_PLAN_QUERY = {
    "attribute_updates_due": "select * from contact_attribute_targets where needs_update",
}


def _land(con, stream: str, records: Iterator[dict], run_id: str) -> int:
    batch: list[dict] = []
    landed = 0
    for record in records:
        batch.append(record)
        if len(batch) == BATCH:
            landed += land_records(con, stream, batch, run_id).new
            batch = []
    if batch:
        landed += land_records(con, stream, batch, run_id).new
    return landed


@contextlib.contextmanager
def peak_rss() -> Iterator[dict[str, int]]:
    """The process's peak resident memory (MB) while the block runs, sampled every 100 ms."""
    process = psutil.Process()
    peak = {"mb": 0}
    done = threading.Event()

    def sample() -> None:
        while True:
            peak["mb"] = max(peak["mb"], process.memory_info().rss // 1_000_000)
            if done.wait(0.1):
                return

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        done.set()
        sampler.join()


def land_workspace(paths: WarehousePaths, fake: FakeIntercom) -> dict[str, int]:
    con = connect_working(paths)
    try:
        create_raw_tables(con)
        return {
            stream: _land(con, stream, fake.backend.iter_ground_truth(stream), "bench")
            for stream in STREAMS
        }
    finally:
        con.close()


def a_day_of_activity(
    paths: WarehousePaths, fake: FakeIntercom, conversation_count: int, seed: int
) -> dict[str, int]:
    """1% new closed qualifying calls and 1% changed contacts, landed as ingest would land them."""
    rng = random.Random(seed)
    contact_ids = [c["id"] for c in fake.backend.iter_ground_truth("contacts")]
    admin_ids = [int(a["id"]) for a in fake.backend.iter_ground_truth("admins")]
    day_end = int(NOW.timestamp())
    conversations = []
    for _ in range(max(conversation_count // 100, 1)):
        start = day_end - rng.randrange(3_600, 86_400)
        conversations.append(
            fake.backend.create_conversation(
                contact_ids=[rng.choice(contact_ids)],
                admin_assignee_id=rng.choice(admin_ids),
                state="closed",
                custom_attributes={"Channel": "Phone", "Service Code": "Health Coaching 001"},
                created_at=start,
                closed_at=start + 1_800,
            )
        )
    contacts = [
        fake.backend.update_contact(contact_id, custom_attributes={"Registration Code": "B-1"})
        for contact_id in rng.sample(contact_ids, max(len(contact_ids) // 100, 1))
    ]
    con = connect_working(paths)
    try:
        return {
            "new_conversations": _land(con, "conversations", iter(conversations), "bench-day"),
            "changed_contacts": _land(con, "contacts", iter(contacts), "bench-day"),
        }
    finally:
        con.close()


def _median_ms(run, repeats: int) -> tuple[float, float]:
    run()  # warm
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1), round(max(samples), 1)


def time_queries(
    paths: WarehousePaths, queries: dict[str, str], repeats: int = 5
) -> dict[str, dict[str, float]]:
    """Per report: `query_ms`, DuckDB computing the whole answer and writing it as CSV (what an
    export does, and the time the target applies to), and `fetch_ms`, the same answer turned
    into Python rows (what a terminal table costs on top)."""
    con = duckdb.connect(str(paths.published), read_only=True)
    try:
        busiest = {  # the busiest coach and employer, as a report's filter would name them
            key: str(
                con.execute(
                    f"select {key} from coaching_sessions group by 1 order by count(*) desc limit 1"
                ).fetchone()[0]
            ).replace("'", "''")
            for key in ("coach_id", "employer")
        }
        timings = {}
        for name, template in queries.items():
            sql = template.format(coach=busiest["coach_id"], employer=busiest["employer"])
            query_ms, query_max = _median_ms(
                lambda sql=sql: con.execute(f"copy ({sql}) to '/dev/null' (format csv)"), repeats
            )
            fetch_ms, _ = _median_ms(lambda sql=sql: con.execute(sql).fetchall(), repeats)
            timings[name] = {
                "query_ms": query_ms,
                "query_max_ms": query_max,
                "fetch_ms": fetch_ms,
                "rows": len(con.execute(sql).fetchall()),
            }
        return timings
    finally:
        con.close()


def bench_size(size: str, seed: int, cache: Path, keep: bool) -> dict:
    directory = WORK / size
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    paths = WarehousePaths(directory / "warehouse.duckdb")
    started = time.monotonic()
    with FakeIntercom.create(size, seed, NOW, EmulatorConfig(token="bench"), cache=cache) as fake:
        generate_seconds = time.monotonic() - started
        as_of = date.fromisoformat(next(fake.backend.iter_ground_truth("manifest"))["as_of"])
        started = time.monotonic()
        landed = land_workspace(paths, fake)
        land_seconds = time.monotonic() - started

        started = time.monotonic()
        with peak_rss() as full_rss:
            full = build(paths, as_of=as_of)
        full_seconds = time.monotonic() - started
        changes = a_day_of_activity(paths, fake, landed["conversations"], seed)
    started = time.monotonic()
    with peak_rss() as incremental_rss:
        incremental = build(paths, as_of=as_of)
    incremental_seconds = time.monotonic() - started
    result = {
        "landed": landed,
        "as_of": as_of.isoformat(),
        "fake_workspace_seconds": round(generate_seconds, 1),
        "land_seconds": round(land_seconds, 1),
        "full_build_seconds": round(full_seconds, 1),
        "full_build_dbt_seconds": round(full.seconds, 1),
        "full_build_peak_rss_mb": full_rss["mb"],
        "increment": changes,
        "incremental_build_seconds": round(incremental_seconds, 1),
        "incremental_build_dbt_seconds": round(incremental.seconds, 1),
        "incremental_build_peak_rss_mb": incremental_rss["mb"],
        "warehouse_mb": round(paths.published.stat().st_size / 1e6),
        "report_queries": time_queries(paths, REPORT_QUERIES),
        "writeback_plan_query": time_queries(paths, WRITEBACK_PLAN_QUERY),
    }
    if not keep:
        shutil.rmtree(directory, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the warehouses in bench/work")
    parser.add_argument(
        "--cache-dir", type=Path, default=WORK / "fake-cache", help="generated workspaces"
    )
    args = parser.parse_args()
    os.umask(0o077)
    sizes = {}
    for name in args.sizes.split(","):
        if name not in SIZES:
            parser.error(f"--sizes: {name!r} is not one of {', '.join(SIZES)}")
        sizes[name] = bench_size(name, args.seed, args.cache_dir, args.keep)
        print(json.dumps({name: sizes[name]}, indent=2), flush=True)
    results = {
        "command": f"make bench-build (python -m bench.build --sizes {args.sizes})",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
        "workspace": f"fake_intercom generator, seed {args.seed}, now {NOW.isoformat()}",
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "sizes": sizes,
        "target_ms_per_report_at_large": 200,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
