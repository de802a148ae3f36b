"""`make bench`: every scenario of bench/scenarios.py at each size, against the fake Intercom in
its own process on loopback (configured latency and rate limit), then the comparisons computed
from what was recorded. Writes results.json and results.md (default in bench/) and the README's
`<!-- bench:start -->` … `<!-- bench:end -->` block.

    python -m bench                       # small and medium, 3 repetitions
    python -m bench --sizes small,medium,large     (or BENCH_SIZES=...)
    python -m bench --smoke --output /tmp/b        # tiny, one repetition (CI)
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import REPO, FakeServer, commit, machine
from bench.readme import update_block
from bench.scenarios import SCENARIOS, Context, Settings, load_plugins
from bench.tables import render

SIZES = ("tiny", "small", "medium", "large")
DEFAULT_SIZES = "small,medium"
# One 365-day baseline read of medium takes minutes; repeating it would break the 15-minute
# budget, so the baseline repeats only where it is cheap (override: --baseline-repetitions).
BASELINE_REPETITIONS = {"tiny": 3, "small": 3, "medium": 1, "large": 1}
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


def run_size(size: str, settings: Settings) -> dict[str, Any]:
    directory = settings.work / size
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    started = time.perf_counter()
    with FakeServer(size, settings.latency, settings.rate_limit_per_10s) as fake:
        workspace = fake.control("GET", "/workspace")
        context = Context(
            size=size,
            settings=settings,
            fake=fake,
            warehouse=directory / "warehouse.duckdb",
            as_of=workspace["as_of"],
            now=int(workspace["anchor"]),
        )
        fake_start = time.perf_counter() - started
        skipped = {}
        for scenario in SCENARIOS:
            reason = scenario.unavailable()
            if reason:
                skipped[scenario.name] = reason
                continue
            print(f"[{size}] {scenario.name}...", flush=True)
            scenario_started = time.perf_counter()
            context.records[scenario.name] = scenario.run(context)
            print(
                f"[{size}] {scenario.name}: {time.perf_counter() - scenario_started:.1f} s",
                flush=True,
            )
    shutil.rmtree(directory, ignore_errors=True)
    return {
        "workspace": workspace["counts"],
        "as_of": context.as_of,
        "now": context.now,
        "fake_start_seconds": round(fake_start, 1),
        "seconds": round(time.perf_counter() - started, 1),
        "scenarios": context.records,
        "skipped": skipped,
        "comparison": compare(context.records, settings),
    }


def _median(record: dict[str, Any], key: str) -> float:
    value = record[key]
    return value["median"] if isinstance(value, dict) else value


def compare(records: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Baseline ÷ product, per lookback, from the recorded medians."""
    refresh = records["product_refresh"]
    refresh_seconds = _median(refresh, "wall_seconds")
    refresh_calls = _median(refresh, "calls")
    views = settings.day_views
    lookbacks = {}
    for lookback, baseline in records["baseline_report"]["lookbacks"].items():
        product = records["product_report"]["lookbacks"][lookback]
        baseline_seconds = _median(baseline, "seconds")
        baseline_calls = _median(baseline, "calls")
        query_seconds = product["seconds"]["median"]
        day_baseline = views * baseline_seconds
        day_product = refresh_seconds + views * query_seconds
        lookbacks[lookback] = {
            "baseline_seconds": baseline_seconds,
            "baseline_calls": baseline_calls,
            "baseline_members": _median(baseline, "members"),
            "product_query_seconds": query_seconds,
            "product_members": product["members"],
            "one_report_time_ratio": round(baseline_seconds / query_seconds, 1),
            "day_baseline_seconds": round(day_baseline, 3),
            "day_product_seconds": round(day_product, 3),
            "day_time_ratio": round(day_baseline / day_product, 2),
            "day_baseline_calls": views * baseline_calls,
            "day_product_calls": refresh_calls,
            "day_calls_ratio": round(views * baseline_calls / refresh_calls, 1),
        }
    throughput = {
        name: records[name]["fraction_of_rate_limit_bound"]
        for name in ("ingest_backfill", "build_full", "writeback")
        if name in records
    }
    return {
        "refresh_seconds": refresh_seconds,
        "refresh_calls": refresh_calls,
        "day_views": views,
        "lookbacks": lookbacks,
        "fraction_of_rate_limit_bound": throughput,
    }


def _figures(size_result: dict[str, Any]) -> dict[str, float]:
    """The figures whose growth with size is reported."""
    records, comparison = size_result["scenarios"], size_result["comparison"]
    figures = {
        "backfill seconds": records["ingest_backfill"]["wall_seconds"],
        "backfill calls": records["ingest_backfill"]["calls"],
        "full build seconds": records["build_full"]["wall_seconds"],
        "refresh seconds": comparison["refresh_seconds"],
        "refresh calls": comparison["refresh_calls"],
    }
    for lookback, row in comparison["lookbacks"].items():
        figures[f"baseline {lookback} d seconds"] = row["baseline_seconds"]
        figures[f"baseline {lookback} d calls"] = row["baseline_calls"]
        figures[f"report query {lookback} d seconds"] = row["product_query_seconds"]
    return figures


def growth(sizes: dict[str, Any]) -> list[dict[str, Any]]:
    """For each step between measured sizes: how each figure grew against how the workspace grew
    (conversations). Exponent = log(figure growth) / log(size growth): about 1 is linear, below
    is sublinear, above superlinear."""
    steps = []
    names = list(sizes)
    for smaller, larger in itertools.pairwise(names):
        size_growth = (
            sizes[larger]["workspace"]["conversations"]
            / sizes[smaller]["workspace"]["conversations"]
        )
        low, high = _figures(sizes[smaller]), _figures(sizes[larger])
        figures = {}
        for name, before in low.items():
            after = high[name]
            if before <= 0 or after <= 0:
                continue
            ratio = after / before
            exponent = math.log(ratio) / math.log(size_growth)
            figures[name] = {
                "from": before,
                "to": after,
                "growth": round(ratio, 2),
                "growth_per_size_growth": round(ratio / size_growth, 2),
                "exponent": round(exponent, 2),
                "shape": "linear"
                if 0.8 <= exponent <= 1.2
                else ("sublinear" if exponent < 0.8 else "superlinear"),
            }
        steps.append(
            {
                "from": smaller,
                "to": larger,
                "size_growth": round(size_growth, 2),
                "figures": figures,
            }
        )
    return steps


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.splitlines()[0].strip("`")
    )
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES", DEFAULT_SIZES),
        help=f"comma-separated, of {', '.join(SIZES)} (default: $BENCH_SIZES, else "
        f"{DEFAULT_SIZES}; large takes about an hour more)",
    )
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument(
        "--baseline-repetitions",
        type=int,
        default=None,
        help="default: 3 at tiny and small, 1 at medium and large",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny, one repetition (CI)")
    parser.add_argument(
        "--render-only",
        action="store_true",
        help="measure nothing: rewrite results.md and the README block from results.json",
    )
    parser.add_argument("--latency", default="150ms")
    parser.add_argument("--rate-limit", type=int, default=1000, help="requests per 10 s")
    parser.add_argument("--change-share", type=float, default=0.02)
    parser.add_argument("--day-views", type=int, default=20)
    parser.add_argument("--output", type=Path, default=REPO / "bench")
    parser.add_argument(
        "--readme",
        type=Path,
        default=None,
        help="README to write the table into (default: README.md, none with --smoke)",
    )
    args = parser.parse_args(argv)
    if args.smoke:
        args.sizes, args.repetitions, args.baseline_repetitions = "tiny", 1, 1
    elif args.readme is None:
        args.readme = REPO / "README.md"
    args.sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in args.sizes if s not in SIZES]
    if unknown or not args.sizes:
        parser.error(f"--sizes: {', '.join(unknown) or '(none)'}; use some of {', '.join(SIZES)}")
    args.sizes.sort(key=SIZES.index)
    for name in ("repetitions", "baseline_repetitions", "day_views", "rate_limit"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 < args.change_share <= 1:
        parser.error("--change-share must be above 0 and at most 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.render_only:
        write_tables(args, json.loads((args.output / "results.json").read_text()))
        return
    os.umask(0o077)  # warehouses and workspaces hold (fake) personal data
    load_plugins()
    settings = Settings(
        sizes=args.sizes,
        repetitions=args.repetitions,
        baseline_repetitions={
            size: args.baseline_repetitions or BASELINE_REPETITIONS[size] for size in args.sizes
        },
        lookbacks=[30, 90, 365],
        latency=args.latency,
        rate_limit_per_10s=args.rate_limit,
        change_share=args.change_share,
        day_views=args.day_views,
        work=args.output / "work",
    )
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    sizes = {size: run_size(size, settings) for size in settings.sizes}
    results = {
        "benchmark": "make bench",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "command": "python -m bench " + " ".join(argv_text(args)),
        "machine": machine()
        | {
            # Others' work on the machine shows here: the runs share its cores with it.
            "load_average_1m_before": round(load_before, 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        },
        "settings": {
            "sizes": settings.sizes,
            "repetitions": settings.repetitions,
            "baseline_repetitions": settings.baseline_repetitions,
            "lookbacks_days": settings.lookbacks,
            "latency": settings.latency,
            "rate_limit_per_10s": settings.rate_limit_per_10s,
            "rate_limit_bound_per_second": settings.bound_per_second,
            "change_share": settings.change_share,
            "day_report_views": settings.day_views,
            "fake": "coach emulator serve in its own process, loopback HTTP, seed 7",
            "scenarios": {s.name: s.description for s in SCENARIOS},
        },
        "sizes": sizes,
        "growth": growth(sizes),
        "seconds": round(time.perf_counter() - started, 1),
    }
    args.output.mkdir(parents=True, exist_ok=True)
    (args.output / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_tables(args, results)
    print(f"Wrote {args.output / 'results.json'} and results.md in {results['seconds']} s")


def write_tables(args: argparse.Namespace, results: dict[str, Any]) -> None:
    table = render(results)
    (args.output / "results.md").write_text(table + "\n")
    if args.readme is not None:
        update_block(args.readme, START, END, table, section="## Benchmarks")


def argv_text(args: argparse.Namespace) -> list[str]:
    if args.smoke:
        return ["--smoke"]
    return [f"--sizes {','.join(args.sizes)}", f"--repetitions {args.repetitions}"]
