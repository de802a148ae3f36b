"""The README block of `make bench-landing`, from bench/results/landing_memory.json."""

from __future__ import annotations

from typing import Any

LAYOUTS = ("primary key", "no key")
UNBOUNDED = "16GB"  # the limit "far above" ingest's
README_START, README_END = "<!-- bench-landing:start -->", "<!-- bench-landing:end -->"


def _outcome(row: dict[str, Any]) -> str:
    if row["error"]:
        return "**out of memory**" if "Out of Memory" in row["error"] else "failed"
    return f"landed, {row['peak_duckdb_mb']:.0f}"


def _index_mb(row: dict[str, Any]) -> str:
    return f"{row['duckdb_by_tag_at_peak_mb'].get('ART_INDEX', 0):.0f}"


def render(results: dict[str, Any]) -> str:
    settings, info = results["settings"], results["machine"]
    limit, day = settings["ingest_memory_limit"], settings["day_of_changes"]
    by = {(r["table_rows"], r["layout"], r["limit"]): r for r in results["by_table_size"]}
    sizes = sorted({r["table_rows"] for r in results["by_table_size"]})
    lines = [
        f"A day's changes ({day:,} conversations of ~{settings['record_bytes']:,} bytes, "
        f"scattered over the table) landed in batches of 2,000, DuckDB {settings['duckdb']}, "
        f"each landing in a process of its own. Under {limit}: the outcome and DuckDB's peak "
        "(MB). The key index is what DuckDB held for it at its peak when nothing limited it; "
        "cached table blocks (`BASE_TABLE`, the `id` column the landing scans) are evicted "
        "when memory is short, the rest is what the landing itself holds.",
        "",
        f"| conversations in the table | with the key, under {limit} | its key index (MB) "
        f"| without, under {limit} | of it, cached table blocks | the rest | peak RSS without "
        "(MB) |",
        "|---:|---|---:|---|---:|---:|---:|",
    ]
    for rows in sizes:
        keyed, bare = by[rows, "primary key", limit], by[rows, "no key", limit]
        cached = bare["duckdb_by_tag_at_peak_mb"].get("BASE_TABLE", 0)
        lines.append(
            f"| {rows:,} | {_outcome(keyed)} | {_index_mb(by[rows, 'primary key', UNBOUNDED])} "
            f"| {_outcome(bare)} | {cached:.0f} | {bare['peak_duckdb_mb'] - cached:.0f} "
            f"| {bare['peak_rss_mb']:.0f} |"
        )
    largest = max(sizes)
    lines += [
        "",
        f"At {largest:,} conversations under {limit}, by records landed in one run (a day, a "
        "week, a month of 2% days) and by records per statement:",
        "",
        "| table layout | records landed | per statement | outcome, DuckDB peak (MB) | spilled to "
        "disk at most (MB) | peak RSS (MB) | seconds | re-landing the last batch adds |",
        "|---|---:|---:|---|---:|---:|---:|---:|",
    ]
    sweep = [by[largest, layout, limit] for layout in LAYOUTS]
    for row in sweep + results["by_landing_size"] + results["by_batch_size"]:
        again = row.get("new_on_relanding_last_batch")
        lines.append(
            f"| {row['layout']} | {row['changes']:,} | {row['batch']:,} | {_outcome(row)} "
            f"| {row['peak_temp_files_mb']:.0f} | {row['peak_rss_mb']:.0f} | {row['seconds']:.1f} "
            f"| {'' if again is None else again} |"
        )
    probes = results["commit_out_of_memory"]
    lines += [
        "",
        "A commit that runs out of memory (a 2,000-record batch inserted, then the limit set just "
        "above what DuckDB holds besides cached table blocks: "
        f"{probes['primary key']['limit_mb']:.0f} MB with the key, "
        f"{probes['no key']['limit_mb']:.0f} MB without): with the key, "
        f"`{probes['primary key']['commit']}`, and then the connection: "
        f"`{probes['primary key']['connection_afterwards'][:120]}`; without it, "
        f"`{probes['no key']['commit']}`, and the connection is "
        f"{probes['no key']['connection_afterwards']}. Reopened, the files hold "
        f"{probes['primary key']['rows_after_reopening']:,} and "
        f"{probes['no key']['rows_after_reopening']:,} rows ({largest:,} before the batch).",
        "",
        f"Measured {results['measured_at']} at commit `{results['commit']}` on {info['cpus']} × "
        f"{info['cpu_model']}, {info['memory_gb']} GB. `make bench-landing`; every figure, with "
        "DuckDB's memory by tag at its peak, in `bench/results/landing_memory.json`.",
    ]
    return "\n".join(lines)
