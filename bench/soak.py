"""`make bench-soak`: a warehouse kept current at the `large` workspace (issue 16). A backfill
(`coach run`), then seven simulated days of activity on 2% of the conversations, each followed by
`coach run`, then a few hourly-sized changes (2%/24) each followed by `coach run`, then a run
with nothing changed. Writes bench/results/soak.json and the README's summary.

The fake Intercom runs in its own process (`coach emulator serve --workspace large --latency
150ms --rate-limit 1000`), with its history ending now, as an operator trying it would start it.
Each `coach run` is a subprocess: its wall time, the peak resident memory of its process tree
(sampled every 50 ms), the calls the fake answered, and from the warehouse's run log what
ingest read and landed and the most DuckDB held during the ingest (under its 256 MB limit);
phases (ingest, dbt build, publishing) from the timing line `coach run` prints.

The simulated days are minutes apart, not 24 hours: with ingest's default overlap (600 s) each
run would read again every change of the runs before it within the last ten minutes, which
days a day apart never do. So the runs read with an overlap of `OVERLAP_SECONDS` (the fake's
search index has no lag unless configured, and the overlap only covers that lag and clock
skew).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from bench.common import REPO, FakeServer, api_calls, coach, commit, machine, measure
from bench.readme import update_block

WORK = REPO / "bench" / "work" / "soak"
RESULTS = REPO / "bench" / "results" / "soak.json"
README_START, README_END = "<!-- bench-soak:start -->", "<!-- bench-soak:end -->"
OVERLAP_SECONDS = 30
# `coach run`'s timing line (it publishes once since issue 15).
TIMES = re.compile(
    r"Took ([\d.]+)s: ingest ([\d.]+)s, build ([\d.]+)s \(dbt ([\d.]+)s\), publish ([\d.]+)s"
)


def ingest_figures(warehouse: Path) -> dict[str, Any]:
    """What the latest ingest run did, per stream, from the published warehouse's run log."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_id = con.execute(
            "select run_id from ingest.run_log order by started_at desc limit 1"
        ).fetchone()[0]
        rows = con.execute(
            """select stream, mode, records_received, records_new, api_calls, duckdb_peak_mb,
                      outcome
               from ingest.run_log where run_id = ? order by stream""",
            [run_id],
        ).fetchall()
    names = ("mode", "records_read", "records_new", "calls", "duckdb_peak_mb", "outcome")
    streams = {row[0]: dict(zip(names, row[1:], strict=True)) for row in rows}
    return {
        "run_id": run_id,
        "streams": streams,
        "duckdb_peak_mb": max((row[5] or 0) for row in rows),
    }


def coach_run(label: str, warehouse: Path, fake: FakeServer, changed: int | None) -> dict:
    before = fake.stats()
    figures: dict[str, Any] = {"run": label, "conversations_changed": changed}
    try:
        env = fake.env() | {"COACH_INGEST_OVERLAP_SECONDS": str(OVERLAP_SECONDS)}
        done = measure(coach("run", "--warehouse", str(warehouse)), env=env)
    except SystemExit as failure:  # a failed run is a result, not the end of the soak
        figures |= {"succeeded": False, "error": str(failure)[-600:]}
        print(json.dumps(figures), flush=True)
        return figures
    figures |= {
        "succeeded": True,
        "wall_seconds": done.wall_seconds,
        "peak_rss_mb": done.peak_rss_mb,
        "cpu_seconds": done.cpu_seconds,
    }
    times = TIMES.search(done.stdout)
    if times:
        keys = ("total", "ingest", "build", "dbt", "publish")
        figures["phase_seconds"] = dict(zip(keys, map(float, times.groups()), strict=True))
    figures["api"] = api_calls(before, fake.stats())
    figures["ingest"] = ingest_figures(warehouse)
    figures["published_mb"] = round(warehouse.stat().st_size / 2**20)
    print(json.dumps(figures), flush=True)
    return figures


def soak(days: int, day_share: float, hours: int, workspace: str) -> dict[str, Any]:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    warehouse = WORK / "soak.duckdb"
    now = datetime.now(UTC).replace(microsecond=0).isoformat()
    runs = []
    with FakeServer(workspace, "150ms", 1000, now=now) as fake:
        counts = fake.control("GET", "/workspace")
        runs.append(coach_run("backfill", warehouse, fake, None))
        steps = [(f"day {n + 1}", day_share, n + 1) for n in range(days)]
        steps += [(f"hour {n + 1}", day_share / 24, 100 + n) for n in range(hours)]
        for label, share, seed in steps:
            answer = fake.control("POST", "/simulate_day", {"share": share, "seed": seed})
            runs.append(coach_run(label, warehouse, fake, answer["changed"]))
        runs.append(coach_run("nothing changed", warehouse, fake, 0))
    return {
        "settings": {
            "workspace": workspace,
            "workspace_counts": counts.get("counts", counts),
            "fake_now": now,
            "latency": "150ms",
            "rate_limit_per_10s": 1000,
            "day_share": day_share,
            "hour_share": day_share / 24,
            "ingest_memory_limit": os.environ.get("COACH_INGEST_MEMORY_LIMIT", "256MB"),
            "ingest_overlap_seconds": OVERLAP_SECONDS,
        },
        "runs": runs,
        "all_succeeded": all(run["succeeded"] for run in runs),
    }


def render(results: dict[str, Any]) -> str:
    settings, machine_info = results["settings"], results["machine"]
    counts = settings["workspace_counts"]
    lines = [
        f"Workspace `{settings['workspace']}` ({counts['contacts']:,} contacts, "
        f"{counts['conversations']:,} conversations), fake Intercom in its own process "
        f"({settings['latency']} latency, {settings['rate_limit_per_10s']:,} requests per "
        f"10 s), history ending at the start. A day changes {settings['day_share']:.0%} of the "
        f"conversations, an hour {settings['hour_share']:.2%}; `coach run` after each, a minute "
        f"or two apart (so with an overlap of {settings['ingest_overlap_seconds']} s instead of "
        "600 s: see `bench/soak.py`). "
        f"Ingest's DuckDB limit: {settings['ingest_memory_limit']}. "
        f"Every run succeeded: **{'yes' if results['all_succeeded'] else 'NO'}**.",
        "",
        "| run | changed | outcome | seconds | ingest | dbt build | publishing | calls "
        "| conversations read / landed | contact calls | peak RSS (MB) "
        "| DuckDB peak in ingest (MB) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in results["runs"]:
        changed = (
            "" if run["conversations_changed"] is None else f"{run['conversations_changed']:,}"
        )
        if not run["succeeded"]:
            lines.append(f"| {run['run']} | {changed} | failed | | | | | | | | | |")
            continue
        phases = run.get("phase_seconds", {})
        publishing = phases.get(
            "publish", phases.get("ingest_publish", 0) + phases.get("build_publish_and_setup", 0)
        )
        streams = run["ingest"]["streams"]
        read = streams.get("conversations", {}).get("records_read", 0)
        landed = streams.get("conversations", {}).get("records_new", 0)
        lines.append(
            f"| {run['run']} | {changed} | succeeded | {run['wall_seconds']:.1f} "
            f"| {phases.get('ingest', 0):.1f} | {phases.get('dbt', 0):.1f} | {publishing:.1f} "
            f"| {run['api']['calls']:,} | {read:,} / {landed:,} "
            f"| {streams.get('contacts', {}).get('calls', 0):,} | {run['peak_rss_mb']:,.0f} "
            f"| {run['ingest']['duckdb_peak_mb']:.0f} |"
        )
    lines += [
        "",
        "A run reads the changes since the previous run started, less the overlap; here the "
        "previous simulated day or hour was made in the seconds before that run, so most runs "
        "read it again (conversations read are about twice those changed; landing adds none "
        "of them twice). A day apart, a run reads its own day only. "
        "Seconds: the whole `coach run` (start-up included); publishing: before issue 15, "
        "copying the working file to the published one after ingest and after the build (with "
        "the build's set-up); since, the one publish of the run. Calls: what the fake "
        "answered. Peak RSS: of the `coach run` process, "
        "whose largest part is the dbt build's DuckDB (`COACH_DUCKDB_MEMORY_LIMIT`, 2GB). "
        "DuckDB peak in ingest: sampled every 50 ms (`ingest.run_log.duckdb_peak_mb`).",
        "",
        f"Measured {results['measured_at']} at commit `{results['commit']}` on "
        f"{machine_info['cpus']} × {machine_info['cpu_model']}, {machine_info['memory_gb']} GB; "
        f"load average {results['load_average_1m_before']} before, "
        f"{results['load_average_1m_after']} after. `make bench-soak`; every figure per run, "
        "with calls per endpoint and per stream, in `bench/results/soak.json`.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="large")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--day-share", type=float, default=0.02)
    parser.add_argument("--hours", type=int, default=3)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--readme-only", action="store_true")
    args = parser.parse_args()
    if not args.readme_only:
        load_before = os.getloadavg()[0]
        results = soak(args.days, args.day_share, args.hours, args.workspace)
        results |= {
            "load_average_1m_before": round(load_before, 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
            "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "commit": commit(),
            "machine": machine(),
        }
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(json.dumps(results, indent=2) + "\n")
        print(f"Wrote {args.output}")
    block = render(json.loads(args.output.read_text()))
    update_block(REPO / "README.md", README_START, README_END, block, section="")


if __name__ == "__main__":
    main()
