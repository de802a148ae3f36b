"""`make bench` in CI: the harness at the tiny size, one repetition, into a temporary directory.
Checks the structure of what it writes and that the figures are positive and agree with each
other (ratios recomputed from the recorded numbers); no timing thresholds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bench.harness import main as bench_main
from bench.harness import parse_args
from bench.scenarios import SCENARIOS

LOOKBACKS = ("30", "90", "365")


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    output = tmp_path_factory.mktemp("bench")
    bench_main(["--smoke", "--output", str(output)])
    return output, json.loads((output / "results.json").read_text())


def test_results_file_records_machine_commit_and_settings(smoke):
    output, results = smoke
    assert results["machine"]["cpus"] >= 1 and results["machine"]["memory_gb"] > 0
    assert results["machine"]["cpu_model"]
    assert results["commit"] and results["commit"] != "unknown"
    settings = results["settings"]
    assert settings["sizes"] == ["tiny"] and settings["repetitions"] == 1
    assert settings["rate_limit_bound_per_second"] == settings["rate_limit_per_10s"] / 10
    assert set(settings["scenarios"]) == {s.name for s in SCENARIOS}
    assert list(results["sizes"]) == ["tiny"] and results["growth"] == []
    assert not (output / "work").exists() or not any((output / "work").iterdir())


def test_every_scenario_ran_or_says_why_not(smoke):
    _, results = smoke
    tiny = results["sizes"]["tiny"]
    assert set(tiny["scenarios"]) | set(tiny["skipped"]) == {s.name for s in SCENARIOS}
    assert set(tiny["scenarios"]) >= {
        "ingest_backfill",
        "build_full",
        "product_refresh",
        "product_report",
        "baseline_report",
        "writeback",
    }
    assert all(isinstance(reason, str) and reason for reason in tiny["skipped"].values())


def test_figures_are_positive_and_consistent(smoke):
    _, results = smoke
    tiny = results["sizes"]["tiny"]
    records, workspace = tiny["scenarios"], tiny["workspace"]
    backfill = records["ingest_backfill"]
    assert backfill["calls"] > 0 and backfill["wall_seconds"] > 0 and backfill["peak_rss_mb"] > 0
    assert backfill["records_received"] >= workspace["contacts"] + workspace["conversations"]
    assert sum(backfill["by_endpoint"].values()) == backfill["calls"]

    refresh = records["product_refresh"]
    assert refresh["repetitions"] == 1
    changed = refresh["changed"]["median"]
    assert changed == round(workspace["conversations"] * results["settings"]["change_share"])
    # An incremental run reads at least what changed, in far fewer calls than the backfill.
    assert refresh["records_received"]["median"] >= changed
    assert 0 < refresh["calls"]["median"] < backfill["calls"]

    writeback = records["writeback"]
    # One PUT per contact written, no more; the refreshes leave members to update.
    assert writeback["contacts_written"] > 0
    assert (
        writeback["by_endpoint"].get("PUT /contacts/{contact_id}") == writeback["contacts_written"]
    )
    assert writeback["fraction_of_rate_limit_bound"] > 0

    for lookback in LOOKBACKS:
        baseline = records["baseline_report"]["lookbacks"][lookback]
        product = records["product_report"]["lookbacks"][lookback]
        assert baseline["seconds"]["median"] > 0 and product["seconds"]["median"] > 0
        # The fake's count and the baseline's own count of its requests agree.
        assert baseline["calls"]["median"] == baseline["client_calls"]["median"] > 0
        assert baseline["by_endpoint"]["GET /admins"] == 1
        assert baseline["members"]["median"] > 0 and product["members"] > 0
        assert sum(product["buckets"].values()) == product["members"]
    # A longer lookback never costs the baseline fewer calls nor finds fewer members.
    calls = [records["baseline_report"]["lookbacks"][lb]["calls"]["median"] for lb in LOOKBACKS]
    members = [records["product_report"]["lookbacks"][lb]["members"] for lb in LOOKBACKS]
    assert calls == sorted(calls) and members == sorted(members)


def test_ratios_are_computed_from_the_recorded_numbers(smoke):
    _, results = smoke
    tiny = results["sizes"]["tiny"]
    records, comparison = tiny["scenarios"], tiny["comparison"]
    views = results["settings"]["day_report_views"]
    refresh = records["product_refresh"]
    assert comparison["refresh_seconds"] == refresh["wall_seconds"]["median"]
    assert comparison["refresh_calls"] == refresh["calls"]["median"]
    for lookback in LOOKBACKS:
        row = comparison["lookbacks"][lookback]
        baseline = records["baseline_report"]["lookbacks"][lookback]["seconds"]["median"]
        query = records["product_report"]["lookbacks"][lookback]["seconds"]["median"]
        calls = records["baseline_report"]["lookbacks"][lookback]["calls"]["median"]
        assert row["one_report_time_ratio"] == pytest.approx(baseline / query, rel=0.01)
        day_product = comparison["refresh_seconds"] + views * query
        assert row["day_product_seconds"] == pytest.approx(day_product, abs=0.001)
        assert row["day_time_ratio"] == pytest.approx(views * baseline / day_product, rel=0.01)
        assert row["day_calls_ratio"] == pytest.approx(
            views * calls / comparison["refresh_calls"], rel=0.01
        )
    bound = results["settings"]["rate_limit_bound_per_second"]
    backfill = records["ingest_backfill"]
    assert comparison["fraction_of_rate_limit_bound"]["ingest_backfill"] == pytest.approx(
        backfill["calls"] / backfill["ingest_seconds"] / bound, rel=0.01
    )
    assert 0 < comparison["fraction_of_rate_limit_bound"]["ingest_backfill"] <= 1.05
    assert comparison["fraction_of_rate_limit_bound"]["build_full"] > 0


def test_markdown_table_is_generated_from_the_results(smoke):
    output, results = smoke
    table = (output / "results.md").read_text()
    assert "python -m bench --smoke" in table and results["commit"] in table
    for lookback in LOOKBACKS:
        row = results["sizes"]["tiny"]["comparison"]["lookbacks"][lookback]
        assert f"| tiny | {lookback} d |" in table
        assert f"| {row['day_calls_ratio']:,.0f} |" in table
    assert "How each figure was measured" in table


def test_readme_block_is_replaced_or_added(tmp_path):
    from bench.harness import END, START
    from bench.readme import update_block

    readme = tmp_path / "README.md"
    readme.write_text("# x\n\nintro\n\n## Dependencies\n\n| a |\n")
    update_block(readme, START, END, "first", section="## Benchmarks")
    update_block(readme, START, END, "second", section="## Benchmarks")
    text = readme.read_text()
    assert text.count("## Benchmarks") == 1 and "first" not in text
    assert text.index(f"{START}\nsecond\n{END}") < text.index("## Dependencies")


@pytest.mark.parametrize(
    "argv",
    [["--sizes", "huge"], ["--repetitions", "0"], ["--change-share", "2"], ["--sizes", ","]],
)
def test_bad_arguments_are_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        parse_args(argv)
    assert exit_info.value.code == 2
    assert "error:" in capsys.readouterr().err


def test_sizes_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("BENCH_SIZES", "large,small")
    assert parse_args([]).sizes == ["small", "large"]
