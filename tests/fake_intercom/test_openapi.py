"""Every operation's responses validate against the 2.11 OpenAPI component schemas (with the
known errors of the spec patched in tests/fake_intercom/openapi.py, each citing the reference)."""

from __future__ import annotations

import pytest

from tests.fake_intercom.conftest import live_contacts
from tests.fake_intercom.openapi import assert_valid, validator


def walk(api, path: str, key: str) -> list[dict]:
    pages, params = [], {"per_page": 150}
    while True:
        body = api.ok("GET", path, params=params)
        pages.append(body)
        if "next" not in body["pages"]:
            return pages
        params["starting_after"] = body["pages"]["next"]["starting_after"]


def test_reads(api, truth):
    assert_valid("admin_with_app", api.ok("GET", "/me"))
    assert_valid("admin_list", api.ok("GET", "/admins"))
    assert_valid("team_list", api.ok("GET", "/teams"))
    for model in ("contact", "conversation", None):
        params = {"model": model} if model else {}
        assert_valid("data_attribute_list", api.ok("GET", "/data_attributes", params=params))
    for page in walk(api, "/contacts", "data"):
        assert_valid("contact_list", page)
    for page in walk(api, "/conversations", "conversations"):
        assert_valid("paginated_conversation_response", page)
    for contact in truth["contacts"]:
        assert_valid("contact", api.ok("GET", f"/contacts/{contact['id']}"))
    reopened = [c for c in truth["conversations"] if c["statistics"]["count_reopens"]]
    for conv in [*truth["conversations"][:40], *reopened[:5]]:
        body = api.ok("GET", f"/conversations/{conv['id']}")
        assert_valid("conversation", body)
    assert any(
        api.ok("GET", f"/conversations/{c['id']}")["conversation_parts"]["total_count"]
        for c in reopened[:5]
    )


def test_searches(api):
    body = api.ok(
        "POST",
        "/contacts/search",
        json={
            "query": {
                "operator": "AND",
                "value": [{"field": "created_at", "operator": ">", "value": "1306054154"}],
            },
            "pagination": {"per_page": 5},
        },
    )
    assert_valid("contact_list", body)
    body = api.ok(
        "POST",
        "/conversations/search",
        json={
            "query": {"field": "state", "operator": "IN", "value": ["open", "closed", "snoozed"]},
            "pagination": {"per_page": 150},
        },
    )
    assert_valid("paginated_conversation_response", body)
    assert {c["state"] for c in body["conversations"]} == {"open", "closed", "snoozed"}


def test_writes(api, truth):
    users = live_contacts(truth, "user")
    admin = next(a for a in truth["admins"] if a["job_title"] == "Health Coach")
    assert_valid(
        "data_attribute",
        api.ok(
            "POST",
            "/data_attributes",
            json={"name": "Mithril Shirt", "model": "contact", "data_type": "string"},
        ),
    )
    created = api.ok("POST", "/contacts", json={"email": "joebloggs@intercom.io"})
    assert_valid("contact", created)
    assert_valid(
        "contact",
        api.ok(
            "PUT",
            f"/contacts/{users[0]['id']}",
            json={"name": "joe bloggs", "custom_attributes": {"Engagement Status": "Engaged"}},
        ),
    )
    lead = live_contacts(truth, "lead")[0]
    assert_valid(
        "contact",
        api.ok("POST", "/contacts/merge", json={"from": lead["id"], "into": users[1]["id"]}),
    )
    assert_valid("contact_deleted", api.ok("DELETE", f"/contacts/{created['id']}"))
    message = api.ok(
        "POST",
        "/conversations",
        json={"from": {"type": "user", "id": users[2]["id"]}, "body": "Hello there"},
    )
    assert_valid("message", message)
    assert message["conversation_id"]
    conv_id = message["conversation_id"]
    assert_valid(
        "conversation",
        api.ok(
            "PUT",
            f"/conversations/{conv_id}",
            json={"read": True, "custom_attributes": {"Channel": "Chat"}},
        ),
    )
    for payload in (
        {
            "message_type": "assignment",
            "type": "admin",
            "admin_id": admin["id"],
            "assignee_id": admin["id"],
        },
        {"message_type": "snoozed", "admin_id": admin["id"], "snoozed_until": 1900000000},
        {"message_type": "open", "admin_id": admin["id"]},
        {"message_type": "close", "type": "admin", "admin_id": admin["id"], "body": "Bye"},
    ):
        body = api.ok("POST", f"/conversations/{conv_id}/parts", json=payload)
        assert_valid("conversation", body)
    body = api.ok(
        "POST",
        f"/conversations/{conv_id}/reply",
        json={"message_type": "comment", "type": "admin", "admin_id": admin["id"], "body": "Hi"},
    )
    assert_valid("conversation", body)
    assert body["conversation_parts"]["total_count"] == 5


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status"),
    [
        ("GET", "/contacts", None, {"Authorization": "Bearer nope"}, 401),
        ("GET", "/contacts/000000000000000000000000", None, {}, 404),
        ("GET", "/conversations/1", None, {}, 404),
        (
            "POST",
            "/contacts/search",
            {"query": {"field": "x", "operator": "=", "value": 1}},
            {},
            400,
        ),
    ],
)
def test_errors(api, method, path, body, headers, status):
    response = api.request(method, path, json=body, headers=headers)
    assert response.status_code == status
    assert_valid("error", response.json())


def test_the_patches_are_needed():
    """Each patch exists because the unpatched 2.11 schema rejects what Intercom returns."""
    pages = {
        "type": "pages",
        "page": 1,
        "per_page": 5,
        "total_pages": 2,
        "next": {"page": 2, "starting_after": "WzE3MDc5MzAwODEwMDAsMTMxLDJd"},
    }
    assert validator("cursor_pages").is_valid(pages)
    import copy

    import yaml

    from tests.fake_intercom.openapi import spec_path

    raw = yaml.load(spec_path().read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    original_next = raw["components"]["schemas"]["starting_after_paging"]
    assert "per_page" in original_next["required"]  # the spec demands what Intercom omits
    assert "custom_attributes" not in raw["components"]["schemas"]  # the broken $ref
    assert copy.deepcopy(
        raw["components"]["schemas"]["data_attribute"]["properties"]["model"]["enum"]
    ) == ["contact", "company"]
