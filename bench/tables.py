"""The markdown of bench/results.md and the README's benchmark block, from results.json only:
no figure here is typed by hand."""

from __future__ import annotations

from typing import Any


def _spread(value: Any, form: str = "{:.1f}", scale: float = 1) -> str:
    """`median (min–max)` of a recorded spread, or the single value."""
    if not isinstance(value, dict):
        return form.format(value * scale)
    median = form.format(value["median"] * scale)
    if value["n"] == 1 or value["min"] == value["max"]:
        return median
    return f"{median} ({form.format(value['min'] * scale)}–{form.format(value['max'] * scale)})"


def _n(value: Any) -> str:
    return f"{value['median'] if isinstance(value, dict) else value:,.0f}"


def _reports(results: dict[str, Any]) -> list[str]:
    lines = [
        "**One caseload report** (baseline: read Intercom; product: query the warehouse)",
        "",
        "| size | lookback | baseline s | baseline calls | baseline 429s | baseline peak RSS MB "
        "| product query ms | × faster | members, baseline / warehouse |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, result in results["sizes"].items():
        baselines = result["scenarios"]["baseline_report"]["lookbacks"]
        products = result["scenarios"]["product_report"]["lookbacks"]
        for lookback, row in result["comparison"]["lookbacks"].items():
            baseline, product = baselines[lookback], products[lookback]
            lines.append(
                f"| {size} | {lookback} d | {_spread(baseline['seconds'])} "
                f"| {_n(baseline['calls'])} | {_n(baseline['responses_429'])} "
                f"| {_n(baseline['peak_rss_mb'])} | {_spread(product['seconds'], '{:.1f}', 1000)} "
                f"| {row['one_report_time_ratio']:,.0f} "
                f"| {row['baseline_members']:,.0f} / {row['product_members']:,} |"
            )
    return lines


def _day(results: dict[str, Any]) -> list[str]:
    views = results["settings"]["day_report_views"]
    share = results["settings"]["change_share"]
    lines = [
        f"**A day of {views} report views** (baseline: {views} reports read from Intercom; "
        f"product: one incremental `coach run` after {share:.0%} of the conversations changed, "
        f"then {views} queries)",
        "",
        "| size | lookback | baseline s | baseline calls | product s | product calls "
        "| time ratio | calls ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, result in results["sizes"].items():
        for lookback, row in result["comparison"]["lookbacks"].items():
            lines.append(
                f"| {size} | {lookback} d | {row['day_baseline_seconds']:,.1f} "
                f"| {row['day_baseline_calls']:,.0f} | {row['day_product_seconds']:,.1f} "
                f"| {row['day_product_calls']:,.0f} | {row['day_time_ratio']:,.1f} "
                f"| {row['day_calls_ratio']:,.0f} |"
            )
    return lines


def _pipeline(results: dict[str, Any]) -> list[str]:
    bound = results["settings"]["rate_limit_bound_per_second"]
    lines = [
        f"**Keeping the warehouse current** (rate-limit bound: {bound:g} calls/s; "
        "throughput ÷ bound as defined below)",
        "",
        "| size | contacts / conversations | backfill s | backfill calls (429s) | backfill ÷ bound "
        "| full build s | build ÷ bound | refresh s | refresh calls (429s) | refresh peak RSS MB "
        "| write-back ÷ bound |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, result in results["sizes"].items():
        records = result["scenarios"]
        backfill, build, refresh = (
            records["ingest_backfill"],
            records["build_full"],
            records["product_refresh"],
        )
        counts = result["workspace"]
        writeback = records.get("writeback")
        writeback_cell = (
            f"{writeback['fraction_of_rate_limit_bound']:.3g}"
            if writeback
            else f"not measured: {result['skipped'].get('writeback', 'skipped')}"
        )
        lines.append(
            f"| {size} | {counts['contacts']:,} / {counts['conversations']:,} "
            f"| {backfill['wall_seconds']:.1f} "
            f"| {backfill['calls']:,} ({backfill['responses_429']}) "
            f"| {backfill['fraction_of_rate_limit_bound']:.2f} | {build['wall_seconds']:.1f} "
            f"| {build['fraction_of_rate_limit_bound']:.3g} | {_spread(refresh['wall_seconds'])} "
            f"| {_n(refresh['calls'])} ({_n(refresh['responses_429'])}) "
            f"| {_n(refresh['peak_rss_mb'])} | {writeback_cell} |"
        )
    return lines


def _growth(results: dict[str, Any]) -> list[str]:
    lines = []
    for step in results["growth"]:
        lines += [
            "",
            f"**Growth from {step['from']} to {step['to']}** (conversations × "
            f"{step['size_growth']:g}; exponent = log(growth) ÷ log(size growth), 0.8–1.2 "
            "is called linear)",
            "",
            "| figure | " + step["from"] + " | " + step["to"] + " | growth | exponent | shape |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for name, figure in step["figures"].items():
            lines.append(
                f"| {name} | {figure['from']:,.4g} | {figure['to']:,.4g} | ×{figure['growth']:g} "
                f"| {figure['exponent']:.2f} | {figure['shape']} |"
            )
    return lines


def render(results: dict[str, Any]) -> str:
    settings, machine = results["settings"], results["machine"]
    lines = [
        f"_Generated by `{results['command']}` from `bench/results.json`; do not edit by hand._",
        "",
        f"Both sides read the same fake Intercom (`coach emulator serve` in its own process, "
        f"loopback HTTP, {settings['latency']} latency per request, "
        f"{settings['rate_limit_per_10s']:,} requests per 10-second window) and the same "
        "workspace, as of its last day. Figures are the median of "
        f"{settings['repetitions']} repetitions with (min–max) where they differ; the baseline "
        f"repeats {', '.join(f'{n}× at {s}' for s, n in settings['baseline_repetitions'].items())}"
        ". Times exclude Python start-up for the report on both sides, and include it for "
        "`coach` commands.",
        "",
        *_reports(results),
        "",
        *_day(results),
        "",
        *_pipeline(results),
        *_growth(results),
        "",
        "How each figure was measured:",
        "",
        *[f"- `{name}`: {text}" for name, text in settings["scenarios"].items()],
        "- members, baseline / warehouse: the baseline keeps closed conversations whose Channel "
        "is a coaching channel exactly as written, dates a session at its last close (else its "
        "creation) in calendar days of the program time zone, as the warehouse does, and leaves "
        "out leads and contacts that no longer exist; it neither trims nor case-folds channel "
        "values and applies none of the warehouse's data-quality rules, so its member count may "
        "differ a little; the warehouse's is the product's answer.",
        "",
        f"Measured {results['measured_at']} at commit `{results['commit']}` on "
        f"{machine['cpus']} × {machine['cpu_model']}, {machine['memory_gb']} GB, Python "
        f"{machine['python']}, in {results['seconds']:,.0f} s; load average "
        f"{machine['load_average_1m_before']} before, {machine['load_average_1m_after']} after "
        "(other work shared the machine's cores).",
    ]
    return "\n".join(lines)
