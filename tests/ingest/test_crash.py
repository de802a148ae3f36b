"""Crash safety: `coach ingest` killed with SIGKILL at random points (backfills, incremental and
--full runs), then run again: the warehouse equals ground truth every time."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time

import duckdb
import pytest

from fake_intercom import EmulatorConfig, FakeIntercom
from tests.ingest.conftest import NOW, REPO, TOKEN, assert_matches_truth, env_for, ingest, mutate
from warehouse.store import WarehousePaths

TRIALS = 10
KNOBS = {"page_size": 4, "concurrency": 4, "batch_records": 40}  # many small steps to hit


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_equals_ground_truth(tmp_path):
    rng = random.Random(20261124)
    config = EmulatorConfig(token=TOKEN, latency="15ms")  # so kills land mid-run
    killed_mid_run = marked_interrupted = 0
    paths = WarehousePaths(tmp_path / "warehouse.duckdb")
    with (
        FakeIntercom.create("tiny", seed=7, now=NOW, config=config) as fake,
        fake.serve_in_thread() as base_url,
    ):
        env = {
            "PATH": "/usr/bin:/bin",
            **env_for(base_url, **{f"COACH_INGEST_{k.upper()}": str(v) for k, v in KNOBS.items()}),
        }
        command = [sys.executable, "-m", "cli", "ingest", "--warehouse", str(paths.published)]

        def start(full: bool = False) -> subprocess.Popen:
            return subprocess.Popen(
                command + (["--full"] if full else []),
                env=env,
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )

        # How long whole runs take on this machine now, so that kills land inside them
        # however loaded it is: a backfill, then an incremental run.
        durations = []
        for _ in range(2):
            began = time.perf_counter()
            assert start().wait() == 0
            durations.append(time.perf_counter() - began)
        backfill_seconds, incremental_seconds = durations
        fake.reset()
        for trial in range(TRIALS):
            full = trial % 3 == 2
            if trial % 4 == 0:  # start over: the kill lands in a backfill
                for path in tmp_path.iterdir():
                    path.unlink()
                after = rng.uniform(0.2, 0.9) * backfill_seconds
            else:
                mutate(fake, rng, scale=2)
                after = rng.uniform(0.2, 0.9) * incremental_seconds
            process = start(full)
            time.sleep(after)
            process.send_signal(signal.SIGKILL)
            killed_mid_run += process.wait() == -signal.SIGKILL
            # The rerun, in-process (the same fake, without the socket).
            ingest(fake, paths, full=full, **KNOBS)
            assert_matches_truth(paths, fake, deletions_noticed=full)
            with duckdb.connect(str(paths.published), read_only=True) as con:
                interrupted = con.execute(
                    "select count(*) from ingest.run_log where outcome = 'interrupted'"
                ).fetchone()[0]
            marked_interrupted = max(marked_interrupted, interrupted)
    assert killed_mid_run >= TRIALS // 2
    assert marked_interrupted > 0  # a run killed after it had started writing is marked so
