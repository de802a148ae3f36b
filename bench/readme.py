"""Put the ingest benchmark's figures into the README, from bench/results/ingest.json.

The README holds the table between `<!-- bench-ingest:start -->` and `<!-- bench-ingest:end -->`;
this script rewrites that block, so no figure there is ever typed by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
START, END = "<!-- bench-ingest:start -->", "<!-- bench-ingest:end -->"


def render_ingest(results: dict[str, Any]) -> str:
    settings, machine = results["settings"], results["machine"]
    counts = settings.get("workspace_counts", {}).get("counts", settings.get("workspace_counts"))
    rows = [
        ("records read", "records", "{:,}"),
        ("API calls (the fake's count)", "calls", "{:,}"),
        ("run time (s)", "run_seconds", "{:.1f}"),
        ("records/s", "records_per_second", "{:,.0f}"),
        ("calls/s", "calls_per_second", "{:.1f}"),
        ("calls/s ÷ rate-limit bound", "ratio_to_bound", "{:.2f}"),
        ("429s received", "responses_429", "{:,}"),
        ("peak RSS of `coach ingest` (MB)", "peak_rss_mb", "{:,.0f}"),
        ("CPU of `coach ingest` (% of a core)", "ingest_cpu_percent", "{}"),
        ("CPU of the fake Intercom (% of a core)", "fake_cpu_percent", "{}"),
        ("command wall time incl. start-up and publish (s)", "wall_seconds", "{:.1f}"),
    ]
    changed = results["incremental"].get("conversations_changed")
    lines = [
        f"Workspace `{settings['workspace']}` ({counts['contacts']:,} contacts, "
        f"{counts['conversations']:,} conversations), fake Intercom in its own process with "
        f"{settings['latency']} latency and {settings['rate_limit_per_10s']:,} requests per "
        f"10-second window (bound: {results['backfill']['rate_limit_bound_per_second']:g} "
        f"calls/s). Incremental: after {changed:,} conversations changed. Windows are fixed "
        "10-second slots of unix time, so a run that spends each slot's whole budget early and "
        "then waits for the next can average slightly more than the bound over a short run; "
        "`calls_each_second` in the results file shows those waits (seconds with no calls).",
        "",
        "| | backfill | incremental |",
        "|---|---:|---:|",
    ]
    for label, key, form in rows:
        values = [form.format(results[run][key]) for run in ("backfill", "incremental")]
        lines.append(f"| {label} | {values[0]} | {values[1]} |")
    lines += [
        "",
        f"Measured {results['measured_at']} at commit `{results['commit']}` on "
        f"{machine['cpus']} × {machine['cpu_model']}, {machine['memory_gb']} GB, Python "
        f"{machine['python']}; load average {machine['load_average_1m_before']} before, "
        f"{machine['load_average_1m_after']} after (other work on the machine shares its cores). "
        "`make bench-ingest`; raw figures, with calls per second over time, in "
        "`bench/results/ingest.json`.",
    ]
    return "\n".join(lines)


def update_block(readme: Path, start: str, end: str, block: str, section: str = "") -> None:
    """Replace what lies between the `start` and `end` markers with `block`. Without the markers:
    with `section` (a heading), add it with the markers before the README's last `## ` section
    (or at the end); without, stop with an error."""
    text = readme.read_text()
    if start not in text or end not in text:
        if not section:
            raise SystemExit(f"{readme} has no {start} … {end} block")
        added = f"{section}\n\n{start}\n{end}\n\n"
        last = text.rfind("\n## ")
        text = text[: last + 1] + added + text[last + 1 :] if last >= 0 else f"{text}\n{added}"
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    readme.write_text(f"{head}{start}\n{block}\n{end}{tail}")


def main() -> None:
    results_path = Path(sys.argv[1]) if len(sys.argv) > 1 else REPO / "bench/results/ingest.json"
    block = render_ingest(json.loads(results_path.read_text()))
    update_block(REPO / "README.md", START, END, block)


if __name__ == "__main__":
    main()
