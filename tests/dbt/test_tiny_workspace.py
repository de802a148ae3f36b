"""A build over the fake Intercom's generated `tiny` workspace, landed as a perfect ingest would
land it (`fake.backend.ground_truth()` through `land_records`): every dirty-data kind the
generator plants is handled, and Engagement Status agrees with the generator's own expectation.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb
import pytest

from fake_intercom import EmulatorConfig, FakeIntercom
from tests.dbt.conftest import coach
from warehouse.dbt import run_dbt
from warehouse.raw_tables import STREAMS, create_raw_tables, land_records
from warehouse.store import WarehousePaths, connect_working

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
CONTACT_VALUE_KINDS = (
    "missing_attribute",
    "date_as_string",
    "negative_timestamp",
    "far_future_timestamp",
    "duplicate_looking_member",
)
CONVERSATION_KINDS = (
    "unknown_service_code",
    "missing_channel",
    "conversation_without_contact",
    "lead_on_session",
    "no_coach",
    "orphan_contact_reference",
)


@dataclass
class Tiny:
    truth: dict[str, Any]
    marts: duckdb.DuckDBPyConnection
    paths: WarehousePaths

    @property
    def planted(self) -> dict[str, list[str]]:
        return self.truth["manifest"]["dirty"]

    def issues(self, kind: str) -> set[str]:
        rows = self.marts.execute(
            "select object_id, contact_id from data_quality_issues where issue_kind = ?", [kind]
        ).fetchall()
        return {object_id for object_id, _ in rows} | {c for _, c in rows if c}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tiny]:
    with FakeIntercom.create("tiny", 7, NOW, EmulatorConfig(token="tiny-token")) as fake:
        truth = fake.backend.ground_truth()
    paths = WarehousePaths(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    con = connect_working(paths)
    try:
        create_raw_tables(con)
        for stream in STREAMS:
            land_records(con, stream, truth[stream], run_id="ground-truth")
    finally:
        con.close()
    as_of = truth["manifest"]["as_of"]
    result = coach("build", "--warehouse", str(paths.published), "--as-of", as_of)
    assert result.exit_code == 0, result.output
    marts = duckdb.connect(str(paths.published), read_only=True)
    yield Tiny(truth, marts, paths)
    marts.close()


def test_the_generator_plants_every_kind(tiny):
    assert all(tiny.planted[kind] for kind in CONTACT_VALUE_KINDS + CONVERSATION_KINDS)


@pytest.mark.parametrize("kind", CONTACT_VALUE_KINDS + CONVERSATION_KINDS)
def test_planted_dirty_data_is_listed(tiny, kind):
    missing = set(tiny.planted[kind]) - tiny.issues(kind)
    assert not missing, f"{kind} planted on {sorted(missing)} but not in data_quality_issues"


def test_unusual_names(tiny):
    contacts = {c["id"]: c for c in tiny.truth["contacts"]}
    export = {
        row[0]: row[1:]
        for row in tiny.marts.execute(
            "select contact_id, name_first, name_last from engagement_export"
        ).fetchall()
    }
    for contact_id in tiny.planted["unusual_name"]:
        name = contacts[contact_id]["name"]
        if name is None:  # no name at all: a missing attribute
            assert contact_id in tiny.issues("missing_attribute")
        elif len(name.split()) == 1:
            assert contact_id in tiny.issues("unusual_name")
            assert export[contact_id] == (name, None)
        else:  # a unicode name is no issue: it reaches the export intact
            words = name.split()
            assert export[contact_id] == (words[0], words[-1])


def test_padded_channel_is_valid_and_unknown_ones_are_listed(tiny):
    conversations = {c["id"]: c for c in tiny.truth["conversations"]}
    sessions = {
        row[0]: row[1]
        for row in tiny.marts.execute(
            "select conversation_id, channel from coaching_sessions"
        ).fetchall()
    }
    for conversation_id in tiny.planted["unknown_channel"]:
        channel = conversations[conversation_id]["custom_attributes"].get("Channel")
        if channel.strip() == "Phone":
            assert sessions.get(conversation_id) == "Phone"
            assert conversation_id not in tiny.issues("unknown_channel")
        else:
            assert conversation_id in tiny.issues("unknown_channel")
            assert conversation_id not in sessions


def test_engagement_status_matches_the_generator(tiny):
    expected = tiny.truth["manifest"]["expected_engagement_status"]
    actual = dict(
        tiny.marts.execute("select contact_id, engagement_status from members").fetchall()
    )
    wrong = {
        cid: (status, actual.get(cid))
        for cid, status in expected.items()
        if actual.get(cid) != status
    }
    assert not wrong, f"expected vs built: {wrong}"
    for contact_id in tiny.truth["manifest"]["late_first_call"]:
        assert contact_id in actual


def test_dirty_values_never_feed_a_write(tiny):
    rows = tiny.marts.execute(
        "select current_status, current_value, desired_value, needs_update "
        "from contact_attribute_targets where current_status not in ('valid', 'missing')"
    ).fetchall()
    assert rows, "the tiny workspace plants dirty values in maintained attributes"
    for _status, current, desired, _needs_update in rows:
        assert desired != current
    skipped = tiny.marts.execute(
        "select count(*) from contact_attribute_targets t join data_quality_issues d "
        "on d.contact_id = t.contact_id and d.field = 'Enrolled Date' "
        "and d.issue_kind <> 'missing_attribute' "
        "where t.attribute = 'Engagement Status' and t.desired_value is not null"
    ).fetchone()
    assert skipped == (0,)


def test_sources_are_fresh(tiny):
    # Every raw stream but deletions has a freshness rule on loaded_at; all were landed just now.
    run = run_dbt("source freshness", tiny.paths)
    assert run.statuses == {"pass": len(STREAMS)}
