"""Benchmark of the fake Intercom itself (not of our product): how fast it serves.

Measures, and writes as JSON (default bench/work/emulator_speed.json):
* time from `coach emulator serve --workspace demo` starting to its first answered request;
* requests/s of 150-record conversation-search pages with N concurrent clients paging their
  own updated_at slices, against `coach emulator serve` in its own process, no latency and no
  rate limit, and the server's CPU time per request (on 2 cores the single client process is
  usually the bottleneck, so CPU per request is what says how much load the server can carry);
* optionally the generation time and peak RSS of a workspace size (`--generate medium`).

    .venv/bin/python bench/emulator_speed.py --workspace medium --clients 16 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import psutil

from fake_intercom.config import DEFAULT_TOKEN
from fake_intercom.server import spawn

ROOT = Path(__file__).resolve().parents[1]
HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Intercom-Version": "2.11"}


def start_server(workspace: str, extra: list[str]) -> tuple[subprocess.Popen, str, float]:
    started = time.monotonic()
    proc, url, _ = spawn(
        ["--workspace", workspace, "--now", "2026-06-15", "--rate-limit", "0", *extra], cwd=ROOT
    )
    return proc, url, started


def time_to_first_response() -> float:
    proc, url, started = start_server("demo", [])
    try:
        httpx.get(url + "/me", headers=HEADERS).raise_for_status()
        return time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait()


async def page_slices(url: str, slices: range, total: int, seconds: float) -> dict:
    """Page conversation search over `slices` (of `total` equal updated_at slices), each by its
    own concurrent task, for `seconds`; counts what came back."""
    async with httpx.AsyncClient(
        base_url=url, headers=HEADERS, timeout=60, limits=httpx.Limits(max_connections=total)
    ) as client:
        first = await client.post(
            "/conversations/search",
            json={
                "query": {"field": "updated_at", "operator": ">", "value": 0},
                "sort": {"field": "updated_at", "order": "ascending"},
                "pagination": {"per_page": 1},
            },
        )
        low = first.json()["conversations"][0]["updated_at"]
        high = int(datetime(2026, 6, 15, tzinfo=UTC).timestamp())
        step = (high - low) // total + 1
        deadline = time.monotonic() + seconds
        counts = {"requests": 0, "records": 0, "bytes": 0}

        async def worker(i: int) -> None:
            query = {
                "operator": "AND",
                "value": [
                    {"field": "updated_at", "operator": ">", "value": low - 1 + i * step},
                    {"field": "updated_at", "operator": "<", "value": low + (i + 1) * step},
                ],
            }
            pagination: dict = {"per_page": 150}
            while time.monotonic() < deadline:
                response = await client.post(
                    "/conversations/search",
                    json={
                        "query": query,
                        "pagination": pagination,
                        "sort": {"field": "updated_at", "order": "ascending"},
                    },
                )
                response.raise_for_status()
                body = orjson.loads(response.content)
                counts["requests"] += 1
                counts["records"] += len(body["conversations"])
                counts["bytes"] += len(response.content)
                nxt = body["pages"].get("next")
                pagination = {"per_page": 150}
                if nxt:
                    pagination["starting_after"] = nxt["starting_after"]

        started = time.monotonic()
        await asyncio.gather(*(worker(i) for i in slices))
        return counts | {"seconds": time.monotonic() - started}


def _client_process(url: str, slices: range, total: int, seconds: float) -> dict:
    return asyncio.run(page_slices(url, slices, total, seconds))


def paging(url: str, server_pid: int, clients: int, processes: int, seconds: float) -> dict:
    """`clients` concurrent pagers spread over `processes` client processes."""
    server = psutil.Process(server_pid)
    before = server.cpu_times()
    share = -(-clients // processes)
    jobs = [range(p * share, min(clients, (p + 1) * share)) for p in range(processes)]
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        results = pool.starmap(_client_process, [(url, job, clients, seconds) for job in jobs])
    after = server.cpu_times()
    elapsed = max(r["seconds"] for r in results)
    requests = sum(r["requests"] for r in results)
    cpu = (after.user + after.system) - (before.user + before.system)
    return {
        "clients": clients,
        "client_processes": processes,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(requests / elapsed, 1),
        "records_per_second": round(sum(r["records"] for r in results) / elapsed),
        "mean_page_kb": round(sum(r["bytes"] for r in results) / max(1, requests) / 1024, 1),
        "server_cpu_share_of_one_core": round(cpu / elapsed, 2),
        "server_cpu_ms_per_request": round(cpu / max(1, requests) * 1000, 2),
        "server_requests_per_core_second": round(requests / cpu, 1) if cpu else None,
    }


def generation(size: str) -> dict:
    script = (
        "import resource, sys, time\n"
        "from datetime import UTC, datetime\n"
        "from fake_intercom.store import Store\n"
        "from fake_intercom.generator import generate_workspace\n"
        "import tempfile, pathlib\n"
        "path = pathlib.Path(tempfile.mkdtemp()) / 'w.sqlite'\n"
        "t = time.monotonic(); s = Store(path, delete_on_close=True)\n"
        f"generate_workspace(s, {size!r}, 7, datetime(2026, 6, 15, tzinfo=UTC))\n"
        "n = s.conn.execute('select count(*) from conversations').fetchone()[0]\n"
        "size = path.stat().st_size; s.close()\n"
        "print(time.monotonic() - t, n, size,"
        " resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    return {
        "size": size,
        "seconds": round(float(out[0]), 1),
        "conversations": int(out[1]),
        "file_mb": round(int(out[2]) / 2**20),
        "peak_rss_mb": round(int(out[3]) / 1024),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", default="medium")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--client-processes",
        type=int,
        action="append",
        default=None,
        help="run the paging once per value with that many client processes (default: 1 and 2)",
    )
    parser.add_argument("--generate", action="append", default=[])
    parser.add_argument("--out", default=str(ROOT / "bench/work/emulator_speed.json"))
    args = parser.parse_args()
    args.client_processes = args.client_processes or [1, 2]
    results: dict = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
    }
    results["demo_time_to_first_response_s"] = round(time_to_first_response(), 2)
    proc, url, _ = start_server(args.workspace, [])
    try:
        results["search_paging"] = [
            {"workspace": args.workspace}
            | paging(url, proc.pid, args.clients, processes, args.seconds)
            for processes in args.client_processes
        ]
    finally:
        proc.terminate()
        proc.wait()
    results["generation"] = [generation(size) for size in args.generate]
    results["bench_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
