"""Crash safety: `coach writeback --apply` killed with SIGKILL mid-writes and mid-refresh, run
after run, then run to the end: the fake holds the desired values, the plan is empty, and every
PUT the fake received is an `applied` row of the audit log (no write was sent twice)."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

from fake_intercom import RequestInfo
from tests.writeback.conftest import (
    LET_THROUGH,
    PUT,
    Copy,
    canonical,
    fake_contacts,
    fake_value,
)

REPO = Path(__file__).resolve().parents[2]
MID_WRITE_TRIALS = 4


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_converges(copy: Copy):
    rng = random.Random(20261124)
    fake = copy.pipeline.fake
    fake.configure(latency="250ms")  # one write at a time takes a while: room to kill
    desired = copy.desired()
    planned = {row["contact_id"] for row in copy.plan()}
    received: Counter[str] = Counter()
    seen = threading.Condition()

    def count(info: RequestInfo) -> None:
        if f"{info.method} {info.endpoint}" == PUT:
            with seen:
                received[info.path.rsplit("/", 1)[1]] += 1
                seen.notify_all()

    fake.on_request(count)
    env = {"PATH": "/usr/bin:/bin", **copy.env(COACH_WRITEBACK_CONCURRENCY="1")}
    command = [sys.executable, "-m", "cli", "writeback", "--apply", *LET_THROUGH]
    killed = 0
    try:
        for trial in range(MID_WRITE_TRIALS + 1):
            process = subprocess.Popen(
                command, env=env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            if trial < MID_WRITE_TRIALS:  # after a few of this run's writes
                target = sum(received.values()) + rng.randint(1, 3)
                deadline = time.monotonic() + 30
                with seen:
                    while sum(received.values()) < target and time.monotonic() < deadline:
                        seen.wait(timeout=0.1)
                time.sleep(rng.uniform(0, 0.3))
            else:  # anywhere: starting, settling, writing, refreshing the marts
                time.sleep(rng.uniform(1.0, 3.5))
            process.send_signal(signal.SIGKILL)
            killed += process.wait() == -signal.SIGKILL
        final = copy.coach("writeback", "--apply", *LET_THROUGH)
        assert final.exit_code == 0, final.output
    finally:
        fake.remove_hook(count)

    assert killed >= MID_WRITE_TRIALS
    after = fake_contacts(copy.pipeline)
    for (contact, attribute), value in desired.items():
        assert canonical(fake_value(after[contact], attribute)) == value
    assert copy.plan() == []

    applied = Counter(
        dict(
            copy.query(
                "select contact_id, count(distinct run_id) from writeback.writes "
                "where outcome = 'applied' group by contact_id"
            )
        )
    )
    assert applied == received  # every PUT the fake received is accounted for, once
    assert set(received) == planned and set(received.values()) == {1}
    assert fake.stats()["by_endpoint"][PUT].get("200") == len(planned)
    assert copy.query("select count(*) from writeback.writes where outcome = 'pending'") == [(0,)]
    interrupted = copy.query("select count(*) from writeback.runs where status = 'interrupted'")
    assert interrupted[0][0] >= 1
    # Every run's summary says what its rows say, the killed runs' too.
    summaries = copy.query("select run_id, applied, failed, skipped from writeback.runs")
    from_rows = dict.fromkeys((run for run, *_ in summaries), (0, 0, 0)) | {
        run: (applied, failed, skipped)
        for run, applied, failed, skipped in copy.query(
            """select run_id,
                count(distinct contact_id) filter (where outcome = 'applied'),
                count(distinct contact_id) filter (where outcome = 'failed'),
                count(distinct contact_id) filter (where outcome = 'skipped')
            from writeback.writes group by run_id"""
        )
    }
    assert {run: tuple(counts) for run, *counts in summaries} == from_rows
    assert sum(applied for _, applied, _, _ in summaries) == len(planned)
