"""`make bench-ingest`: backfill a medium workspace, then an incremental run after ~2% of the
conversations changed, and write what was measured to bench/results/ingest.json.

The fake Intercom runs in its own process (`coach emulator serve`, so client and server do not
share a GIL) with 150 ms latency and a limit of 1,000 requests per 10-second window; `coach
ingest` runs as a subprocess whose resident memory is sampled with psutil. Calls and 429s come
from the fake's own counters; records from ingest's run log.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import psutil

from bench.common import REPO, TOKEN, FakeServer, commit, machine

WORK = REPO / "bench" / "work"
RESULTS = REPO / "bench" / "results" / "ingest.json"


def run_ingest(warehouse: Path, fake: FakeServer, env_extra: dict[str, str]) -> dict[str, Any]:
    """`coach ingest` in a subprocess: wall time, peak RSS of it and any processes it starts,
    sampled every 50 ms, and the CPU time they and the fake used (100% = one core busy the
    whole time)."""
    env = {
        **os.environ,
        "INTERCOM_ACCESS_TOKEN": TOKEN,
        "INTERCOM_API_BASE": fake.base_url,
        **env_extra,
    }
    assert fake.process is not None
    server = psutil.Process(fake.process.pid)
    fake_cpu = sum(server.cpu_times()[:2])
    started = time.perf_counter()
    process = psutil.Popen(
        [sys.executable, "-m", "cli", "ingest", "--warehouse", str(warehouse)],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    cpu: dict[int, float] = {}  # last CPU seconds seen per process of the tree
    timeline: list[int] = []  # requests the fake had answered, each second
    next_tick = started
    while process.poll() is None:
        try:
            tree = [process, *process.children(recursive=True)]
            rss = 0
            for member in tree:
                rss += member.memory_info().rss
                cpu[member.pid] = sum(member.cpu_times()[:2])
            peak = max(peak, rss)
        except psutil.NoSuchProcess:
            pass
        if time.perf_counter() >= next_tick:
            timeline.append(fake.stats()["requests"])
            next_tick += 1
        time.sleep(0.05)
    wall = time.perf_counter() - started
    fake_cpu = sum(server.cpu_times()[:2]) - fake_cpu
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0:
        raise SystemExit(f"coach ingest failed ({process.returncode}): {stderr[-2000:]}")
    return {
        "wall_seconds": round(wall, 2),
        "peak_rss_mb": round(peak / 2**20, 1),
        "ingest_cpu_percent": round(100 * sum(cpu.values()) / wall),
        "fake_cpu_percent": round(100 * fake_cpu / wall),
        "calls_each_second": [b - a for a, b in itertools.pairwise(timeline)],
    }


def run_figures(warehouse: Path, limit: int, fake_before: dict, fake_after: dict) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_id = con.execute(
            "select run_id from ingest.run_log order by started_at desc limit 1"
        ).fetchone()[0]
        rows = con.execute(
            """select stream, mode, records_received, records_new, api_calls, retries,
                      rate_limited, epoch(ended_at) - epoch(started_at)
               from ingest.run_log where run_id = ? order by stream""",
            [run_id],
        ).fetchall()
        began, ended = con.execute(
            "select epoch(min(started_at)), epoch(max(ended_at)) from ingest.run_log "
            "where run_id = ?",
            [run_id],
        ).fetchone()
    span = ended - began

    calls = fake_after["requests"] - fake_before["requests"]
    limited = fake_after["rate_limited"] - fake_before["rate_limited"]
    records = sum(row[2] for row in rows)
    bound = limit / 10
    names = ("mode", "records_received", "records_new", "calls", "retries", "rate_limited")
    streams = {
        row[0]: dict(zip(names, row[1:7], strict=True)) | {"seconds": round(row[7], 2)}
        for row in rows
    }
    return {
        "run_id": run_id,
        "streams": streams,
        "records": records,
        "calls": calls,
        "responses_429": limited,
        "run_seconds": round(span, 2),
        "records_per_second": round(records / span, 1),
        "calls_per_second": round(calls / span, 2),
        "rate_limit_bound_per_second": bound,
        "ratio_to_bound": round(calls / span / bound, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="medium")
    parser.add_argument("--latency", default="150ms")
    parser.add_argument("--rate-limit", type=int, default=1000)
    parser.add_argument("--change-share", type=float, default=0.02)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()

    load_before = os.getloadavg()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    warehouse = WORK / "bench.duckdb"
    knobs = {k: v for k, v in os.environ.items() if k.startswith(("COACH_INGEST_", "COACH_HTTP_"))}
    print(f"Starting the fake ({args.workspace}, {args.latency}, {args.rate_limit}/10 s)...")
    with FakeServer(args.workspace, args.latency, args.rate_limit) as fake:
        counts = fake.control("GET", "/workspace")
        before = fake.stats()
        print("Backfill...")
        backfill = run_ingest(warehouse, fake, knobs)
        after = fake.stats()
        backfill |= run_figures(warehouse, args.rate_limit, before, after)
        print(json.dumps({k: v for k, v in backfill.items() if k != "streams"}, indent=1))

        day = {"share": args.change_share, "seed": 1}
        changed = fake.control("POST", "/simulate_day", day)["changed"]
        print(f"Changed {changed:,} conversations; incremental run...")
        before = fake.stats()
        incremental = run_ingest(warehouse, fake, knobs)
        after = fake.stats()
        incremental |= run_figures(warehouse, args.rate_limit, before, after)
        incremental["conversations_changed"] = changed
        print(json.dumps({k: v for k, v in incremental.items() if k != "streams"}, indent=1))
    results = {
        "benchmark": "ingest",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine()
        | {
            # Other work on the machine shows here; the runs share its cores with it.
            "load_average_1m_before": round(load_before[0], 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        },
        "settings": {
            "workspace": args.workspace,
            "workspace_counts": counts,
            "latency": args.latency,
            "rate_limit_per_10s": args.rate_limit,
            "fake": "coach emulator serve, separate process, loopback",
            "ingest_environment": knobs,
        },
        "backfill": backfill,
        "incremental": incremental,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {args.output}")


if __name__ == "__main__":
    main()
