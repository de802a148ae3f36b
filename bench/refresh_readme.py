"""The README's `bench-refresh` table, from bench/results/refresh.json (never typed by hand)."""

from __future__ import annotations

import json
from typing import Any

from bench.common import REPO
from bench.readme import update_block

START, END = "<!-- bench-refresh:start -->", "<!-- bench-refresh:end -->"
TARGETS = {"hour": 15.0, "day": 30.0, "unchanged": 8.0}  # seconds at large (issue 15)
# Earlier runs of the same benchmark: before issue 15, before its incremental models, and the
# latter again on the machine of the latest run (each file's `note` says what was measured).
BEFORE = (
    REPO / "bench" / "results" / "refresh_before.json",
    REPO / "bench" / "results" / "refresh_before_incremental.json",
    REPO / "bench" / "results" / "refresh_before_incremental_here.json",
)
PHASES = ("ingest", "dbt_parse", "models", "tests", "publish")


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def _mb(value: int | None) -> str:
    return "" if value is None else f"{value / 2**20:,.0f}"


def _parse_kind(dbt: dict[str, Any]) -> str:
    if dbt.get("skipped"):
        return "skipped"
    return "full" if dbt["full_parse"] else "partial"


def _row(size: str, run: dict[str, Any]) -> str:
    phases = run["phase_seconds"]
    changed = run["conversations_changed"]
    return (
        f"| {size} | {run['scenario']} | {'' if changed is None else f'{changed:,}'} "
        f"| **{run['end_to_end_seconds']:.1f}** | "
        + " | ".join(_seconds(phases.get(p)) for p in PHASES)
        + f" | {_parse_kind(run['dbt'])} | {run['api']['calls']:,} "
        f"| {_mb(run.get('publish_bytes_written'))} | {_mb(run['published_bytes'])} "
        f"| {run['peak_rss_mb']:,.0f} |"
    )


def render(results: dict[str, Any]) -> str:
    sizes, settings = results["sizes"], results["settings"]
    lines = [
        "`coach run` (ingest, dbt build, publish) after nothing changed, an hour's changes "
        f"({settings['hour_share']:.3%} of the conversations) and a day's "
        f"({settings['day_share']:.0%}), fake Intercom in its own process "
        f"({settings['latency']} latency, {settings['rate_limit_per_10s']:,} requests per 10 s). "
        "Seconds end to end include start-up; dbt parse is dbt's time before its first node; "
        "models and tests the wall time some model or test ran; publish bytes: what the "
        "publish wrote.",
        "",
        "| size | scenario | conversations changed | end to end (s) | ingest | dbt parse "
        "| models | tests | publish | parse | calls | publish wrote (MB) | published (MB) "
        "| peak RSS (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for size, figures in sizes.items():
        lines.append(_row(size, figures["backfill"]))
        lines += [_row(size, run) for run in figures["scenarios"].values()]
    if "medium" in sizes and "large" in sizes:
        lines += ["", "| scenario | medium (s) | large (s) | growth | target at large (s) |"]
        lines.append("|---|---:|---:|---:|---:|")
        for scenario, target in TARGETS.items():
            medium = sizes["medium"]["scenarios"][scenario]["end_to_end_seconds"]
            large = sizes["large"]["scenarios"][scenario]["end_to_end_seconds"]
            growth = large / medium
            lines.append(
                f"| {scenario} | {medium:.1f} | {large:.1f} | ×{growth:.2f} | {target:.0f} |"
            )
    lines.append("")
    for size, figures in sizes.items():
        counts, info = figures["workspace_counts"], figures["machine"]
        lines.append(
            f"* {size}: {counts['contacts']:,} contacts, {counts['conversations']:,} "
            f"conversations; measured {figures['measured_at']} at commit `{figures['commit']}` "
            f"on {info['cpus']} × {info['cpu_model']}, load average "
            f"{figures['load_average_1m_before']} before, {figures['load_average_1m_after']} after."
        )
    lines += [
        "",
        "A commit marked `+uncommitted` after the first size is this results file, written size "
        "by size. `make bench-refresh`; every figure, with dbt's slowest nodes, in "
        "`bench/results/refresh.json`.",
    ]
    titles = (
        "Before issue 15",
        "Before the incremental models",
        "Before the incremental models, on the machine of the table above",
    )
    for title, path in zip(titles, BEFORE, strict=True):
        if path.exists():
            lines += ["", *_before(title, json.loads(path.read_text()))]
    return "\n".join(lines)


def _before(title: str, results: dict[str, Any]) -> list[str]:
    """An earlier run of the same benchmark (`BEFORE`)."""
    lines = [
        f"{title}, with the load average of that moment noted in the file: {results['note']}.",
        "",
        "| size | scenario | end to end (s) | dbt parse | models | tests | publish "
        "| published (MB) |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for size, figures in results["sizes"].items():
        for run in figures["scenarios"].values():
            phases = run["phase_seconds"]
            lines.append(
                f"| {size} | {run['scenario']} | {run['end_to_end_seconds']:.1f} | "
                + " | ".join(_seconds(phases.get(p)) for p in PHASES[1:])
                + f" | {_mb(run['published_bytes'])} |"
            )
    return lines


def write_readme(results: dict[str, Any]) -> None:
    update_block(
        REPO / "README.md", START, END, render(results), section="### Refresh cost (issue 15)"
    )
