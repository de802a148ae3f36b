"""After a backfill and after incremental runs interleaved with every kind of change, the
warehouse's latest version of every record equals the fake's ground truth."""

from __future__ import annotations

import random
import time

from fake_intercom import RequestInfo
from tests.ingest.conftest import assert_matches_truth, ingest, mutate, raw_keys, run_log, truth


def test_backfill_then_incremental_runs_then_full_equal_ground_truth(fake, paths):
    # Small pages make the tiny workspace take the sliced, concurrent backfill path: whole
    # days for contacts, seconds for conversations.
    first = {log.stream: log for log in ingest(fake, paths, page_size=3).logs}
    for stream in ("contacts", "conversations"):
        assert first[stream].mode == "backfill"
        assert first[stream].calls.calls > first[stream].pages  # count probes: it was sliced
    assert_matches_truth(paths, fake)
    rng = random.Random(11)
    for _ in range(3):
        changes = mutate(fake, rng)
        ingest(fake, paths, page_size=5)
        # Deleted and merged-away contacts vanish from search: only --full notices them.
        assert_matches_truth(paths, fake, deletions_noticed=False)
        assert changes.deleted
    result = ingest(fake, paths, full=True)
    assert_matches_truth(paths, fake)
    by_stream = {log.stream: log for log in result.logs}
    assert by_stream["contacts"].deletions_noticed >= 3  # one deleted member per round
    # Nothing is ever lost: the deleted contacts' rows are still in the raw table.
    landed_ids = {record_id for record_id, _ in raw_keys(paths)["contacts"]}
    assert truth(fake)["gone"] & landed_ids


def test_records_changed_while_a_run_is_in_progress(fake, paths):
    ingest(fake, paths)
    rng = random.Random(5)
    mutate(fake, rng)
    state = truth(fake)
    members = sorted(c["id"] for c in state["contacts"].values() if c["role"] == "user")
    open_ones = sorted(c["id"] for c in state["conversations"].values() if c["state"] == "open")
    changed: list[str] = []

    def meddle(info: RequestInfo) -> None:
        # Change records between the pages of the run, on both search endpoints.
        if info.endpoint.endswith("/search") and len(changed) < 12:
            fake.backend.update_contact(rng.choice(members), name=f"Moved {info.number}")
            conversation = open_ones.pop()
            fake.backend.close_conversation(conversation)
            changed.append(conversation)

    fake.on_request(meddle)
    try:
        ingest(fake, paths, page_size=3)  # many pages, so the changes land mid-run
    finally:
        fake.remove_hook(meddle)
    assert changed
    # What changed mid-run is either in this run or caught by the next (cursor = run start).
    ingest(fake, paths, page_size=3)
    assert_matches_truth(paths, fake, deletions_noticed=False)


def test_records_that_become_searchable_late(fake, paths):
    ingest(fake, paths)
    fake.configure(index_lag_seconds=1.5)
    before = set(truth(fake)["conversations"])
    mutate(fake, random.Random(8))
    created = set(truth(fake)["conversations"]) - before
    assert created
    ingest(fake, paths)  # runs before the index has caught up: the new ones are invisible
    landed = {record_id for record_id, _ in raw_keys(paths)["conversations"]}
    assert created.isdisjoint(landed)
    time.sleep(1.6)
    ingest(fake, paths)  # the overlap covers the lag: nothing is skipped
    landed = {record_id for record_id, _ in raw_keys(paths)["conversations"]}
    assert created <= landed
    assert_matches_truth(paths, fake, deletions_noticed=False)


def test_resume_after_a_failed_backfill_reads_only_what_is_left(fake, paths):
    calls = {"n": 0}

    def break_midway(info: RequestInfo) -> None:
        calls["n"] += 1
        if calls["n"] == 40:
            fake.configure(fault_rate=1.0, fault_kinds=("503",))

    fake.on_request(break_midway)
    try:
        failed = None
        try:
            ingest(fake, paths, page_size=5, max_attempts=2, concurrency=2, batch_records=20)
        except Exception as exc:  # the run fails once every request gets a 503
            failed = exc
        assert failed is not None and "503" in str(failed)
    finally:
        fake.remove_hook(break_midway)
        fake.configure(fault_rate=0.0)
    log = {row["stream"]: row for row in run_log_working(paths)}
    assert log["conversations"]["outcome"] == "failed"
    resumed = ingest(fake, paths, page_size=5)
    conversations = {log.stream: log for log in resumed.logs}["conversations"]
    assert conversations.mode == "resume"
    # Slices checkpointed before the failure are not read again.
    assert conversations.records_received < len(truth(fake)["conversations"])
    assert_matches_truth(paths, fake)
    assert [row["outcome"] for row in run_log(paths)][-1] == "succeeded"


def run_log_working(paths):
    """The run log of the working file (a failed run does not publish)."""
    import duckdb

    with duckdb.connect(str(paths.working), read_only=True) as con:
        rows = con.execute("select stream, outcome, mode from ingest.run_log").fetchall()
        return [dict(zip(("stream", "outcome", "mode"), row, strict=True)) for row in rows]
