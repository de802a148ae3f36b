"""`make bench-access`: what access control costs, written to the `access` block of
bench/results/web.json and the README (never typed by hand).

1. Log-in: the argon2id parameters (access/passwords.py) and the time to hash and to verify one
   password on this machine (median of 15 each).
2. Pages: the web benchmark's request mix (bench/web_load.py, the same seeds) against two servers
   over the same warehouse, loaded one at a time, in the order A B B A (and again):
   A. `coach serve`, the product: every request resumes its session in the access store and
      appends an access-log row;
   B. the same app with the gate replaced by one that sets the bench admin without reading or
      writing anything (`python -m bench.web_access --open-server`, a bench-only server).
   The overhead is p95(A) / p95(B) - 1, per page and over all requests. Target: at most 10%.

The warehouse is the web benchmark's (bench/web.py `ensure_warehouse`: the large workspace, made
once); `--warehouse` points at another built warehouse for a quicker look.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import REPO, provenance, python_module
from bench.readme import update_block
from bench.web import (
    RESULTS,
    WORK,
    Server,
    ensure_warehouse,
    percentile_ms,
    run_clients,
    summarise,
)
from bench.web_load import requests_for
from bench.web_login import BENCH_USER, bench_user

README_START, README_END = "<!-- bench-access:start -->", "<!-- bench-access:end -->"


def login_cost() -> dict[str, Any]:
    from access import passwords

    hasher = passwords._hasher
    password = "Pencil-Harbor-Quartz-91"
    hashes, verifies = [], []
    digest = ""
    for _ in range(15):
        started = time.perf_counter()
        digest = passwords.hash_password(password)
        hashes.append(time.perf_counter() - started)
        started = time.perf_counter()
        assert passwords.verify(digest, password)
        verifies.append(time.perf_counter() - started)
    return {
        "algorithm": "argon2id",
        "time_cost": hasher.time_cost,
        "memory_cost_kib": hasher.memory_cost,
        "parallelism": hasher.parallelism,
        "hash_len": hasher.hash_len,
        "salt_len": hasher.salt_len,
        "hash_ms_median": round(1000 * statistics.median(hashes), 1),
        "verify_ms_median": round(1000 * statistics.median(verifies), 1),
    }


def gate_cost(directory: Path, rows: int = 20_000) -> dict[str, Any]:
    """What the gate itself does per request, without the pages: resume a session and append an
    access-log row, against a store already holding `rows` log rows; alone, and from 10 threads
    at once (the server's workers)."""
    from access.log import Entry
    from access.service import Access
    from access.settings import AccessSettings

    directory.mkdir(parents=True, exist_ok=True)
    store = directory / "gate.access.sqlite"
    for leftover in directory.glob("gate.access.sqlite*"):
        leftover.unlink()
    access = Access.open(AccessSettings(store=store))
    access.users.add("gate", "viewer", "Pencil-Harbor-Quartz-91", ("Acme",))
    token = access.sessions.start(access.users.get("gate"), "127.0.0.1")
    entry = Entry("view", "gate", "GET", "/caseload", 200, {"lookback": "28"}, 50, "127.0.0.1")
    for _ in range(rows):
        access.log.record(entry)

    def once() -> float:
        started = time.perf_counter()
        assert access.sessions.resume(token) is not None
        access.log.record(entry)
        return time.perf_counter() - started

    alone = [once() for _ in range(2_000)]
    together: list[float] = []

    def worker() -> None:
        together.extend(once() for _ in range(300))

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "log_rows_before": rows,
        "alone_ms": {
            "p50": percentile_ms(alone, 0.5, 3),
            "p95": percentile_ms(alone, 0.95, 3),
            "max": percentile_ms(alone, 1, 3),
        },
        "ten_threads_ms": {
            "p50": percentile_ms(together, 0.5, 3),
            "p95": percentile_ms(together, 0.95, 3),
            "max": percentile_ms(together, 1, 3),
        },
    }


def serve_open(warehouse: Path) -> None:
    """The bench-only server B: the product's app with the access gate swapped for a fixed
    admin. Prints the same first line as `coach serve`."""
    import uvicorn
    from starlette.middleware import Middleware

    from access.service import Access
    from access.settings import access_settings
    from reports.scope import Scope
    from warehouse.store import WarehousePaths
    from web.app import create_app
    from web.auth import AccessGate
    from web.server import warm_first
    from web.transport import Transport, peer_of

    paths = WarehousePaths(warehouse)
    access = Access.open(access_settings(warehouse))
    user = access.users.get(BENCH_USER)

    class FixedAdmin:
        def __init__(self, app) -> None:
            self.app = app

        async def __call__(self, scope, receive, send) -> None:
            if scope["type"] == "http":
                peer = peer_of(scope, Transport())
                scope.setdefault("state", {}).update(
                    user=user, session_reference=None, report_scope=Scope(), peer=peer
                )
            await self.app(scope, receive, send)

    app = create_app(paths, access)
    app.user_middleware = [
        Middleware(FixedAdmin) if m.cls is AccessGate else m for m in app.user_middleware
    ]
    # As `coach serve` does: the file served at start-up is prepared like every later one.
    threading.Thread(target=warm_first, args=(app,), daemon=True).start()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    print(f"Serving (open) at http://127.0.0.1:{sock.getsockname()[1]}/", flush=True)
    uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False)).run(sockets=[sock])


def _all_requests(load) -> list[float]:
    return [s.seconds for s in load.samples if s.status == 200]


def compare(gated: list, open_: list) -> dict[str, Any]:
    """p95 per page and over all, of the gated and the open runs together."""
    pages: dict[str, Any] = {}
    merged_a, merged_b = _merged(gated), _merged(open_)
    both = (summarise(merged_a), summarise(merged_b))
    for page, a in both[0]["pages"].items():
        b = both[1]["pages"].get(page)
        if b is None:
            continue
        pages[page] = {
            "requests_gated": a["requests"],
            "requests_open": b["requests"],
            "p95_ms_gated": a["p95_ms"],
            "p95_ms_open": b["p95_ms"],
            "overhead_percent": round(100 * (a["p95_ms"] / b["p95_ms"] - 1), 1),
            "errors_gated": a["errors"],
            "errors_open": b["errors"],
        }
    all_a, all_b = _all_requests(merged_a), _all_requests(merged_b)
    p95_a, p95_b = percentile_ms(all_a, 0.95), percentile_ms(all_b, 0.95)
    return {
        "pages": pages,
        "all_requests": {
            "p95_ms_gated": p95_a,
            "p95_ms_open": p95_b,
            "overhead_percent": round(100 * (p95_a / p95_b - 1), 1),
            "p50_ms_gated": round(1000 * statistics.median(all_a), 1),
            "p50_ms_open": round(1000 * statistics.median(all_b), 1),
        },
    }


def _merged(loads: list):
    from bench.web import Load

    merged = Load()
    for load in loads:
        merged.samples += load.samples
        merged.failures += load.failures
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="a built warehouse (default: bench-web's)")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=40)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--open-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--gate-only", action="store_true", help="measure the gate alone; keep the page runs"
    )
    args = parser.parse_args()
    if args.gate_only:
        document = json.loads(RESULTS.read_text())
        document["access"]["gate"] = gate_cost(WORK / "gate") | {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_1m": round(os.getloadavg()[0], 2),
        }
        RESULTS.write_text(json.dumps(document, indent=1) + "\n")
        update_block(REPO / "README.md", README_START, README_END, render(document["access"]))
        print(render(document["access"]))
        return
    warehouse = args.warehouse or WORK / "warehouse.duckdb"
    if args.open_server:
        serve_open(warehouse)
        return
    prepared = ensure_warehouse(warehouse) if args.warehouse is None else {"given": True}
    password = bench_user(warehouse)
    load_before = os.getloadavg()
    servers = {
        "gated": Server(warehouse),
        "open": Server(
            warehouse,
            python_module("bench.web_access", "--open-server", "--warehouse", str(warehouse)),
        ),
    }
    try:
        preparation = {name: server.wait_until_idle() for name, server in servers.items()}
        pick = requests_for(servers["gated"].url, random.Random(7), password)
        loads: dict[str, list] = {"gated": [], "open": []}
        for turn in range(args.rounds):
            # A B, then B A: a load on the machine that rises or falls during the run weighs
            # on both servers alike.
            order = list(servers.items())
            for name, server in order if turn % 2 == 0 else reversed(order):
                loads[name].append(
                    run_clients(server.url, pick, args.clients, args.seconds, 1.0, password)
                )
    finally:
        for server in servers.values():
            server.stop()
    result = {
        **provenance("bench-access", "bench.web_access", load_before),
        "warehouse": prepared | {"path": str(warehouse)},
        "settings": {"clients": args.clients, "seconds": args.seconds, "rounds": args.rounds},
        "startup_preparation_seconds": preparation,
        "login": login_cost(),
        "gate": gate_cost(WORK / "gate")
        | {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "load_average_1m": round(os.getloadavg()[0], 2),
        },
        "pages": compare(loads["gated"], loads["open"]),
    }
    document = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    document["access"] = result
    RESULTS.write_text(json.dumps(document, indent=1) + "\n")
    update_block(
        REPO / "README.md", README_START, README_END, render(result), "### Access control cost"
    )
    print(render(result))


def render(result: dict[str, Any]) -> str:
    login, pages = result["login"], result["pages"]
    total = pages["all_requests"]
    settings = result["settings"]
    lines = [
        f"_Generated by `{result['command']}` into the `access` block of "
        "`bench/results/web.json`; do not edit by hand._",
        "",
        f"Log-in: argon2id with time cost {login['time_cost']}, "
        f"{login['memory_cost_kib'] // 1024} MiB, parallelism {login['parallelism']}: "
        f"{login['hash_ms_median']} ms to hash a password and {login['verify_ms_median']} ms to "
        "verify one on this machine (median of 15).",
        "",
        f"Pages with and without the access gate (a session looked up and an access-log row "
        f"written per request), the same request mix, {settings['clients']} clients, "
        f"{settings['rounds']} rounds of {settings['seconds']:g} s each, in the order "
        "gated, open, open, gated "
        f"(load average {result['machine']['load_average_1m_before']} before, "
        f"{result['machine']['load_average_1m_after']} after). Target: at most +10% on p95.",
        "",
        "| page | requests (gated / open) | p95 ms gated | p95 ms open | p95 change |",
        "|---|---:|---:|---:|---:|",
    ]
    for page, row in pages["pages"].items():
        lines.append(
            f"| {page} | {row['requests_gated']:,} / {row['requests_open']:,} | "
            f"{row['p95_ms_gated']} | {row['p95_ms_open']} | {row['overhead_percent']:+}% |"
        )
    lines.append(
        f"| **all requests** | | {total['p95_ms_gated']} | {total['p95_ms_open']} | "
        f"{total['overhead_percent']:+}% |"
    )
    gate = result.get("gate")
    if gate:
        lines += [
            "",
            f"The gate alone (a session resumed and an access-log row appended, on a store of "
            f"{gate['log_rows_before']:,} rows; measured {gate['measured_at'][:16]}): "
            f"p50 {gate['alone_ms']['p50']} ms, p95 {gate['alone_ms']['p95']} ms; from 10 "
            f"threads at once p50 {gate['ten_threads_ms']['p50']} ms, p95 "
            f"{gate['ten_threads_ms']['p95']} ms, max {gate['ten_threads_ms']['max']} ms.",
        ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
