"""Conversation writes: a contact starting one, managing parts (close, snooze, open, assign),
replies, custom attributes, and the emulator-only creation of admin-initiated ones."""

from __future__ import annotations

import pytest

from tests.fake_intercom.conftest import live_contacts


def error(response, status=400) -> tuple[str, str]:
    assert response.status_code == status, response.text
    item = response.json()["errors"][0]
    return item["code"], item["message"]


def coach(truth) -> dict:
    return next(a for a in truth["admins"] if a["job_title"] == "Health Coach")


def test_contact_starts_a_conversation(api, truth):
    user = live_contacts(truth, "user")[0]
    message = api.ok(
        "POST",
        "/conversations",
        json={"from": {"type": "user", "id": user["id"]}, "body": "Can we talk about my plan?"},
    )
    assert message["type"] == "user_message" and message["message_type"] == "inapp"
    conv = api.ok("GET", f"/conversations/{message['conversation_id']}")
    assert conv["state"] == "open" and conv["open"] is True
    assert conv["contacts"]["contacts"] == [
        {"type": "contact", "id": user["id"], "external_id": user["external_id"]}
    ]
    assert conv["source"]["delivered_as"] == "customer_initiated"
    assert conv["source"]["author"]["id"] == user["id"]
    assert conv["waiting_since"] == conv["created_at"]
    assert conv["conversation_parts"]["total_count"] == 0
    assert error(
        api.post("/conversations", json={"from": {"type": "user", "id": "0" * 24}, "body": "hi"}),
        404,
    ) == ("not_found", "User Not Found")
    assert error(api.post("/conversations", json={"body": "hi"}))[0] == "parameter_not_found"


def test_close_snooze_open_and_statistics(api, truth):
    admin = coach(truth)
    conv = next(c for c in truth["conversations"] if c["state"] == "open")
    path = f"/conversations/{conv['id']}/parts"
    closed = api.ok(
        "POST",
        path,
        json={
            "message_type": "close",
            "type": "admin",
            "admin_id": admin["id"],
            "body": "Goodbye :)",
        },
    )
    stats = closed["statistics"]
    assert (closed["state"], closed["open"]) == ("closed", False)
    assert stats["last_close_at"] == closed["updated_at"] >= conv["updated_at"]
    assert stats["last_closed_by_id"] == admin["id"]
    assert stats["count_conversation_parts"] == conv["statistics"]["count_conversation_parts"] + 1
    assert closed["conversation_parts"]["conversation_parts"][-1]["part_type"] == "close"
    assert admin["id"] in [t["id"] for t in closed["teammates"]["teammates"]]
    until = closed["updated_at"] + 86_400
    snoozed = api.ok(
        "POST",
        path,
        json={"message_type": "snoozed", "admin_id": int(admin["id"]), "snoozed_until": until},
    )
    assert (snoozed["state"], snoozed["open"], snoozed["snoozed_until"]) == ("snoozed", True, until)
    reopened = api.ok("POST", path, json={"message_type": "open", "admin_id": admin["id"]})
    assert (reopened["state"], reopened["open"], reopened["snoozed_until"]) == ("open", True, None)
    closed_again = api.ok(
        "POST", path, json={"message_type": "close", "type": "admin", "admin_id": admin["id"]}
    )
    assert (
        api.ok("POST", path, json={"message_type": "open", "admin_id": admin["id"]})["statistics"][
            "count_reopens"
        ]
        == closed_again["statistics"]["count_reopens"] + 1
    )
    # search sees the change at once (no index lag configured)
    assert conv["id"] in api.search_ids(
        "conversations",
        {
            "field": "statistics.last_close_at",
            "operator": "=",
            "value": closed_again["statistics"]["last_close_at"],
        },
    )


def test_assignment(api, truth):
    admin = coach(truth)
    team = truth["teams"][0]
    conv = truth["conversations"][0]
    path = f"/conversations/{conv['id']}/parts"

    def assign(kind: str, assignee: str) -> dict:
        return api.ok(
            "POST",
            path,
            json={
                "message_type": "assignment",
                "type": kind,
                "admin_id": admin["id"],
                "assignee_id": assignee,
            },
        )

    assert assign("admin", admin["id"])["admin_assignee_id"] == int(admin["id"])
    assert assign("team", team["id"])["team_assignee_id"] == int(team["id"])
    assert assign("admin", "0")["admin_assignee_id"] is None
    response = api.post(
        path,
        json={
            "message_type": "assignment",
            "type": "admin",
            "admin_id": admin["id"],
            "assignee_id": "123",
        },
    )
    assert error(response, 404)[0] == "not_found"


@pytest.mark.parametrize(
    "payload",
    [
        {"message_type": "close", "type": "admin"},  # no admin_id
        {"message_type": "snooze", "admin_id": "1"},  # 2.11 says "snoozed"
        {"message_type": "comment", "type": "admin", "admin_id": "1"},  # comments go to /reply
        {"message_type": "snoozed", "admin_id": "ADMIN", "snoozed_until": "tomorrow"},
    ],
)
def test_parts_validation(api, truth, payload):
    admin = coach(truth)
    if payload.get("admin_id") == "ADMIN":
        payload = payload | {"admin_id": admin["id"]}
    conv = truth["conversations"][0]
    assert error(api.post(f"/conversations/{conv['id']}/parts", json=payload))[0] == (
        "parameter_invalid"
    )


def test_unknown_conversation_and_admin(api, truth):
    assert error(api.get("/conversations/999"), 404) == ("not_found", "Resource Not Found")
    assert (
        error(
            api.post(
                "/conversations/999/parts",
                json={"message_type": "close", "type": "admin", "admin_id": "1"},
            ),
            404,
        )[0]
        == "not_found"
    )
    conv = truth["conversations"][0]
    assert error(
        api.post(
            f"/conversations/{conv['id']}/parts",
            json={"message_type": "close", "type": "admin", "admin_id": "1"},
        ),
        404,
    ) == ("not_found", "Admin Not Found")


def test_replies(api, truth):
    admin = coach(truth)
    live = {c["id"] for c in truth["contacts"]}
    conv = next(
        c
        for c in truth["conversations"]
        if c["state"] == "closed"
        and c["contacts"]["contacts"]
        and c["contacts"]["contacts"][0]["id"] in live
    )
    path = f"/conversations/{conv['id']}/reply"
    note = api.ok(
        "POST",
        path,
        json={
            "message_type": "note",
            "type": "admin",
            "admin_id": admin["id"],
            "body": "<p>Internal</p>",
        },
    )
    assert note["state"] == "closed"
    assert note["conversation_parts"]["conversation_parts"][-1]["part_type"] == "note"
    user_id = conv["contacts"]["contacts"][0]["id"]
    reply = api.ok(
        "POST",
        path,
        json={
            "message_type": "comment",
            "type": "user",
            "intercom_user_id": user_id,
            "body": "Thanks!",
        },
    )
    assert reply["state"] == "open"
    assert reply["statistics"]["count_reopens"] == conv["statistics"]["count_reopens"] + 1
    assert reply["waiting_since"] == reply["updated_at"]
    assert (
        error(
            api.post(
                path, json={"message_type": "comment", "type": "admin", "admin_id": admin["id"]}
            )
        )[0]
        == "parameter_not_found"
    )


def test_update_conversation_custom_attributes(api, truth):
    conv = next(c for c in truth["conversations"] if "Channel" in c["custom_attributes"])
    body = api.ok(
        "PUT",
        f"/conversations/{conv['id']}",
        json={"read": True, "custom_attributes": {"Service Code": "Tech Support 003"}},
    )
    assert body["custom_attributes"] == conv["custom_attributes"] | {
        "Service Code": "Tech Support 003"
    }
    assert body["updated_at"] >= conv["updated_at"] and body["read"] is True
    assert error(
        api.put(f"/conversations/{conv['id']}", json={"custom_attributes": {"anything": "x"}})
    ) == ("parameter_invalid", "Conversation attribute 'anything' does not exist")
    assert (
        error(api.put(f"/conversations/{conv['id']}", json={"custom_attributes": {"Channel": 7}}))[
            0
        ]
        == "parameter_invalid"
    )
    assert error(api.put("/conversations/999", json={"read": True}), 404)[0] == "not_found"


def test_admin_initiated_conversation_through_the_python_api(fake, api, truth):
    users = live_contacts(truth, "user")[:2]
    admin = coach(truth)
    conv = fake.backend.create_conversation(
        contact_ids=[u["id"] for u in users],
        admin_assignee_id=int(admin["id"]),
        state="closed",
        created_at=1780000000,
        closed_at=1780001800,
        custom_attributes={"Channel": "Phone", "Service Code": "Health Coaching 001"},
    )
    got = api.ok("GET", f"/conversations/{conv['id']}")
    assert {k: v for k, v in got.items() if k != "conversation_parts"} == conv
    assert conv["statistics"]["last_close_at"] == 1780001800
    assert [r["id"] for r in conv["contacts"]["contacts"]] == [u["id"] for u in users]
    assert conv["state"] == "closed" and conv["source"]["delivered_as"] == "admin_initiated"
    for user in users:
        assert conv["id"] in api.search_ids(
            "conversations", {"field": "contact_ids", "operator": "=", "value": user["id"]}
        )
