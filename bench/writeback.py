"""`make bench-writeback`: apply 10,000 changed contacts against the fake Intercom with 150 ms
latency and 1,000 requests per 10-second window; write bench/results/writeback.json.

The fake runs in its own process (`coach emulator serve`) over the `medium` workspace. The
warehouse is first filled and built with the fake at full speed (`coach run --as-of`, the fake's
last day); the medium workspace plans about 9,700 contacts, so a few hundred more members get a
maintained date moved one day off in the fake and the warehouse is brought up to date with a
second `coach run`; then the fake gets its latency and rate limit and `coach writeback --apply
--limit 10000` runs as a subprocess. Writes per second are the applied contacts over the write phase
(first intent to last outcome, from the audit log) and are compared with the rate-limit bound;
PUTs and 429s come from the fake's own counters.
"""

from __future__ import annotations

import argparse
import asyncio
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
import httpx

from bench.common import NOW, REPO, TOKEN, FakeServer, commit, machine
from bench.readme import update_block

WORK = REPO / "bench" / "work" / "writeback"
RESULTS = REPO / "bench" / "results" / "writeback.json"
AS_OF = NOW[:10]
PUT = "PUT /contacts/{contact_id}"


def coach(args: list[str], base_url: str, warehouse: Path) -> float:
    env = {
        **os.environ,
        "INTERCOM_ACCESS_TOKEN": TOKEN,
        "INTERCOM_API_BASE": base_url,
        "COACH_WAREHOUSE": str(warehouse),
    }
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "cli", *args, "--warehouse", str(warehouse)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"coach {' '.join(args)} failed: {(done.stderr or done.stdout)[-2000:]}")
    return time.perf_counter() - started


def apply_timed(
    fake: FakeServer, warehouse: Path, limit: int
) -> tuple[float, list[int], dict[str, Any]]:
    """`coach writeback --apply` as a subprocess, with the fake's request count each second."""
    env = {
        **os.environ,
        "INTERCOM_ACCESS_TOKEN": TOKEN,
        "INTERCOM_API_BASE": fake.base_url,
        "COACH_WAREHOUSE": str(warehouse),
    }
    command = [
        sys.executable,
        "-m",
        "cli",
        "writeback",
        "--apply",
        "--limit",
        str(limit),
        "--allow-large-plan",
        "--allow-other-as-of",
    ]
    timeline: list[int] = []
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    next_tick = started
    while process.poll() is None:
        if time.perf_counter() >= next_tick:
            timeline.append(fake.stats()["requests"])
            next_tick += 1
        time.sleep(0.05)
    wall = time.perf_counter() - started
    out, err = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"coach writeback --apply failed: {(err or out)[-2000:]}")
    return wall, [b - a for a, b in itertools.pairwise(timeline)], {"output": out.strip()}


def count_planned(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select count(distinct contact_id) from contact_attribute_targets where needs_update"
        ).fetchone()[0]


async def perturb(base_url: str, warehouse: Path, wanted: int) -> int:
    """Set Last Call (or Last Coaching Session) one day before its desired value on `wanted`
    members that need no update yet."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        targets = con.execute(
            """select contact_id, min(attribute), min(desired_value)
            from contact_attribute_targets
            where attribute in ('Last Call', 'Last Coaching Session')
              and desired_value is not null
              and contact_id not in (
                  select contact_id from contact_attribute_targets where needs_update)
            group by contact_id order by contact_id limit ?""",
            [wanted],
        ).fetchall()
    gate = asyncio.Semaphore(16)
    async with httpx.AsyncClient(base_url=f"{base_url}/_emulator", timeout=60) as client:

        async def move(contact_id: str, attribute: str, value: str) -> None:
            async with gate:
                answer = await client.put(
                    f"/contacts/{contact_id}/custom_attributes",
                    json={attribute: int(value) - 86_400},
                )
                answer.raise_for_status()

        await asyncio.gather(*(move(*target) for target in targets))
    return len(targets)


README_START, README_END = "<!-- bench-writeback:start -->", "<!-- bench-writeback:end -->"


def render(results: dict[str, Any]) -> str:
    """The README's block of figures, from the results file (never typed by hand)."""
    fake, machine = results["fake"], results["machine"]
    rows = [
        ("contacts written (one PUT each)", f"{results['contacts_applied']:,}"),
        ("attribute changes", f"{results['attribute_changes']:,}"),
        ("PUTs received by the fake", f"{results['puts_received_by_fake']:,}"),
        ("write phase (s)", f"{results['write_phase_seconds']:.1f}"),
        ("writes/s", f"{results['writes_per_second']:.1f}"),
        ("writes/s ÷ rate-limit bound", f"{results['ratio_to_bound']:.2f}"),
        ("429s received", f"{results['responses_429']:,}"),
        (
            "failed / retried requests",
            f"{results['contacts_failed']} / {results['client_retries']}",
        ),
        (
            "command wall time incl. start-up, refresh of the marts and publish (s)",
            f"{results['command_wall_seconds_incl_startup_and_publish']:.1f}",
        ),
    ]
    load = results["load_average_before"][0], results["load_average_after"][0]
    return "\n".join(
        [
            f"{results['workspace']}; fake Intercom in its own process with {fake['latency']} "
            f"latency and {fake['rate_limit_per_10s']:,} requests per 10-second window (bound: "
            f"{results['rate_limit_bound_per_second']:g} writes/s).",
            "",
            "| | |",
            "|---|---:|",
            *(f"| {label} | {value} |" for label, value in rows),
            "",
            f"Measured {results['measured_at']} at commit `{results['commit']}` on "
            f"{machine['cpus']} × {machine['cpu_model']}, Python {machine['python']}; load "
            f"average {load[0]} before, {load[1]} after (other engineers' work shares the two "
            "cores, so figures may be pessimistic). `make bench-writeback`; raw figures, with "
            "requests per second over time, in `bench/results/writeback.json`.",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="medium")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--latency", default="150ms")
    parser.add_argument("--rate-limit", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument(
        "--readme-only", action="store_true", help="only render the README block from --output"
    )
    args = parser.parse_args()
    if args.readme_only:
        block = render(json.loads(args.output.read_text()))
        update_block(REPO / "README.md", README_START, README_END, block)
        return

    load_before = os.getloadavg()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    warehouse = WORK / "bench.duckdb"
    print(f"Starting the fake ({args.workspace}) at full speed...")
    with FakeServer(args.workspace, "0", 0) as fake:
        base_url = fake.base_url
        print(f"coach run --as-of {AS_OF} ...")
        run_seconds = coach(["run", "--as-of", AS_OF], base_url, warehouse)
        planned = count_planned(warehouse)
        perturbed = 0
        if planned < args.contacts:
            # Not enough members differ yet: move a maintained date of some others one day off
            # in the fake (the control surface, no rate limit), then ingest and build again.
            perturbed = asyncio.run(perturb(base_url, warehouse, args.contacts - planned + 50))
            print(f"{planned:,} contacts planned; moved {perturbed:,} more; coach run again...")
            run_seconds += coach(["run", "--as-of", AS_OF], base_url, warehouse)
            planned = count_planned(warehouse)
        if planned < args.contacts:
            raise SystemExit(f"only {planned} contacts need an update; need {args.contacts}")
        fake.control("POST", "/reset")  # data as generated, counters zeroed, knobs as started
        fake.control(
            "PUT",
            "/config",
            {"latency": args.latency, "rate_limit_per_10s": args.rate_limit},
        )
        print(f"coach writeback --apply --limit {args.contacts} ...")
        wall, per_second, extra = apply_timed(fake, warehouse, args.contacts)
        stats = fake.stats()

    with duckdb.connect(str(warehouse), read_only=True) as con:
        run = con.execute(
            """select run_id, applied, failed, skipped, http_calls, retries, rate_limited,
                      epoch(ended_at) - epoch(started_at)
               from writeback.runs where status != 'refused' order by started_at desc limit 1"""
        ).fetchone()
        write_phase = con.execute(
            "select epoch(max(outcome_at)) - epoch(min(intent_at)) from writeback.writes "
            "where run_id = ?",
            [run[0]],
        ).fetchone()[0]
        changes = con.execute(
            "select count(*) from writeback.writes where run_id = ?", [run[0]]
        ).fetchone()[0]
        left = con.execute(
            "select count(distinct contact_id) from contact_attribute_targets where needs_update"
        ).fetchone()[0]
    bound = args.rate_limit / 10
    puts = sum(stats["by_endpoint"].get(PUT, {}).values())
    writes_per_second = run[1] / write_phase
    result = {
        "command": "make bench-writeback (python -m bench.writeback)",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "workspace": f"fake_intercom {args.workspace}, seed 7, now {NOW}, as of {AS_OF}",
        "fake": {"latency": args.latency, "rate_limit_per_10s": args.rate_limit},
        "coach_run_seconds": round(run_seconds, 1),
        "planned_contacts_in_workspace": planned,
        "contacts_moved_off_their_desired_value_before_the_run": perturbed,
        "run_id": run[0],
        "contacts_applied": run[1],
        "contacts_failed": run[2],
        "contacts_skipped": run[3],
        "attribute_changes": changes,
        "puts_received_by_fake": puts,
        "requests_received_by_fake": stats["requests"],
        "responses_429": stats["rate_limited"],
        "client_retries": run[5],
        "write_phase_seconds": round(write_phase, 2),
        "writes_per_second": round(writes_per_second, 2),
        "rate_limit_bound_per_second": bound,
        "ratio_to_bound": round(writes_per_second / bound, 3),
        "audited_run_seconds_before_refresh": round(run[7], 2),
        "command_wall_seconds_incl_startup_and_publish": round(wall, 2),
        "contacts_still_planned_after": left,
        "requests_each_second": per_second,
        "coach_output": extra["output"],
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "requests_each_second"}, indent=1))
    update_block(REPO / "README.md", README_START, README_END, render(result))
    print(f"Wrote {args.output} and the README's figures")


if __name__ == "__main__":
    main()
