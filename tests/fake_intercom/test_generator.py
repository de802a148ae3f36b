"""The workspace generator: deterministic, realistic, every dirty kind and situation present.

Situations and statuses are recomputed here from the ground truth by the tests' oracle
(tests/oracle.py), then compared with the generator's manifest."""

from __future__ import annotations

from collections import Counter

import orjson
import pytest

from fake_intercom import FakeIntercom
from tests.fake_intercom.conftest import NOW
from tests.oracle import RULES, Oracle

ANCHOR = int(NOW.timestamp())
CHANNELS = set(RULES.channel_names)
CODES = set(RULES.service_codes)
DATE_ATTRIBUTES = tuple(
    a.name for a in RULES.attributes if a.model == "contact" and a.data_type == "date"
)


@pytest.fixture(scope="module")
def demo():
    fake = FakeIntercom.create("demo", seed=3, now=NOW)
    yield fake.backend.ground_truth()
    fake.close()


def situations(truth) -> tuple[dict[str, str], dict[str, str | None], Counter]:
    """Each member's situation and status, and how many days ago the members' last qualifying
    calls were (members with a valid Enrolled Date)."""
    oracle = Oracle(truth)
    labels = {m: oracle.situation(m) for m in oracle.members}
    statuses = {m: oracle.engagement_status(m) for m in oracle.members}
    last_days = Counter(
        oracle.days_since(max(s.day for s in calls))
        for m in oracle.members
        if oracle.enrolled(m) is not None and (calls := oracle.qualifying(m))
    )
    return labels, statuses, last_days


@pytest.mark.parametrize("workspace", ["tiny", "demo"])
def test_every_engagement_situation_is_present(workspace, truth, demo):
    data = truth if workspace == "tiny" else demo
    labels, statuses, last_days = situations(data)
    assert set(labels.values()) >= {
        "engaged",
        "at_risk",
        "unengaged",
        "never_called",
        "new_no_call",
        "late_first_call",
        "enrolled_this_week",
    }
    for boundary in (28, 29, 56, 57):
        assert last_days[boundary], f"no member whose last call was {boundary} days ago"
    manifest = data["manifest"]
    assert manifest["situations"] == labels
    assert manifest["expected_engagement_status"] == statuses


def test_same_seed_same_workspace_other_seed_other_workspace(truth):
    again = FakeIntercom.create("tiny", seed=7, now=NOW)
    other = FakeIntercom.create("tiny", seed=8, now=NOW)
    try:
        assert orjson.dumps(again.backend.ground_truth()) == orjson.dumps(truth)
        assert other.backend.ground_truth()["contacts"] != truth["contacts"]
    finally:
        again.close()
        other.close()


def test_sizes(truth, demo):
    assert 30 <= len(truth["contacts"]) <= 50 and 200 <= len(truth["conversations"]) <= 400
    assert 500 <= len(demo["contacts"]) <= 700 and 6_000 <= len(demo["conversations"]) <= 10_000


def test_history_lies_in_the_18_months_before_now(demo):
    convs = demo["conversations"]
    assert max(c["updated_at"] for c in convs) <= ANCHOR
    assert max(c["updated_at"] for c in demo["contacts"]) <= ANCHOR
    oldest = min(c["created_at"] for c in convs)
    assert 500 <= (ANCHOR - oldest) / 86_400 <= 560
    for conv in convs:
        stats = conv["statistics"]
        assert conv["created_at"] <= conv["updated_at"]
        assert conv["open"] == (conv["state"] != "closed")
        if conv["state"] == "closed":
            assert stats["last_close_at"] and stats["last_close_at"] <= conv["updated_at"]
            assert stats["first_close_at"] <= stats["last_close_at"]
        if conv["state"] == "snoozed":
            assert conv["snoozed_until"] > ANCHOR
        assert conv["admin_assignee_id"] is None or isinstance(conv["admin_assignee_id"], int)
        assert conv["id"].isdigit()


def test_variety(demo):
    convs, contacts = demo["conversations"], demo["contacts"]
    assert {c["custom_attributes"].get("Channel") for c in convs} >= CHANNELS
    assert {c["custom_attributes"].get("Service Code") for c in convs} >= CODES
    assert {c["state"] for c in convs} == {"open", "closed", "snoozed"}
    assert any(c["statistics"]["count_reopens"] for c in convs)
    assert any(len(c["contacts"]["contacts"]) > 1 for c in convs)
    assert {c["role"] for c in contacts} == {"user", "lead"}
    employers = Counter(c["custom_attributes"].get("Employer") for c in contacts)
    assert employers[RULES.test_employers[0]] and employers["Acme Manufacturing"] > 50
    assert len(employers) > 8
    assert any(c["custom_attributes"].get("Referral") in RULES.referral_programs for c in contacts)
    assert all(len(c["id"]) == 24 and int(c["id"], 16) >= 0 for c in contacts)
    users = [c for c in contacts if c["role"] == "user"]
    assert all(isinstance(c["external_id"], str) for c in users)
    midnight = [
        c
        for c in users
        if isinstance(c["custom_attributes"].get("Enrolled Date"), int)
        and c["custom_attributes"]["Enrolled Date"] % 86_400 == 0
    ]
    assert 0.8 * len(users) < len(midnight) < len(users)  # mostly midnight, some not


def test_maintained_attributes_are_correct_stale_or_missing(demo):
    statuses = demo["manifest"]["expected_engagement_status"]
    outcome = Counter()
    for contact in demo["contacts"]:
        expected = statuses.get(contact["id"])
        if contact["role"] != "user" or expected is None:
            continue
        current = contact["custom_attributes"].get("Engagement Status")
        outcome[
            "missing" if current is None else "correct" if current == expected else "stale"
        ] += 1
    assert all(outcome[k] > 20 for k in ("missing", "correct", "stale")), outcome


def test_every_dirty_kind_is_present(truth):
    contacts, convs = truth["contacts"], truth["conversations"]
    users = [c for c in contacts if c["role"] == "user"]
    live = {c["id"]: c for c in contacts}
    deleted = {d["id"] for d in truth["deleted_contacts"]}
    admins = {int(a["id"]) for a in truth["admins"]}

    def attrs(c):
        return c["custom_attributes"]

    found = {
        "missing_attribute": any("Enrolled Date" not in attrs(c) for c in users)
        and any("Employer" not in attrs(c) for c in users),
        "date_as_string": any(
            isinstance(attrs(c).get(a), str) for c in users for a in DATE_ATTRIBUTES
        ),
        "negative_timestamp": any(
            isinstance(attrs(c).get(a), int) and attrs(c)[a] < 0
            for c in users
            for a in ("Enrolled Date", "Registration Date")
        ),
        "far_future_timestamp": any(
            isinstance(attrs(c).get(a), int) and attrs(c)[a] >= RULES.timestamp_valid_before
            for c in users
            for a in DATE_ATTRIBUTES
        ),
        "unknown_channel": any(attrs(c).get("Channel") in ("phone", "SMS", "Video") for c in convs)
        and any(attrs(c).get("Channel") == " Phone " for c in convs),
        "unknown_service_code": any(
            "Service Code" in attrs(c) and attrs(c)["Service Code"] not in CODES for c in convs
        ),
        "missing_channel": any(
            "Channel" not in attrs(c) or "Service Code" not in attrs(c) for c in convs
        ),
        "conversation_without_contact": any(not c["contacts"]["contacts"] for c in convs),
        "unusual_name": any(c["name"] is None for c in users)
        and any(c["name"] and " " not in c["name"] for c in users)
        and any(c["name"] and not c["name"].isascii() for c in users),
        "duplicate_looking_member": any(
            n > 1
            for n in Counter(
                (c["name"], attrs(c).get("Date of Birth")) for c in users if c["name"]
            ).values()
        ),
        "lead_on_session": any(
            RULES.activity(c).is_qualifying_call
            and any(live.get(r["id"], {}).get("role") == "lead" for r in c["contacts"]["contacts"])
            for c in convs
        ),
        "no_coach": any(
            c["admin_assignee_id"] is None and not c["teammates"]["teammates"] for c in convs
        )
        and any(c["admin_assignee_id"] and c["admin_assignee_id"] not in admins for c in convs),
        "orphan_contact_reference": any(
            r["id"] in deleted and r["id"] not in live
            for c in convs
            for r in c["contacts"]["contacts"]
        ),
    }
    assert [kind for kind, present in found.items() if not present] == []
    manifest = truth["manifest"]["dirty"]
    assert set(manifest) == set(found)
    everything = set(live) | {c["id"] for c in convs}
    for kind, planted in manifest.items():
        assert planted and set(planted) <= everything, kind


@pytest.mark.parametrize("seed", [3, 7])
def test_a_conversation_lists_each_contact_once(seed, demo):
    """Household calls list the second member beside the first; never a member twice."""
    data = demo if seed == 3 else _demo(seed)
    repeated = {
        c["id"]: refs
        for c in data["conversations"]
        if len(refs := [r["id"] for r in c["contacts"]["contacts"]]) != len(set(refs))
    }
    assert repeated == {}
    households = data["manifest"]["households"]
    assert households
    listed = [{r["id"] for r in c["contacts"]["contacts"]} for c in data["conversations"]]
    for pair in households:
        assert any(set(pair) <= ids for ids in listed), pair


def _demo(seed: int) -> dict:
    fake = FakeIntercom.create("demo", seed=seed, now=NOW)
    try:
        return fake.backend.ground_truth()
    finally:
        fake.close()
