"""The whole pipeline, judged by an independent oracle.

`coach run` ingests the fake's tiny workspace over HTTP and builds the models. The expected values
here are computed in plain Python from the fake's ground truth, straight from the glossary's
definitions, without reading any model, so a rule broken in SQL, a record lost on ingest or a
value mangled between the two shows up as a difference.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.pipeline import Pipeline

PROGRAM_TZ = ZoneInfo("America/New_York")
COACHING_CHANNELS = {"Phone", "Video Conference", "Email", "Chat"}
CALL_CHANNELS = {"Phone", "Video Conference"}
QUALIFYING_CODES = {"Health Coaching 001", "Disease Management 002"}
TEST_EMPLOYERS = {"Test Users Inc"}
VALID_BEFORE = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())


def local_date(ts: int) -> date:
    return datetime.fromtimestamp(ts, PROGRAM_TZ).date()


def calendar_date(value: Any) -> date | None:
    """A date attribute's UTC calendar date, or None when the value is dirty or missing."""
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < VALID_BEFORE:
        return None
    return datetime.fromtimestamp(value, UTC).date()


def attribute(record: dict[str, Any], name: str) -> Any:
    value = (record.get("custom_attributes") or {}).get(name)
    return value.strip() if isinstance(value, str) else value


@dataclass(frozen=True)
class Session:
    conversation_id: str
    at: int
    channel: str
    service_code: str | None

    @property
    def day(self) -> date:
        return local_date(self.at)

    @property
    def is_call(self) -> bool:
        return self.channel in CALL_CHANNELS

    @property
    def is_qualifying(self) -> bool:
        return self.is_call and self.service_code in QUALIFYING_CODES


class Oracle:
    def __init__(self, truth: dict[str, Any]) -> None:
        self.truth = truth
        self.as_of = date.fromisoformat(truth["manifest"]["as_of"])

    @cached_property
    def members(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.truth["contacts"] if c["role"] == "user"}

    def _member_ids(self, conversation: dict[str, Any]) -> list[str]:
        listed = conversation["contacts"]["contacts"]
        return [c["id"] for c in listed if c["id"] in self.members]

    @cached_property
    def sessions(self) -> dict[str, list[Session]]:
        """Coaching sessions per member, up to the as-of date."""
        by_member: dict[str, list[Session]] = {m: [] for m in self.members}
        for conversation in self.truth["conversations"]:
            channel = attribute(conversation, "Channel")
            if conversation["state"] != "closed" or channel not in COACHING_CHANNELS:
                continue
            at = conversation["statistics"]["last_close_at"] or conversation["created_at"]
            session = Session(
                conversation["id"], at, channel, attribute(conversation, "Service Code")
            )
            if session.day > self.as_of:
                continue
            for member in self._member_ids(conversation):
                by_member[member].append(session)
        return by_member

    @cached_property
    def last_call(self) -> dict[str, int]:
        latest: dict[str, int] = {}
        for conversation in self.truth["conversations"]:
            if attribute(conversation, "Channel") != "Phone":
                continue
            closed = conversation["state"] == "closed"
            at = (closed and conversation["statistics"]["last_close_at"]) or conversation[
                "created_at"
            ]
            if local_date(at) > self.as_of:
                continue
            for member in self._member_ids(conversation):
                latest[member] = max(latest.get(member, at), at)
        return latest

    def qualifying(self, member: str) -> list[Session]:
        return [s for s in self.sessions[member] if s.is_qualifying]

    def enrolled(self, member: str) -> date | None:
        return calendar_date(attribute(self.members[member], "Enrolled Date"))

    def engagement_status(self, member: str) -> str | None:
        enrolled = self.enrolled(member)
        if enrolled is None:
            return None
        calls = self.qualifying(member)
        if not calls:
            return "Engaged" if (self.as_of - enrolled).days <= 28 else "Unengaged"
        days = (self.as_of - max(s.day for s in calls)).days
        return "Engaged" if days <= 28 else "At Risk" if days <= 56 else "Unengaged"

    def billing(self, month_start: date) -> dict[str, tuple[bool, bool]]:
        """Per member in the month's cohort: (is new participant, is engaged)."""
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        cohort = {}
        for member, record in self.members.items():
            if attribute(record, "Employer") in TEST_EMPLOYERS:
                continue
            enrolled = self.enrolled(member)
            new = enrolled is not None and month_start <= enrolled < next_month
            engaged = any(
                s.is_call and month_start - timedelta(days=56) <= s.day < next_month
                for s in self.sessions[member]
            )
            if new or engaged:
                cohort[member] = (new, engaged)
        return cohort


@pytest.fixture(scope="module")
def oracle(pipeline: Pipeline) -> Oracle:
    return Oracle(pipeline.truth)


@pytest.fixture(scope="module")
def warehouse(pipeline: Pipeline):
    con = pipeline.connect()
    yield con
    con.close()


def epoch(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


@pytest.mark.parametrize("stream", ["contacts", "conversations", "admins", "teams"])
def test_every_record_was_landed_as_received(warehouse, pipeline: Pipeline, stream: str):
    landed: dict[str, list[Any]] = {}
    for record_id, record in warehouse.execute(
        f"select id, record from raw.intercom_{stream}"
    ).fetchall():
        landed.setdefault(record_id, []).append(json.loads(record))
    truth = {str(r["id"]): r for r in pipeline.truth[stream]}
    assert truth
    assert set(landed) == set(truth)
    assert all(truth[i] in versions for i, versions in landed.items())


def test_members_are_the_users(warehouse, oracle: Oracle):
    rows = warehouse.execute("select contact_id from members").fetchall()
    assert {r[0] for r in rows} == set(oracle.members)


def test_coaching_sessions(warehouse, oracle: Oracle):
    rows = warehouse.execute(
        "select conversation_id, contact_id, session_at, channel, is_call_session,"
        " is_qualifying_call from coaching_sessions where contact_id is not null"
    ).fetchall()
    expected = {
        (s.conversation_id, member, s.at, s.channel, s.is_call, s.is_qualifying)
        for member, sessions in oracle.sessions.items()
        for s in sessions
    }
    assert expected, "the tiny workspace should hold coaching sessions"
    assert {(c, m, epoch(at), ch, call, q) for c, m, at, ch, call, q in rows} == expected


def test_engagement_status(warehouse, oracle: Oracle):
    rows = dict(warehouse.execute("select contact_id, engagement_status from members").fetchall())
    expected = {m: oracle.engagement_status(m) for m in oracle.members}
    assert set(expected.values()) >= {"Engaged", "At Risk", "Unengaged", None}
    assert rows == expected


def test_engagement_status_agrees_with_the_generator(oracle: Oracle):
    """The oracle itself is checked against the situations the generator planted on purpose."""
    planted = oracle.truth["manifest"]["expected_engagement_status"]
    assert planted
    assert {m: oracle.engagement_status(m) for m in planted} == planted


def _desired(warehouse, name: str) -> dict[str, str]:
    return dict(
        warehouse.execute(
            "select contact_id, desired_value from contact_attribute_targets"
            " where attribute = ? and desired_value is not null",
            [name],
        ).fetchall()
    )


def test_last_coaching_session_and_last_call_targets(warehouse, oracle: Oracle):
    last_session = {
        m: max(s.at for s in oracle.qualifying(m)) for m in oracle.members if oracle.qualifying(m)
    }
    assert last_session
    assert {m: int(v) for m, v in _desired(warehouse, "Last Coaching Session").items()} == (
        last_session
    )
    assert oracle.last_call
    assert {m: int(v) for m, v in _desired(warehouse, "Last Call").items()} == oracle.last_call


@pytest.mark.parametrize("month", ["2026-05-01", "2026-06-01"])
def test_billing_cohort(warehouse, oracle: Oracle, month: str):
    month_start = date.fromisoformat(month)
    rows = warehouse.execute(
        "select contact_id, is_new_participant, is_engaged from billing_cohort"
        " where month_start = ?",
        [month_start],
    ).fetchall()
    expected = oracle.billing(month_start)
    assert expected
    assert {m: (new, engaged) for m, new, engaged in rows} == expected


def test_caseload(warehouse, oracle: Oracle):
    rows = warehouse.execute(
        "select contact_id, last_session_date, session_count from caseload"
    ).fetchall()
    expected = {}
    for member, sessions in oracle.sessions.items():
        recent = [s for s in sessions if (oracle.as_of - s.day).days <= 365]
        if recent:
            expected[member] = (
                max(s.day for s in recent),
                len({s.conversation_id for s in recent}),
            )
    assert expected
    assert {m: (day, count) for m, day, count in rows} == expected


def test_run_rejects_a_bad_as_of_date_before_touching_anything(pipeline: Pipeline):
    before = pipeline.fake.stats()["requests"]
    result = pipeline.coach("run", "--as-of", "2026-02-30")
    assert pipeline.fake.stats()["requests"] == before
    assert result.exit_code == 2
    assert "--as-of" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1
