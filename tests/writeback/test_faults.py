"""10% injected faults (5xx, dropped connections, timeouts, cut-off bodies, 429 bursts): with a
single attempt per request some writes fail; every row ends applied or failed, never undecided,
and the next run applies exactly the failed ones."""

from __future__ import annotations

from tests.pipeline import TOKEN
from tests.writeback.conftest import LET_THROUGH, Copy, canonical, fake_contacts, fake_value


def test_faults_leave_every_row_decided_and_the_next_run_applies_the_failed(copy: Copy):
    fake = copy.pipeline.fake
    desired = copy.desired()
    planned = {row["contact_id"] for row in copy.plan()}
    # Seed 26 draws a reset, a 503, a cut-off body and two timeouts among these PUTs.
    fake.configure(fault_rate=0.1, fault_seed=26, timeout_hang_seconds=2.0)

    first = copy.coach(
        "writeback",
        "--apply",
        *LET_THROUGH,
        COACH_HTTP_MAX_ATTEMPTS="1",
        COACH_HTTP_TIMEOUT_SECONDS="0.5",
    )
    assert first.exit_code == 1, first.output
    assert "are retried by the next run" in first.output
    assert TOKEN not in first.output
    assert sum(fake.stats()["faults"].values()) > 0
    (first_run,) = copy.query("select run_id from writeback.runs")[0]
    outcomes = dict(
        copy.query(
            "select contact_id, any_value(outcome) from writeback.writes "
            f"where run_id = '{first_run}' group by contact_id having count(distinct outcome) = 1"
        )
    )
    assert set(outcomes) == planned  # every planned contact, one outcome for all its rows
    failed = {c for c, outcome in outcomes.items() if outcome == "failed"}
    assert failed and set(outcomes.values()) == {"applied", "failed"}
    errors = copy.query(
        f"select error from writeback.writes where run_id = '{first_run}' and outcome = 'failed'"
    )
    assert all(e and "still failed after retrying" in e for (e,) in errors)
    assert {row["contact_id"] for row in copy.plan()} == failed  # they stay in the plan

    second = copy.coach("writeback", "--apply", *LET_THROUGH)  # faults still on, usual retries
    assert second.exit_code == 0, second.output
    second_run = copy.query(f"select run_id from writeback.runs where run_id != '{first_run}'")[0][
        0
    ]
    retried = copy.query(
        f"select distinct contact_id, outcome from writeback.writes where run_id = '{second_run}'"
    )
    assert {c for c, _ in retried} == failed
    assert {o for _, o in retried} == {"applied"}
    assert copy.plan() == []
    after = fake_contacts(copy.pipeline)
    for (contact, attribute), value in desired.items():
        assert canonical(fake_value(after[contact], attribute)) == value
