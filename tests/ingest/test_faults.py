"""With the fake injecting faults of every kind at a 10% rate (5xx, timeouts, connection
resets, truncated bodies, 429 bursts), ingest lands exactly what a fault-free run lands."""

from __future__ import annotations

import random

from fake_intercom.config import FAULT_KINDS
from tests.ingest.conftest import assert_matches_truth, ingest, mutate, raw_keys
from warehouse.store import WarehousePaths

# Small pages, so a tiny workspace makes enough requests to fault. Each 429 honestly costs
# the rest of its rate-limit window, so the number of requests is kept moderate.
KNOBS = {"page_size": 12, "concurrency": 6}


def test_ten_percent_faults_of_every_kind_change_nothing(fake, paths, tmp_path):
    clean = WarehousePaths(tmp_path / "clean.duckdb")
    rng = random.Random(2)
    ingest(fake, clean, **KNOBS)
    fake.configure(fault_rate=0.1, burst429_length=1)
    logs = ingest(fake, paths, **KNOBS).logs
    fake.configure(fault_rate=0.0)
    assert raw_keys(paths) == raw_keys(clean)
    assert_matches_truth(paths, fake)
    # Which requests draw a fault depends on their bodies, which hold times: go on with
    # rounds of changes, incremental and --full runs, at the same rate, for the kinds not
    # met yet.
    rounds = 0
    while (missing := set(FAULT_KINDS) - set(fake.stats()["faults"])) and rounds < 10:
        rounds += 1
        full = rounds % 2 == 1
        mutate(fake, rng)
        fake.configure(fault_rate=0.1, fault_kinds=tuple(sorted(missing)))
        logs += ingest(fake, paths, full=full, **KNOBS).logs
        fake.configure(fault_rate=0.0)
        ingest(fake, clean, full=full, **KNOBS)
        assert raw_keys(paths) == raw_keys(clean)
        assert_matches_truth(paths, fake, deletions_noticed=full)
    injected = fake.stats()["faults"]
    assert set(injected) == set(FAULT_KINDS), injected
    # Every fault cost one retry, except a `truncated` draw on a non-200 answer (a 404 for a
    # deleted contact), which the fake counts but sends whole.
    retries = sum(log.calls.retries for log in logs)
    assert sum(injected.values()) - injected["truncated"] <= retries <= sum(injected.values())
    assert sum(log.calls.rate_limited for log in logs) == injected["burst429"]
