"""Several simulated days of refreshes (issue 15): a `coach run` after each day's changes (dbt's
incremental base models, the publish of a snapshot, the build skipped when nothing is new), and
the published marts equal those of a warehouse built once from the same data, and the oracle's.
Each day closes and notes conversations and then churns contacts and conversations every way an
incremental model could miss (churn.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

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

DAYS = 3
SHARE = 0.05  # of the conversations, changed each simulated day


def coach_run(base_url: str, paths: WarehousePaths, as_of: str, *args: str) -> str:
    env = env_for(base_url, COACH_WAREHOUSE=str(paths.published))
    result = CliRunner().invoke(main, ["run", "--as-of", as_of, *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


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
            assert "(incremental)" in coach_run(base_url, daily, as_of, *full)
        assert "dbt build: skipped" in coach_run(base_url, daily, as_of)
        once = WarehousePaths(tmp_path / "once" / "warehouse.duckdb")
        coach_run(base_url, once, as_of)
        truth = fake.backend.ground_truth()

    refreshed, built = marts(daily), marts(once)
    assert set(refreshed) == set(built) and "coaching_sessions" in refreshed
    for name in refreshed:
        assert refreshed[name] == built[name], name
    check_against_oracle(daily, Oracle(truth))
