"""Benchmark of the fake Intercom itself (not of our product): how fast it serves.

Measures, and writes as JSON (default bench/work/fake_intercom.json):
* time from `coach emulator serve --workspace demo` starting to its first answered request;
* requests/s of 150-record conversation-search pages with N concurrent clients paging their
  own updated_at slices, against `coach emulator serve` in its own process, no latency and no
  rate limit, and the server's CPU time per request (on 2 cores the single client process is
  usually the bottleneck, so CPU per request is what says how much load the server can carry);
* optionally the generation time and peak RSS of a workspace size (`--generate medium`).

    .venv/bin/python bench/fake_intercom.py --workspace medium --clients 16 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import psutil

ROOT = Path(__file__).resolve().parents[1]
COACH = str(Path(sys.executable).with_name("coach"))
HEADERS = {"Authorization": "Bearer demo-token", "Intercom-Version": "2.11"}


def start_server(workspace: str, extra: list[str]) -> tuple[subprocess.Popen, str, float]:
    started = time.monotonic()
    proc = subprocess.Popen(
        [
            COACH,
            "emulator",
            "serve",
            "--port",
            "0",
            "--workspace",
            workspace,
            "--now",
            "2026-06-15",
            "--rate-limit",
            "0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    line = proc.stdout.readline()
    match = re.search(r"at (http://\S+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"the fake did not start: {line!r}")
    return proc, match.group(1), started


def time_to_first_response() -> float:
    proc, url, started = start_server("demo", [])
    try:
        httpx.get(url + "/me", headers=HEADERS).raise_for_status()
        return time.monotonic() - started
    finally:
        proc.terminate()
        proc.wait()


async def page_slices(url: str, clients: int, seconds: float) -> dict:
    async with httpx.AsyncClient(
        base_url=url, headers=HEADERS, timeout=60, limits=httpx.Limits(max_connections=clients)
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
        step = (high - low) // clients + 1
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
                pagination = (
                    {"per_page": 150, "starting_after": nxt["starting_after"]}
                    if nxt
                    else {"per_page": 150}
                )

        started = time.monotonic()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.monotonic() - started
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests_per_second": round(counts["requests"] / elapsed, 1),
        "records_per_second": round(counts["records"] / elapsed),
        "mean_page_kb": round(counts["bytes"] / max(1, counts["requests"]) / 1024, 1),
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
    parser.add_argument("--generate", action="append", default=[])
    parser.add_argument("--out", default=str(ROOT / "bench/work/fake_intercom.json"))
    args = parser.parse_args()
    results: dict = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
    }
    results["demo_time_to_first_response_s"] = round(time_to_first_response(), 2)
    proc, url, _ = start_server(args.workspace, [])
    try:
        server = psutil.Process(proc.pid)
        before = server.cpu_times()
        paging = asyncio.run(page_slices(url, args.clients, args.seconds))
        after = server.cpu_times()
        cpu = (after.user + after.system) - (before.user + before.system)
        requests = paging["requests_per_second"] * paging["seconds"]
        paging["server_cpu_share_of_one_core"] = round(cpu / paging["seconds"], 2)
        paging["server_cpu_ms_per_request"] = round(cpu / requests * 1000, 2)
        paging["server_requests_per_core_second"] = round(requests / cpu, 1)
        results["search_paging"] = {"workspace": args.workspace} | paging
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
