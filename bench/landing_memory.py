"""`make bench-landing`: the peak memory of landing changed records into a raw table, against the
table's size, the number of records landed and the records per statement, for the layout raw
tables had until issue 16 (`primary key (id, record_hash)`) and the current one (no key;
`land_prepared` looks the keys up). Writes bench/results/landing_memory.json.

Each landing runs in its own process, as ingest does: a copy of a table of N conversations
(~1.8 KB of JSON each, built once per size), DuckDB's memory limit and checkpoint threshold set
as ingest sets them, then K changed records landed through `land_prepared` in transactions of
`batch` records, then the last batch landed again (it must add nothing). A thread samples
`duckdb_memory()` (by tag), DuckDB's temporary files and the process's resident memory every
10 ms. Each landing runs twice: under ingest's limit (does it land?) and under a limit far above
it (how much does it take when nothing stops it?).

`commit_probe` shows what a commit that runs out of memory does to each layout: the batch is
inserted, the limit set just above what DuckDB holds, then `commit`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import psutil

from bench.common import commit, machine
from bench.landing_records import record, record_sql
from bench.landing_render import LAYOUTS, README_END, README_START, UNBOUNDED, render
from bench.readme import update_block
from ingest.runner import CHECKPOINT_THRESHOLD
from warehouse.config import DEFAULT_INGEST_MEMORY_LIMIT
from warehouse.raw_tables import create_raw_tables, land_prepared
from warehouse.records import PreparedRecords

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "landing_memory.json"
WORK = BENCH_DIR / "work" / "landing"
TABLE = "raw.intercom_conversations"
# The layout before issue 16, as `create_raw_tables` made it.
KEYED_DDL = f"""
create schema if not exists raw;
create table {TABLE} (
    id varchar not null, updated_at bigint, record json not null, record_hash varchar not null,
    run_id varchar not null, loaded_at timestamptz not null, primary key (id, record_hash)
)
"""


def build_base(path: Path, rows: int, layout: str) -> dict[str, Any]:
    """A table of `rows` conversations in `layout`, checkpointed, as a backfill leaves it (kept
    in bench/work/ for the next run)."""
    made = path.with_suffix(".json")
    if path.exists() and made.exists():
        return json.loads(made.read_text())
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(path)) as con:
        con.execute(f"set memory_limit = '{UNBOUNDED}'")
        if layout == "primary key":
            con.execute(KEYED_DDL)
        else:
            create_raw_tables(con)
        con.execute(
            f"""insert into {TABLE}
            select (1000000 + i)::varchar, 1700000000 + (i * 7919) % 30000000, body::json,
                   sha256(body), 'backfill', now()
            from (select i, {record_sql("i")} as body from range({rows}) t(i))"""
        )
        con.execute("checkpoint")
        size = path.stat().st_size
    info = {"rows": rows, "layout": layout, "file_mb": round(size / 2**20)}
    info["build_seconds"] = round(time.perf_counter() - started, 1)
    made.write_text(json.dumps(info))
    return info


class Sampler:
    """Peak DuckDB memory (total and by tag at that moment), temporary files and process RSS."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.cursor = con.cursor()
        self.peak_duckdb = self.peak_temp = self.peak_rss = 0
        self.tags: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            with contextlib.suppress(duckdb.Error):
                rows = self.cursor.execute(
                    "select tag, memory_usage_bytes from duckdb_memory()"
                ).fetchall()
                total = sum(size for _, size in rows)
                if total > self.peak_duckdb:
                    self.peak_duckdb = total
                    self.tags = {tag: round(size / 2**20, 1) for tag, size in rows if size}
                temp = self.cursor.execute(
                    "select coalesce(sum(size), 0) from duckdb_temporary_files()"
                ).fetchone()[0]
                self.peak_temp = max(self.peak_temp, int(temp))
            self.peak_rss = max(self.peak_rss, me.memory_info().rss)
            self._stop.wait(0.01)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _batch(numbers: range, rows: int, version: int) -> PreparedRecords:
    batch = PreparedRecords("conversations")
    made = [record(_spread(n, rows), version) for n in numbers]
    batch.add_raw([m[0] for m in made], [m[1] for m in made], [m[2] for m in made])
    return batch


SPREAD = 2_654_435_761  # a prime: n -> n * SPREAD mod rows is a permutation of the table


def _spread(n: int, rows: int) -> int:
    """The n-th changed record: distinct for n < rows, and a batch's records scattered over the
    whole table, as the conversations a day touches are."""
    return (n * SPREAD) % rows


def land(base: Path, rows: int, changes: int, batch: int, limit: str) -> dict[str, Any]:
    """Land `changes` changed records into a copy of `base` (in this process), measured."""
    work = base.with_name(f"landing-{os.getpid()}.duckdb")
    shutil.copyfile(base, work)
    con = duckdb.connect(str(work))
    result: dict[str, Any] = {"error": None, "new": 0}
    try:
        con.execute(f"set memory_limit = '{limit}'")
        con.execute(f"set checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
        result["rss_before_mb"] = round(psutil.Process().memory_info().rss / 2**20, 1)
        started = time.perf_counter()
        with Sampler(con) as sampler:
            try:
                for start in range(0, changes, batch):
                    prepared = _batch(range(start, min(start + batch, changes)), rows, 1)
                    con.execute("begin transaction")
                    result["new"] += land_prepared(con, prepared, "bench").new
                    con.execute("commit")
                con.execute("begin transaction")
                result["new_on_relanding_last_batch"] = land_prepared(con, prepared, "again").new
                con.execute("commit")
            except duckdb.Error as exc:
                result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        result["seconds"] = round(time.perf_counter() - started, 2)
        result |= {
            "peak_duckdb_mb": round(sampler.peak_duckdb / 2**20, 1),
            "duckdb_by_tag_at_peak_mb": sampler.tags,
            "peak_temp_files_mb": round(sampler.peak_temp / 2**20, 1),
            "peak_rss_mb": round(sampler.peak_rss / 2**20, 1),
        }
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()
        for leftover in (work, work.with_name(work.name + ".wal")):
            leftover.unlink(missing_ok=True)
        shutil.rmtree(work.with_name(work.name + ".tmp"), ignore_errors=True)
    return result


def commit_probe(base: Path, rows: int) -> dict[str, Any]:
    """Insert a batch of 2,000 changed records, set the limit just above what DuckDB holds
    besides cached table blocks, and commit: what happens to the transaction, the connection,
    and the file when reopened. A `set` that fails aborts the transaction, so a larger margin
    is tried on a fresh copy."""
    for slack_kb in (256, 1024, 4096, 16384):
        result = _probe_once(base, rows, slack_kb)
        if result is not None:
            return result
    raise SystemExit("DuckDB refused every memory limit tried")


def _probe_once(base: Path, rows: int, slack_kb: int) -> dict[str, Any] | None:
    work = base.with_name(f"probe-{os.getpid()}.duckdb")
    shutil.copyfile(base, work)
    result: dict[str, Any] | None = {"rows_before": rows, "slack_kb": slack_kb}
    con = duckdb.connect(str(work))
    try:
        con.execute("set memory_limit = '2GB'")
        con.execute("begin transaction")
        land_prepared(con, _batch(range(2000), rows, 1), "probe")
        held, cached = con.execute(
            "select sum(memory_usage_bytes), sum(memory_usage_bytes) filter (tag = 'BASE_TABLE')"
            " from duckdb_memory()"
        ).fetchone()
        limit_kb = (held - (cached or 0)) // 1024 + slack_kb
        result |= {"held_before_commit_mb": round(held / 2**20, 1)}
        result["limit_mb"] = round(limit_kb / 1024, 1)
        try:
            con.execute(f"set memory_limit = '{limit_kb}KB'")
        except duckdb.OutOfMemoryException:
            return None
        try:
            con.execute("commit")
            result["commit"] = "committed"
        except duckdb.Error as exc:
            result["commit"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
        try:
            con.execute(f"select count(*) from {TABLE}").fetchone()
            result["connection_afterwards"] = "usable"
        except duckdb.Error as exc:
            result["connection_afterwards"] = f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        with contextlib.suppress(duckdb.Error):
            con.close()
        if result is not None:
            with duckdb.connect(str(work)) as again:
                counted = again.execute(f"select count(*) from {TABLE}").fetchone()[0]
                result["rows_after_reopening"] = counted
        for leftover in (work, work.with_name(work.name + ".wal")):
            leftover.unlink(missing_ok=True)
    return result


def _in_process(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh process (its own DuckDB instance and peak RSS)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.landing_memory", *args],
        cwd=BENCH_DIR.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench.landing_memory {' '.join(args)} failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _measure(base: Path, rows: int, layout: str, changes: int, batch: int, limit: str) -> dict:
    row = {"table_rows": rows, "layout": layout, "changes": changes, "batch": batch}
    row["limit"] = limit
    row |= _in_process("--land", str(base), str(rows), str(changes), str(batch), limit)
    print(json.dumps(row), flush=True)
    return row


def run(sizes: list[int], day: int, limit: str) -> dict[str, Any]:
    WORK.mkdir(parents=True, exist_ok=True)
    assert all(math.gcd(SPREAD, rows) == 1 for rows in sizes)
    bases: dict[tuple[int, str], Path] = {}
    built = []
    for rows in sizes:
        for layout in LAYOUTS:
            path = WORK / f"base-{rows}-{layout.replace(' ', '-')}.duckdb"
            built.append(build_base(path, rows, layout))
            bases[rows, layout] = path
    largest = max(sizes)
    table_size = [
        _measure(bases[rows, layout], rows, layout, day, 2000, cap)
        for rows in sizes
        for layout in LAYOUTS
        for cap in (limit, UNBOUNDED)
    ]
    landing_size = [
        _measure(bases[largest, layout], largest, layout, changes, 2000, limit)
        for layout, changes in [
            ("primary key", 2000),
            ("no key", 2000),
            ("no key", day * 7),
            ("no key", day * 30),
        ]
    ]
    batch_size = [
        _measure(bases[largest, "no key"], largest, "no key", day, batch, limit)
        for batch in (500, 8000)
    ]
    probes = {
        layout: _in_process("--probe", str(bases[largest, layout]), str(largest))
        for layout in LAYOUTS
    }
    return {
        "settings": {
            "ingest_memory_limit": limit,
            "unbounded_limit": UNBOUNDED,
            "checkpoint_threshold": CHECKPOINT_THRESHOLD,
            "day_of_changes": day,
            "record_bytes": len(record(0, 1)[2]),
            "duckdb": duckdb.__version__,
        },
        "bases": built,
        "by_table_size": table_size,
        "by_landing_size": landing_size,
        "by_batch_size": batch_size,
        "commit_out_of_memory": probes,
        "commit": commit(),
        "machine": machine(),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="250000,500000,1000000,2000000")
    parser.add_argument("--day", type=int, default=40_000, help="records changed in a day")
    parser.add_argument("--limit", default=DEFAULT_INGEST_MEMORY_LIMIT)
    parser.add_argument("--output", type=Path, default=RESULTS)
    parser.add_argument("--land", nargs=5, metavar=("BASE", "ROWS", "CHANGES", "BATCH", "LIMIT"))
    parser.add_argument("--probe", nargs=2, metavar=("BASE", "ROWS"))
    parser.add_argument("--readme-only", action="store_true")
    args = parser.parse_args()
    if args.readme_only:
        block = render(json.loads(args.output.read_text()))
        update_block(BENCH_DIR.parent / "README.md", README_START, README_END, block)
        return
    if args.land:
        base, rows, changes, batch, limit = args.land
        print(json.dumps(land(Path(base), int(rows), int(changes), int(batch), limit)))
        return
    if args.probe:
        print(json.dumps(commit_probe(Path(args.probe[0]), int(args.probe[1]))))
        return
    results = run([int(s) for s in args.sizes.split(",")], args.day, args.limit)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Wrote {args.output}")
    update_block(BENCH_DIR.parent / "README.md", README_START, README_END, render(results))


if __name__ == "__main__":
    main()
