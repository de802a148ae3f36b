"""Crash safety of a refresh (issue 15): a build killed with SIGKILL while dbt runs or while the
snapshot is being published, then `coach run` again: the published marts equal those of a clean
run, no temporary copy is left, and readers had the previous snapshot meanwhile."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse
from warehouse.store import WarehousePaths

REPO = Path(__file__).resolve().parents[2]
# The build's clock: different in every build, whatever the data.
CLOCK_COLUMNS = {"built_at"}


def marts(paths: WarehousePaths) -> dict[str, set[tuple]]:
    """Every row of every table in the published file's main schema, without the build's clock."""
    with duckdb.connect(str(paths.published), read_only=True) as con:
        names = [
            row[0]
            for row in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' "
                "and database_name = current_database()"
            ).fetchall()
        ]
        result = {}
        for name in names:
            columns = [
                row[0]
                for row in con.execute(
                    "select column_name from duckdb_columns() where table_name = ? "
                    "and schema_name = 'main' and database_name = current_database()",
                    [name],
                ).fetchall()
                if row[0] not in CLOCK_COLUMNS
            ]
            listed = ", ".join(f'"{c}"' for c in columns)
            result[name] = set(con.execute(f'select {listed} from "{name}"').fetchall())
        return result


def _start(pipeline: Pipeline, paths: WarehousePaths, *args: str) -> subprocess.Popen:
    env = {"PATH": "/usr/bin:/bin", **pipeline.env(COACH_WAREHOUSE=str(paths.published))}
    return subprocess.Popen(
        [sys.executable, "-m", "cli", *args, "--warehouse", str(paths.published)],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _kill_when_publishing(process: subprocess.Popen, paths: WarehousePaths) -> bool:
    """SIGKILL `process` as soon as its temporary snapshot appears; whether it was caught."""
    pattern = f".{paths.published.name}.*.publishing"
    while process.poll() is None:
        if list(paths.directory.glob(pattern)):
            process.send_signal(signal.SIGKILL)
            return process.wait() == -signal.SIGKILL
        time.sleep(0.005)
    return False


@pytest.mark.slow
def test_sigkill_mid_build_or_mid_publish_then_rerun_gives_a_clean_runs_marts(
    pipeline: Pipeline, tmp_path
):
    clean = marts(pipeline.paths)
    rng = random.Random(20261127)
    paths = copy_warehouse(pipeline.paths, tmp_path / "crash")
    build = ("build", "--as-of", pipeline.as_of)
    began = time.perf_counter()
    assert _start(pipeline, paths, *build).wait() == 0
    seconds = time.perf_counter() - began
    killed_building = killed_publishing = trials = 0
    run = ("run", "--as-of", pipeline.as_of, "--warehouse", str(paths.published))
    while (killed_building < 1 or killed_publishing < 1) and trials < 6:
        trials += 1
        before = paths.published.stat().st_ino
        process = _start(pipeline, paths, *build)
        if trials % 2 == 0:
            killed = _kill_when_publishing(process, paths)
            killed_publishing += killed
        else:  # past dbt's start-up, inside its models and tests
            time.sleep(rng.uniform(0.4, 0.9) * seconds)
            process.send_signal(signal.SIGKILL)
            killed = process.wait() == -signal.SIGKILL
            killed_building += killed
        if killed and trials % 2 == 1:
            assert paths.published.stat().st_ino == before, "a killed build publishes nothing"
        # Killed mid-publish: the previous snapshot, or (when the rename won the race with the
        # signal) the whole new one; never a part of one.
        assert marts(paths) == clean
        rerun = pipeline.coach(*run)
        assert rerun.exit_code == 0, rerun.output
        assert marts(paths) == clean
        assert not [p for p in os.listdir(paths.directory) if p.endswith(".publishing")]
    assert killed_building >= 1 and killed_publishing >= 1
