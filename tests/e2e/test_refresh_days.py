"""Several simulated days of refreshes (issue 15): a `coach run` after each day's changes (dbt's
incremental base models, the publish of a snapshot, the build skipped when nothing is new), and
the published marts equal those of a warehouse built once from the same data, and the oracle's.
Each day closes and notes conversations and then churns contacts and conversations every way an
incremental model could miss (churn.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import httpx
import pytest
from click.testing import CliRunner

from cli import main
from fake_intercom import EmulatorConfig, FakeIntercom
from tests.e2e.churn import KINDS, churn
from tests.ingest.conftest import TOKEN, env_for
from tests.ingest.test_memory_bound import check_against_oracle, marts
from tests.oracle import Oracle
from warehouse.store import WarehousePaths

DAYS = 2
SHARE = 0.05  # of the conversations, changed each simulated day


def coach_run(base_url: str, paths: WarehousePaths, as_of: str, *args: str) -> str:
    env = env_for(base_url, COACH_WAREHOUSE=str(paths.published))
    # The fake's as-of date is its clock's UTC day: between midnight UTC and midnight in the
    # program's time zone it is not "today", and the build would go to an audit warehouse.
    run = ["run", "--as-of", as_of, "--replace-published", *args]
    result = CliRunner().invoke(main, run, env=env)
    assert result.exit_code == 0, result.output
    return result.output


def assert_published_is_working(paths: WarehousePaths) -> None:
    """Every table of a snapshot published by the build's changes holds the working file's rows."""
    con = duckdb.connect(":memory:")
    try:
        con.execute("attach ? as published (read_only)", [str(paths.published)])
        con.execute("attach ? as working (read_only)", [str(paths.working)])
        tables = con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = 'published'"
        ).fetchall()
        assert len(tables) > 30
        for schema, table in tables:
            name = f'"{schema}"."{table}"'
            for a, b in (("published", "working"), ("working", "published")):
                extra = con.execute(
                    f"select count(*) from (select * from {a}.{name} except all "
                    f"select * from {b}.{name})"
                ).fetchone()[0]
                assert extra == 0, f"{name}: {extra} rows only in the {a} file"
    finally:
        con.close()


@pytest.mark.slow
def test_daily_refreshes_equal_one_build_of_the_same_data_and_the_oracle(tmp_path: Path):
    with (
        FakeIntercom.create(
            "small", seed=11, now=datetime.now(UTC), config=EmulatorConfig(token=TOKEN)
        ) as fake,
        fake.serve_in_thread() as base_url,
    ):
        as_of = fake.backend.ground_truth()["manifest"]["as_of"]
        daily = WarehousePaths(tmp_path / "daily" / "warehouse.duckdb")
        coach_run(base_url, daily, as_of)
        for day in range(DAYS):
            answer = httpx.post(
                f"{base_url}/_emulator/simulate_day",
                json={"share": SHARE, "seed": 100 + day},
                timeout=300,
            )
            assert answer.raise_for_status().json()["changed"] > 0
            counts = churn(base_url, TOKEN, seed=200 + day)
            assert set(counts) == set(KINDS) and min(counts.values()) > 0, counts
            # Deleted and merged-away contacts are noticed only by a `--full` ingest.
            full = ("--full",) if day > 0 else ()
            output = coach_run(base_url, daily, as_of, *full)
            assert "(incremental)" in output and "by the build's changes" in output
            assert_published_is_working(daily)
        assert "dbt build: skipped" in coach_run(base_url, daily, as_of)
        once = WarehousePaths(tmp_path / "once" / "warehouse.duckdb")
        coach_run(base_url, once, as_of)
        truth = fake.backend.ground_truth()

    refreshed, built = marts(daily), marts(once)
    assert set(refreshed) == set(built) and "coaching_sessions" in refreshed
    for name in refreshed:
        assert refreshed[name] == built[name], name
    check_against_oracle(daily, Oracle(truth))
