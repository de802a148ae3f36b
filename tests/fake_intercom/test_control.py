"""The /_emulator control surface, request hooks, and reset back to the generated state."""

from __future__ import annotations

import orjson

from fake_intercom import RequestInfo
from tests.fake_intercom.conftest import live_contacts


def ndjson(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [orjson.loads(line) for line in response.content.splitlines()]


def test_stats_by_endpoint_and_outcome(api, fake):
    contact = fake.backend.ground_truth()["contacts"][0]
    api.get("/me")
    api.get(f"/contacts/{contact['id']}")
    api.get("/contacts/000000000000000000000000")
    api.get("/me", headers={"Authorization": "Bearer wrong"})
    stats = api.ok("GET", "/_emulator/stats")
    assert stats["requests"] == 4 and stats["unauthorized"] == 1
    assert stats["by_endpoint"] == {
        "GET /me": {"200": 1, "401": 1},
        "GET /contacts/{contact_id}": {"200": 1, "404": 1},
    }
    assert stats["intercom_versions"] == {"2.11": 4}
    assert stats == fake.stats() | {"requests": 4}


def test_ground_truth_streams_match_the_api(api, fake):
    contacts = ndjson(api.get("/_emulator/ground_truth", params={"stream": "contacts"}))
    assert contacts == fake.backend.ground_truth()["contacts"]
    for contact in contacts[:10]:
        assert api.ok("GET", f"/contacts/{contact['id']}") == contact
    conversations = ndjson(api.get("/_emulator/ground_truth", params={"stream": "conversations"}))
    searched = api.ok(
        "POST",
        "/conversations/search",
        json={
            "query": {
                "field": "id",
                "operator": "IN",
                "value": [c["id"] for c in conversations[:5]],
            }
        },
    )["conversations"]
    assert sorted(searched, key=lambda c: c["id"]) == sorted(
        conversations[:5], key=lambda c: c["id"]
    )
    assert all("conversation_parts" not in c for c in conversations)
    deleted = ndjson(api.get("/_emulator/ground_truth", params={"stream": "deleted_contacts"}))
    assert deleted and {d["id"] for d in deleted}.isdisjoint({c["id"] for c in contacts})
    manifest = ndjson(api.get("/_emulator/ground_truth", params={"stream": "manifest"}))
    assert manifest[0]["as_of"] == "2026-06-15"
    bad = api.get("/_emulator/ground_truth", params={"stream": "tickets"})
    assert bad.status_code == 400


def test_config_knobs_at_run_time(api):
    config = api.ok("GET", "/_emulator/config")
    assert config["fault_rate"] == 0 and config["rate_limit_per_10s"] == 1667
    changed = api.ok(
        "PUT",
        "/_emulator/config",
        json={"latency": "1ms", "fault_rate": 0.2, "fault_kinds": "500,reset"},
    )
    assert changed["fault_kinds"] == ["500", "reset"] and changed["latency"] == "1ms"
    for bad in (
        {"fault_rate": 2},
        {"no_such_knob": 1},
        {"latency": "soon"},
        {"fault_kinds": "500,meteor"},
        {"rate_limit_per_10s": -1},
    ):
        response = api.put("/_emulator/config", json=bad)
        assert response.status_code == 400, bad
        assert response.json()["errors"][0]["code"] == "parameter_invalid"
    assert api.ok("GET", "/_emulator/config") == changed


def test_action_endpoints(api, truth):
    users = live_contacts(truth, "user")[:2]
    conv = api.ok(
        "POST",
        "/_emulator/conversations",
        json={
            "contact_ids": [u["id"] for u in users],
            "state": "open",
            "custom_attributes": {"Channel": "Phone", "Service Code": "Health Coaching 001"},
        },
    )
    path = f"/_emulator/conversations/{conv['id']}"
    closed = api.ok("POST", path + "/state", json={"state": "closed"})
    assert closed["state"] == "closed" and closed["statistics"]["last_close_at"]
    snoozed = api.ok(
        "POST", path + "/state", json={"state": "snoozed", "snoozed_until": 1900000000}
    )
    assert snoozed["state"] == "snoozed"
    dirty = api.ok("PUT", path + "/custom_attributes", json={"Channel": "SMS", "Mood": "ok"})
    assert dirty["custom_attributes"]["Channel"] == "SMS"
    planted = api.ok(
        "PUT",
        f"/_emulator/contacts/{users[0]['id']}/custom_attributes",
        json={"Enrolled Date": "2025-03-04"},
    )
    assert planted["custom_attributes"]["Enrolled Date"] == "2025-03-04"
    assert api.ok("GET", f"/contacts/{users[0]['id']}") == planted
    assert api.post("/_emulator/conversations", json={"contacts": []}).status_code == 400
    assert api.post(path + "/state", json={"state": "deleted"}).status_code == 400
    assert api.get("/_emulator/nothing").status_code == 404


def test_reset_returns_to_the_generated_state(api, fake, truth):
    users = live_contacts(truth, "user")
    lead = live_contacts(truth, "lead")[0]
    admin = truth["admins"][0]["id"]
    api.ok("PUT", f"/contacts/{users[0]['id']}", json={"custom_attributes": {"Employer": "Z"}})
    api.ok("DELETE", f"/contacts/{users[1]['id']}")
    api.ok("POST", "/contacts/merge", json={"from": lead["id"], "into": users[2]["id"]})
    api.ok("POST", "/contacts", json={"email": "someone@example.com"})
    api.ok(
        "POST",
        "/data_attributes",
        json={"name": "Extra", "model": "contact", "data_type": "string"},
    )
    conv = truth["conversations"][0]
    api.ok(
        "POST",
        f"/conversations/{conv['id']}/parts",
        json={"message_type": "close", "type": "admin", "admin_id": admin},
    )
    api.ok(
        "POST",
        "/conversations",
        json={"from": {"type": "user", "id": users[3]["id"]}, "body": "hi"},
    )
    fake.configure(index_lag_seconds=100)
    api.ok("PUT", f"/contacts/{users[4]['id']}", json={"name": "Pending"})
    assert fake.backend.ground_truth() != truth
    reset = api.ok("POST", "/_emulator/reset")
    assert reset["counts"]["contacts"] == len(truth["contacts"])
    assert orjson.dumps(fake.backend.ground_truth()) == orjson.dumps(truth)
    assert api.ok("GET", "/_emulator/stats")["requests"] == 0
    everyone = {"field": "created_at", "operator": ">", "value": 0}
    assert api.search_ids("contacts", everyone) == {c["id"] for c in truth["contacts"]}
    assert api.search_ids(
        "conversations", {"field": "contact_ids", "operator": "=", "value": lead["id"]}
    )


def test_request_hook_changes_data_mid_walk(api, fake, truth):
    seen: list[RequestInfo] = []
    target = sorted(truth["conversations"], key=lambda c: c["updated_at"])[0]
    admin = truth["admins"][0]["id"]

    @fake.on_request
    def change(info: RequestInfo) -> None:
        seen.append(info)
        if info.number == 2:
            fake.backend.close_conversation(target["id"], admin)

    ids = api.search_ids(
        "conversations",
        {"field": "updated_at", "operator": ">", "value": 0},
        per_page=50,
        sort={"field": "updated_at", "order": "ascending"},
    )
    assert [i.number for i in seen] == list(range(1, len(seen) + 1))
    assert {i.endpoint for i in seen} == {"/conversations/search"}
    assert len(seen) >= 3
    # closed during the walk: bumped to now, so it appears again at the end of an ascending walk
    assert target["id"] in ids
    assert api.ok("GET", f"/conversations/{target['id']}")["state"] == "closed"
    fake.remove_hook(change)
    api.get("/me")
    assert len(seen) == len(set(i.number for i in seen))


def test_simulate_day_changes_a_seeded_share_of_conversations(api, fake, truth):
    before = {c["id"]: c for c in truth["conversations"]}
    latest = max(c["updated_at"] for c in before.values())
    day = api.ok("POST", "/_emulator/simulate_day", json={"share": 0.1, "seed": 3})
    assert day["changed"] == round(len(before) * 0.1) == len(day["conversation_ids"])
    assert day["closed"] + day["noted"] == day["changed"] and day["closed"] and day["noted"]
    after = {c["id"]: c for c in fake.backend.ground_truth()["conversations"]}
    changed = {i for i in after if after[i] != before[i]}
    assert changed == set(day["conversation_ids"])
    for conversation_id in changed:
        old, new = before[conversation_id], after[conversation_id]
        assert new["state"] == "closed" and new["updated_at"] > latest
        if old["state"] == "closed":  # a note: the session's time stays what it was
            assert new["statistics"]["last_close_at"] == old["statistics"]["last_close_at"]
    # What an incremental reader sees: exactly the changed conversations.
    query = {"field": "updated_at", "operator": ">", "value": latest}
    assert api.search_ids("conversations", query) == changed

    fake.reset()
    again = api.ok("POST", "/_emulator/simulate_day", json={"share": 0.1, "seed": 3})
    assert again["conversation_ids"] == day["conversation_ids"]
    for body in ({"share": 0}, {"share": 1.5}, {"share": "x"}, {"seed": 1}, {"share": 0.1, "x": 1}):
        assert api.post("/_emulator/simulate_day", json=body).status_code == 400


def test_reset_restores_every_knob(api, fake, truth):
    """Reset returns the knobs to those the fake was created with, whichever way they were
    changed, and they act again (no lag, no faults, the started limit)."""
    started = api.ok("GET", "/_emulator/config")
    changed = {
        "token": "another-token",
        "latency": "1ms",
        "rate_limit_per_10s": 500,
        "index_lag_seconds": 60,
        "fault_rate": 1.0,
        "fault_kinds": ["503"],
        "fault_seed": 99,
        "burst429_length": 5,
        "timeout_hang_seconds": 1.0,
    }
    assert set(changed) == set(started)  # every knob `configure` can change
    assert api.ok("PUT", "/_emulator/config", json=changed) == changed
    assert api.ok("POST", "/_emulator/reset")["reset"] is True
    assert api.ok("GET", "/_emulator/config") == started
    fake.configure(changed)
    fake.reset()
    assert fake.config.public() == started
    user = live_contacts(truth, "user")[0]
    response = api.put(f"/contacts/{user['id']}", json={"name": "Seen at once"})
    assert response.status_code == 200 and response.headers["x-ratelimit-limit"] == "1667"
    query = {"field": "name", "operator": "=", "value": "Seen at once"}
    assert api.search_ids("contacts", query) == {user["id"]}
