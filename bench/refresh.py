"""`make bench-refresh`: what one `coach run` costs after a small change (issue 15), at the small,
medium and large workspaces. Per size: a backfill (`coach run` on an empty warehouse), then three
scenarios, each a `coach run`:

* `unchanged`: nothing changed in Intercom since the previous run;
* `hour`: after an hour's changes (`POST /_emulator/simulate_day` with share DAY_SHARE / 24);
* `day`: after a day's changes (share DAY_SHARE, 1% of the conversations).

Each run is a subprocess (wall time, peak resident memory of its process tree, CPU; calls the fake
answered). The phases come from the run itself: ingest and publish from the timing line
`coach run` prints, dbt's parse, models and tests from the artifacts dbt wrote for the warehouse
(`<stem>.dbt/duckdb/target/`: `run_results.json` for every node's start and end, `perf_info.json`
and `dbt.log` for whether dbt parsed the project again), the bytes the publish wrote from the
published file and its temporary copies. Writes bench/results/refresh.json and the README's table
(`bench/refresh_readme.py`).

The fake Intercom runs in its own process with the soak's settings (150 ms latency, 1,000
requests per 10 s) and ingest reads with the soak's overlap (`bench/soak.py`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from bench.common import REPO, FakeServer, api_calls, coach, commit, machine, measure
from bench.refresh_readme import write_readme
from bench.soak import OVERLAP_SECONDS
from warehouse.as_of import program_timezone

WORK = REPO / "bench" / "work" / "refresh"
RESULTS = REPO / "bench" / "results" / "refresh.json"
DAY_SHARE = 0.01
SCENARIOS = {"unchanged": 0.0, "hour": DAY_SHARE / 24, "day": DAY_SHARE}
# A generous bound on one size's runs (backfill and scenarios), in minutes.
SIZE_MINUTES = {"small": 5, "medium": 8, "large": 15}
TOOK = re.compile(r"Took ([\d.]+)s: ingest ([\d.]+)s")
FULL_PARSE = re.compile(r"Unable to do partial parsing|Partial parse save file not found")


def _parse(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).replace(tzinfo=UTC).timestamp()


def _union(intervals: list[tuple[float, float]]) -> float:
    """Seconds covered by at least one interval (nodes run on two threads)."""
    total, end = 0.0, float("-inf")
    for start, stop in sorted(intervals):
        if stop > end:
            total += stop - max(start, end)
            end = stop
    return total


def dbt_phases(target: Path, dbt_seconds: float) -> dict[str, Any]:
    """dbt's parse, models and tests seconds from the artifacts of its latest invocation: models
    (seeds and table functions too) and tests are the wall time some node of that kind ran
    (tests not overlapping a model), parse is the invocation's time before its first node."""
    results = json.loads((target / "run_results.json").read_text())
    spans: dict[str, list[tuple[float, float]]] = {"model": [], "test": []}
    nodes = []
    for result in results["results"]:
        times = [t for t in result.get("timing", []) if t.get("started_at")]
        if not times:
            continue
        span = (_parse(times[0]["started_at"]), _parse(times[-1]["completed_at"]))
        kind = "test" if result["unique_id"].split(".")[0] in ("test", "unit_test") else "model"
        spans[kind].append(span)
        nodes.append((result["unique_id"], round(result["execution_time"], 3), result["status"]))
    everything = spans["model"] + spans["test"]
    run_wall = max(s[1] for s in everything) - min(s[0] for s in everything) if everything else 0
    models = _union(spans["model"])
    tests = _union(everything) - models
    log = (target.parent / "logs" / "dbt.log").read_text(errors="replace")
    last = log[log.rfind("Running with dbt=") :]
    nodes.sort(key=lambda node: -node[1])
    return {
        "dbt_seconds": round(dbt_seconds, 3),
        "parse_seconds": round(max(dbt_seconds - run_wall, 0.0), 3),
        "models_seconds": round(models, 3),
        "tests_seconds": round(tests, 3),
        "full_parse": bool(FULL_PARSE.search(last)),
        "nodes_run": len(nodes),
        "slowest_nodes": [{"node": n, "seconds": s, "status": st} for n, s, st in nodes[:12]],
    }


def _publish_seconds(stdout: str) -> float | None:
    """The publish's seconds from `coach run`'s timing line. Before issue 15 it published twice
    (after ingest, and after the build, with the build's set-up): both are counted."""
    once = re.search(r"\), publish ([\d.]+)s \(", stdout)
    if once:
        return float(once.group(1))
    twice = re.search(r"\(publish ([\d.]+)s\).*publish and set-up ([\d.]+)s", stdout)
    return float(twice.group(1)) + float(twice.group(2)) if twice else None


def wait_past_midnight(minutes: float) -> float:
    """Sleep past the program's next midnight if it comes within `minutes`, and return the
    seconds slept. A size's runs must share one as-of date: the first build of a new date
    rebuilds every dated model, which is the day's first run, not the scenario measured."""
    zone = ZoneInfo(program_timezone())
    now = datetime.now(zone)
    midnight = datetime.combine(now.date() + timedelta(days=1), clock.min, tzinfo=zone)
    left = (midnight - now).total_seconds()
    if left > minutes * 60:
        return 0.0
    print(f"waiting {left + 60:.0f}s for the as-of date to move before the runs", flush=True)
    time.sleep(left + 60)
    return left + 60


def _as_of_date(warehouse: Path) -> str | None:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = con.execute("select as_of_date from main.build_info").fetchone()
    finally:
        con.close()
    return str(row[0]) if row else None


def _published_bytes(warehouse: Path) -> int:
    return warehouse.stat().st_size if warehouse.exists() else 0


def coach_run(label: str, warehouse: Path, fake: FakeServer, changed: int | None) -> dict:
    before = fake.stats()
    env = fake.env() | {"COACH_INGEST_OVERLAP_SECONDS": str(OVERLAP_SECONDS)}
    done = measure(coach("run", "--warehouse", str(warehouse)), env=env)
    figures: dict[str, Any] = {
        "scenario": label,
        "conversations_changed": changed,
        "end_to_end_seconds": done.wall_seconds,
        "peak_rss_mb": done.peak_rss_mb,
        "cpu_seconds": done.cpu_seconds,
    }
    took = TOOK.search(done.stdout)
    dbt_line = re.search(r"dbt build: .* in ([\d.]+)s", done.stdout)
    publish_line = re.search(r"publish [\d.]+s \(([\d,]+) bytes written\)", done.stdout)
    target = warehouse.with_name(f"{warehouse.stem}.dbt") / "duckdb" / "target"
    skipped = "dbt build: skipped" in done.stdout
    if skipped:  # nothing new to read: dbt did not start (its artifacts are the last build's)
        dbt = {"skipped": True, "full_parse": False, "nodes_run": 0, "dbt_seconds": 0.0}
        dbt |= {"parse_seconds": 0.0, "models_seconds": 0.0, "tests_seconds": 0.0}
    else:
        dbt = dbt_phases(target, float(dbt_line.group(1)) if dbt_line else 0.0)
    figures["phase_seconds"] = {
        "ingest": float(took.group(2)) if took else None,
        "dbt_parse": dbt["parse_seconds"],
        "models": dbt["models_seconds"],
        "tests": dbt["tests_seconds"],
        "publish": _publish_seconds(done.stdout),
    }
    figures["dbt"] = dbt
    figures["api"] = api_calls(before, fake.stats())
    figures["published_bytes"] = _published_bytes(warehouse)
    figures["as_of_date"] = _as_of_date(warehouse)
    # What the publish wrote: the run says so; an older `coach run` copied the whole file.
    figures["publish_bytes_written"] = (
        int(publish_line.group(1).replace(",", "")) if publish_line else None
    )
    working = warehouse.with_name(f"{warehouse.stem}.pipeline.duckdb")
    figures["working_bytes"] = _published_bytes(working)
    line = re.search(r"Took .*", done.stdout)
    figures["timing_line"] = line.group(0) if line else None
    print(json.dumps({k: v for k, v in figures.items() if k != "dbt"}), flush=True)
    return figures


def bench_size(size: str) -> dict[str, Any]:
    work = WORK / size
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    warehouse = work / "refresh.duckdb"
    waited = wait_past_midnight(SIZE_MINUTES.get(size, 15))
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    with FakeServer(size, "150ms", 1000, now=now) as fake:
        counts = fake.control("GET", "/workspace")
        backfill = coach_run("backfill", warehouse, fake, None)
        scenarios = {}
        for seed, (label, share) in enumerate(SCENARIOS.items(), start=1):
            changed = 0
            if share:
                changed = fake.control("POST", "/simulate_day", {"share": share, "seed": seed})
                changed = changed["changed"]
            scenarios[label] = coach_run(label, warehouse, fake, changed)
    dates = {run["as_of_date"] for run in [backfill, *scenarios.values()]}
    if len(dates) != 1:
        raise SystemExit(f"{size}: the as-of date moved during the runs ({sorted(dates)}); again")
    return {
        "waited_for_midnight_seconds": round(waited),
        "workspace_counts": counts.get("counts", counts),
        "fake_now": now,
        "backfill": backfill,
        "scenarios": scenarios,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "small,medium,large"))
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--readme-only", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("COACH_FAKE_CACHE", "/work/cache/fake")
    if not args.readme_only:
        results = json.loads(args.output.read_text()) if args.output.exists() else {}
        results.setdefault("sizes", {})
        for size in args.sizes.split(","):
            load_before = os.getloadavg()[0]
            figures = bench_size(size)
            figures |= {
                "load_average_1m_before": round(load_before, 2),
                "load_average_1m_after": round(os.getloadavg()[0], 2),
                "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
                "commit": commit(),
                "machine": machine(),
            }
            results["sizes"][size] = figures
            results["settings"] = {
                "latency": "150ms",
                "rate_limit_per_10s": 1000,
                "day_share": DAY_SHARE,
                "hour_share": DAY_SHARE / 24,
                "ingest_overlap_seconds": OVERLAP_SECONDS,
                "duckdb_memory_limit": os.environ.get("COACH_DUCKDB_MEMORY_LIMIT", "2GB"),
            }
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(json.dumps(results, indent=2) + "\n")
            print(f"Wrote {args.output} ({size})", flush=True)
    write_readme(json.loads(args.output.read_text()))


if __name__ == "__main__":
    main()
