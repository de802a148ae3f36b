"""`make bench-web`: the report web app at the large workspace.

1. A large warehouse (about 100,000 contacts and 2 million conversations), filled once by
   `coach run` from `coach emulator serve --workspace large --rate-limit 0` in its own process
   and kept in bench/work/web/ (git-ignored) for later runs.
2. `coach serve` in its own process; once it has prepared the file it serves (web/warm.py),
   20 concurrent clients request every page with varied filters for a minute (each waits a
   random 0 to 1 s between two requests, as a person reading a page does): p50/p95/max per page,
   errors, the server's peak memory.
3. The full engagement export as CSV (about 100,000 rows): time to the last byte and the
   server's memory while it streams.
4. The caseload page requested continuously while `coach run` ingests and builds and publishes
   a new file: errors, the slowest request, and when the app switched to the new file.

Writes bench/results/web.json and the README's table (never typed by hand).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.common import NOW, REPO, FakeServer, coach, provenance
from bench.readme import update_block
from bench.web_load import PAGES, Request, requests_for
from bench.web_login import bench_user, logged_in
from bench.web_readme import render

WORK = REPO / "bench" / "work" / "web"
RESULTS = REPO / "bench" / "results" / "web.json"
README_START, README_END = "<!-- bench-web:start -->", "<!-- bench-web:end -->"
AS_OF = NOW[:10]


def ensure_warehouse(warehouse: Path) -> dict[str, Any]:
    """Fill and build the large warehouse unless a built one is there already."""
    if warehouse.exists():
        return {"reused": True}
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with FakeServer("large", latency="0", rate_limit_per_10s=0) as fake:
        subprocess.run(
            coach("run", "--as-of", AS_OF, "--warehouse", str(warehouse)),
            cwd=REPO,
            env={**os.environ, **fake.env()},
            check=True,
        )
    return {"reused": False, "fill_and_build_seconds": round(time.perf_counter() - started, 1)}


class Server:
    """`coach serve` (or `command`) in its own process, its resident memory sampled every 50 ms."""

    def __init__(self, warehouse: Path, command: list[str] | None = None) -> None:
        self.process = psutil.Popen(
            command or coach("serve", "--warehouse", str(warehouse), "--port", "0"),
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        if " at http://" not in line:
            self.process.kill()
            raise SystemExit(f"coach serve did not start: {line} {self.process.stderr.read()}")
        self.url = line.split(" at ", 1)[1].split()[0].rstrip("/")
        self.peak_mb = 0.0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def rss_mb(self) -> float:
        try:
            return self.process.memory_info().rss / 2**20
        except psutil.NoSuchProcess:
            return 0.0

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, self.rss_mb())
            time.sleep(0.05)

    def reset_peak(self) -> None:
        self.peak_mb = self.rss_mb()

    def wait_until_idle(self, seconds: float = 3, limit: float = 300) -> float:
        """Wait for the start-up preparation to end: the server's CPU below 10% of a core for
        `seconds` in a row. Returns how long that took."""
        started = time.perf_counter()
        quiet = 0.0
        while quiet < seconds and time.perf_counter() - started < limit:
            busy = self.process.cpu_percent(interval=0.5)
            quiet = quiet + 0.5 if busy < 10 else 0.0
        return round(time.perf_counter() - started, 1)

    def stop(self) -> None:
        self._stop.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class Sample:
    page: str
    seconds: float
    status: int
    url: str


@dataclass
class Load:
    samples: list[Sample] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _client(
    base: str,
    pick: Callable[[random.Random], Request],
    seed: int,
    until: float,
    think: float,
    load: Load,
    password: str,
) -> None:
    rng = random.Random(seed)
    with logged_in(base, password) as client:
        while time.perf_counter() < until:
            request = pick(rng)
            started = time.perf_counter()
            try:
                response = client.get(request.path, params=request.params)
                status = response.status_code
            except httpx.HTTPError as exc:
                status = 0
                with load.lock:
                    load.failures.append(f"{request.path}: {type(exc).__name__}")
            elapsed = time.perf_counter() - started
            with load.lock:
                load.samples.append(Sample(request.page, elapsed, status, str(request)))
            if think:
                time.sleep(rng.uniform(0, think))


def run_clients(base: str, pick, clients: int, seconds: float, think: float, password: str) -> Load:
    load = Load()
    until = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_client, args=(base, pick, seed, until, think, load, password))
        for seed in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return load


def percentile_ms(values: list[float], share: float, digits: int = 1) -> float:
    """The `share` percentile of `values` (seconds), in milliseconds."""
    ordered = sorted(values)
    return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], digits)


def summarise(load: Load) -> dict[str, Any]:
    pages: dict[str, Any] = {}
    for page in PAGES:
        mine = [s for s in load.samples if s.page == page]
        if not mine:
            continue
        times = [s.seconds for s in mine]
        pages[page] = {
            "requests": len(mine),
            "distinct_urls": len({s.url for s in mine}),
            "p50_ms": percentile_ms(times, 0.50),
            "p95_ms": percentile_ms(times, 0.95),
            "max_ms": round(1000 * max(times), 1),
            "errors": sum(s.status != 200 for s in mine),
        }
    statuses: dict[str, int] = {}
    for sample in load.samples:
        statuses[str(sample.status)] = statuses.get(str(sample.status), 0) + 1
    return {"pages": pages, "statuses": statuses, "failures": load.failures[:20]}


def export_csv(base: str, server: Server, password: str, repetitions: int = 3) -> dict[str, Any]:
    """The whole engagement export, streamed: time to the last byte, rows, server memory."""
    runs = []
    for _ in range(repetitions):
        server.reset_peak()
        before = server.rss_mb()
        started = time.perf_counter()
        rows = size = 0
        with (
            logged_in(base, password, timeout=120) as client,
            client.stream("GET", "/exports/engagement.csv") as response,
        ):
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
                rows += chunk.count(b"\r\n")
        runs.append(
            {
                "seconds": round(time.perf_counter() - started, 3),
                "rows": rows - 1,
                "megabytes": round(size / 2**20, 1),
                "server_rss_before_mb": round(before),
                "server_peak_rss_mb": round(server.peak_mb),
            }
        )
    return {"runs": runs, "median_seconds": statistics.median(r["seconds"] for r in runs)}


def during_publish(base: str, warehouse: Path, password: str, clients: int = 5) -> dict[str, Any]:
    """The caseload page while `coach run` ingests, builds and publishes a new file."""
    with FakeServer("large", latency="0", rate_limit_per_10s=0) as fake:
        load = Load()
        stop = threading.Event()
        built: list[tuple[float, str]] = []

        def watch() -> None:
            with logged_in(base, password) as client:
                while not stop.is_set():
                    started = time.perf_counter()
                    try:
                        response = client.get("/api/caseload", params={"per_page": 50})
                        status = response.status_code
                        if status == 200:
                            built.append((time.perf_counter(), response.json()["built_at"]))
                    except httpx.HTTPError as exc:
                        status = 0
                        load.failures.append(type(exc).__name__)
                    elapsed = time.perf_counter() - started
                    with load.lock:
                        load.samples.append(Sample("caseload", elapsed, status, "/api/caseload"))
                    time.sleep(0.1)

        threads = [threading.Thread(target=watch) for _ in range(clients)]
        for thread in threads:
            thread.start()
        started = time.perf_counter()
        run = subprocess.run(
            coach("run", "--as-of", AS_OF, "--warehouse", str(warehouse)),
            cwd=REPO,
            env={**os.environ, **fake.env()},
            capture_output=True,
            text=True,
        )
        published = time.perf_counter()
        # The app prepares the new file, then switches to it: watch until it has (5 min at most)
        # and 10 s more.
        first = built[0][1] if built else None
        while time.perf_counter() - published < 300 and all(b == first for _, b in built[-50:]):
            time.sleep(1)
        time.sleep(10)
        stop.set()
        for thread in threads:
            thread.join()
    if run.returncode != 0:
        raise SystemExit(f"coach run failed: {run.stderr[-2000:]}")
    switched = next((t for t, b in built if b != first), None)
    times = [s.seconds for s in load.samples]
    return {
        "coach_run_seconds": round(published - started, 1),
        "requests": len(times),
        "errors": sum(s.status != 200 for s in load.samples),
        "failures": load.failures[:20],
        "p50_ms": percentile_ms(times, 0.5),
        "p95_ms": percentile_ms(times, 0.95),
        "max_ms": round(1000 * max(times), 1),
        "slower_than_1s": sum(t > 1 for t in times),
        "switched_seconds_after_publish": None
        if switched is None
        else round(switched - published, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="longest pause between requests")
    parser.add_argument("--readme", action="store_true", help="only rewrite the README table")
    parser.add_argument("--smoke", action="store_true", help="a short check: no publish, no files")
    args = parser.parse_args()
    if args.readme:
        update_block(
            REPO / "README.md", README_START, README_END, render(json.loads(RESULTS.read_text()))
        )
        return
    warehouse = WORK / "warehouse.duckdb"
    prepared = ensure_warehouse(warehouse)
    password = bench_user(warehouse)
    load_before = os.getloadavg()
    server = Server(warehouse)
    try:
        warm_seconds = server.wait_until_idle()
        pick = requests_for(server.url, random.Random(7), password)
        server.reset_peak()
        load = run_clients(server.url, pick, args.clients, args.seconds, args.think, password)
        pages = summarise(load)
        pages["server_peak_rss_mb"] = round(server.peak_mb)
        pages["requests_per_second"] = round(len(load.samples) / args.seconds, 1)
        export = export_csv(server.url, server, password, repetitions=1 if args.smoke else 3)
        if args.smoke:
            print(json.dumps({"pages": pages, "export": export}, indent=1))
            return
        publish = during_publish(server.url, warehouse, password)
    finally:
        server.stop()
    result = {
        **provenance("bench-web", "bench.web", load_before),
        "warehouse": prepared
        | {"as_of": AS_OF, "workspace": "large, seed 7", "counts": counts(warehouse)},
        "settings": {
            "clients": args.clients,
            "seconds": args.seconds,
            "think_seconds_max": args.think,
        },
        "startup_preparation_seconds": warm_seconds,
        "pages": pages,
        "engagement_export_csv": export,
        "during_publish": publish,
    }
    RESULTS.write_text(json.dumps(result, indent=1) + "\n")
    update_block(REPO / "README.md", README_START, README_END, render(result))
    print(render(result))


def counts(warehouse: Path) -> dict[str, int]:
    import duckdb

    from warehouse.readers import open_snapshot
    from warehouse.store import WarehousePaths

    del duckdb
    with open_snapshot(WarehousePaths(warehouse)) as con:
        return {
            name: con.execute(f"select count(*) from {name}").fetchone()[0]
            for name in ("members", "coaching_sessions", "caseload", "engagement_export")
        }


if __name__ == "__main__":
    main()
