"""`make bench-build`: how long `coach build` takes, full and incremental, at the medium and large
sizes, and how fast every report answers from the warm warehouse. Writes the "build" entry of
bench/results.json.

Until the fake Intercom's generator is on main, the workspace comes from `synthetic_workspace`
below: records built with the same builders as the dbt tests (2.11 shapes), in realistic
proportions, landed with `warehouse.raw_tables.land_records` as ingest lands them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shutil
import statistics
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from tests.dbt.workspace import admins, contact, contact_id, conversation, data_attributes, teams
from warehouse.dbt import build
from warehouse.raw_tables import create_raw_tables, land_records
from warehouse.store import WarehousePaths, connect_working

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"
WORK = BENCH_DIR / "work"
AS_OF = date(2026, 6, 15)
BATCH = 5_000


@dataclass(frozen=True)
class Size:
    contacts: int
    conversations: int


SIZES = {
    "medium": Size(contacts=20_000, conversations=200_000),
    "large": Size(contacts=100_000, conversations=2_000_000),
}

# What each report asks of the marts; the CLI's filters and group-bys look like these.
REPORT_QUERIES = {
    "caseload_by_bucket": "select recency_bucket, count(*) from caseload group by 1",
    "caseload_by_channel_combination_and_bucket": (
        "select channel_combination, recency_bucket, count(*) from caseload group by 1, 2"
    ),
    "caseload_lookback_90_one_coach": (
        "select contact_id, max(session_at), min(days_since), "
        "string_agg(distinct channel, ' + ' order by channel) from coaching_sessions "
        "where days_since <= 90 and coach_id = '900000003' group by contact_id"
    ),
    "sessions_counts_7_28_56": (
        "select recency_bucket, count(distinct conversation_id) from coaching_sessions "
        "where days_since <= 56 group by 1"
    ),
    "sessions_date_range_one_employer": (
        "select count(distinct conversation_id), count(distinct contact_id) from coaching_sessions "
        "where session_date between '2026-03-01' and '2026-03-31' and employer = 'Employer 07'"
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

CHANNELS = (
    ["Phone"] * 45
    + ["Video Conference"] * 20
    + ["Email"] * 20
    + ["Chat"] * 13
    + [
        "SMS",
        None,
    ]
)
SERVICE_CODES = (
    ["Health Coaching 001"] * 60
    + ["Disease Management 002"] * 20
    + [
        "Tech Support 003",
        "Benefits Question 004",
    ]
    * 9
    + [None, "health coaching 001"]
)
ADMIN_IDS = [f"9000000{n:02d}" for n in range(40)]
EPOCH_START = int(datetime(2024, 7, 1, tzinfo=UTC).timestamp())
EPOCH_END = int(datetime(2026, 6, 20, tzinfo=UTC).timestamp())


def _iso(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M")


def synthetic_contacts(size: Size, rng: random.Random, updated: int) -> Iterator[dict]:
    for n in range(size.contacts):
        attributes: dict = {"Employer": f"Employer {rng.randrange(50):02d}"}
        if rng.random() < 0.01:
            attributes["Employer"] = "Test Employer"
        if rng.random() < 0.9:
            enrolled = rng.randrange(EPOCH_START, EPOCH_END - 86_400 * 7) // 86_400 * 86_400
            attributes["Enrolled Date"] = enrolled if rng.random() > 0.01 else "2025-03-04"
        attributes["Referral"] = "Counter Health" if rng.random() < 0.2 else "Web"
        if rng.random() < 0.3:
            attributes["Eligible Programs"] = rng.choice(["Beta", "Smart Access", "Beta; Gamma"])
        attributes["Date of Birth"] = rng.randrange(0, 1_000_000_000) // 86_400 * 86_400
        if rng.random() < 0.5:
            attributes["Engagement Status"] = rng.choice(["Engaged", "At Risk", "Unengaged"])
        yield contact(
            contact_id(n),
            str(100_000 + n),
            f"Member {n} Test",
            attributes,
            role="lead" if rng.random() < 0.05 else "user",
            updated_at=updated,
        )


def synthetic_conversations(
    size: Size, rng: random.Random, first_id: int, count: int
) -> Iterator[dict]:
    for n in range(first_id, first_id + count):
        members = [contact_id(rng.randrange(size.contacts))]
        if rng.random() < 0.03:
            members.append(contact_id(rng.randrange(size.contacts)))
        created = rng.randrange(EPOCH_START, EPOCH_END)
        closed = rng.random() < 0.9
        yield conversation(
            str(10_000_000 + n),
            members,
            state="closed" if closed else "open",
            channel=rng.choice(CHANNELS),
            service_code=rng.choice(SERVICE_CODES),
            created=_iso(created),
            closed=_iso(created + rng.randrange(600, 7_200)) if closed else None,
            assignee=int(rng.choice(ADMIN_IDS)) if rng.random() < 0.95 else None,
            teammates=[rng.choice(ADMIN_IDS)],
        )


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


def synthetic_workspace(paths: WarehousePaths, size: Size, seed: int) -> None:
    rng = random.Random(seed)
    con = connect_working(paths)
    try:
        create_raw_tables(con)
        coaches = [
            {**admins()[0], "id": admin_id, "name": f"Coach {admin_id[-2:]}"}
            for admin_id in ADMIN_IDS
        ]
        land_records(con, "admins", coaches, "bench")
        land_records(con, "teams", teams(), "bench")
        land_records(con, "data_attributes", data_attributes(), "bench")
        _land(con, "contacts", synthetic_contacts(size, rng, EPOCH_END), "bench")
        _land(
            con, "conversations", synthetic_conversations(size, rng, 0, size.conversations), "bench"
        )
    finally:
        con.close()


def increment(paths: WarehousePaths, size: Size, seed: int) -> dict[str, int]:
    """A day of activity: 1% new conversations, 1% of contacts changed."""
    rng = random.Random(seed + 1)
    new_conversations = max(size.conversations // 100, 1)
    con = connect_working(paths)
    try:
        conversations = _land(
            con,
            "conversations",
            synthetic_conversations(size, rng, size.conversations, new_conversations),
            "bench-increment",
        )
        changed = [
            c
            for c in synthetic_contacts(size, random.Random(seed + 2), EPOCH_END + 3_600)
            if rng.random() < 0.01
        ]
        contacts = _land(con, "contacts", iter(changed), "bench-increment")
    finally:
        con.close()
    return {"new_conversations": conversations, "changed_contacts": contacts}


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
        timings = {}
        for name, sql in queries.items():
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


def bench_size(name: str, size: Size, seed: int, keep: bool) -> dict:
    directory = WORK / name
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    paths = WarehousePaths(directory / "warehouse.duckdb")
    started = time.monotonic()
    synthetic_workspace(paths, size, seed)
    land_seconds = time.monotonic() - started

    started = time.monotonic()
    full = build(paths, as_of=AS_OF)
    full_seconds = time.monotonic() - started
    changes = increment(paths, size, seed)
    started = time.monotonic()
    incremental = build(paths, as_of=AS_OF)
    incremental_seconds = time.monotonic() - started
    result = {
        "size": asdict(size),
        "land_seconds": round(land_seconds, 1),
        "full_build_seconds": round(full_seconds, 1),
        "full_build_dbt_seconds": round(full.seconds, 1),
        "increment": changes,
        "incremental_build_seconds": round(incremental_seconds, 1),
        "incremental_build_dbt_seconds": round(incremental.seconds, 1),
        "warehouse_mb": round(paths.published.stat().st_size / 1e6),
        "report_queries": time_queries(paths, REPORT_QUERIES),
        "writeback_plan_query": time_queries(paths, WRITEBACK_PLAN_QUERY),
    }
    if not keep:
        shutil.rmtree(directory, ignore_errors=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="medium,large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the warehouses in bench/work")
    args = parser.parse_args()
    os.umask(0o077)
    sizes = {}
    for name in args.sizes.split(","):
        sizes[name] = bench_size(name, SIZES[name], args.seed, args.keep)
        print(json.dumps({name: sizes[name]}, indent=2), flush=True)
    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["build"] = {
        "command": f"make bench-build (python -m bench.build --sizes {args.sizes})",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "workspace": "bench.build.synthetic_workspace (until the fake's generator is on main)",
        "as_of": AS_OF.isoformat(),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "sizes": sizes,
        "target_ms_per_report_at_large": 200,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
