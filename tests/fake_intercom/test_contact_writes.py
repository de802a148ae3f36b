"""Contact writes: merging PUT with type checks, create, delete, merge, data attributes."""

from __future__ import annotations

import pytest

from tests.fake_intercom.conftest import live_contacts


def error(response, status=400) -> tuple[str, str]:
    assert response.status_code == status, response.text
    item = response.json()["errors"][0]
    return item["code"], item["message"]


def test_put_merges_custom_attributes_per_key(api, truth, fake):
    contact = live_contacts(truth, "user")[0]
    before = contact["custom_attributes"]
    fake.backend.clock = lambda: contact["updated_at"] + 10_000_000
    try:
        body = api.ok(
            "PUT",
            f"/contacts/{contact['id']}",
            json={
                "name": "New Name",
                "custom_attributes": {"Engagement Status": "At Risk", "Last Call": 1781000000},
            },
        )
    finally:
        fake.backend.clock = fake.emulator.clock
    assert body["custom_attributes"] == before | {
        "Engagement Status": "At Risk",
        "Last Call": 1781000000,
    }
    assert body["name"] == "New Name"
    assert body["updated_at"] == contact["updated_at"] + 10_000_000
    assert api.ok("GET", f"/contacts/{contact['id']}") == body
    untouched = {
        k: v for k, v in body.items() if k not in ("name", "updated_at", "custom_attributes")
    }
    assert untouched == {k: v for k, v in contact.items() if k in untouched}


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("Enrolled Date", "2025-03-04"),  # date: integer unix seconds only
        ("Enrolled Date", 1700000000.5),
        ("Enrolled Date", True),
        ("Employer", 42),  # string
        ("Employer", "x" * 256),  # strings are at most 255 characters
        ("Employer", None),  # Intercom refused null values
    ],
)
def test_put_type_checks_against_declared_attribute(api, truth, attribute, value):
    contact = live_contacts(truth, "user")[0]
    code, message = error(
        api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {attribute: value}})
    )
    assert code == "parameter_invalid"
    assert attribute in message
    assert api.ok("GET", f"/contacts/{contact['id']}") == contact


def test_put_typed_attributes_accept_their_types(api, truth):
    for data_type, name, value in (
        ("integer", "Visits", 3),
        ("float", "Score", 2.5),
        ("boolean", "Consented", False),
    ):
        api.ok(
            "POST",
            "/data_attributes",
            json={"name": name, "model": "contact", "data_type": data_type},
        )
        contact = live_contacts(truth, "user")[0]
        body = api.ok(
            "PUT", f"/contacts/{contact['id']}", json={"custom_attributes": {name: value}}
        )
        assert body["custom_attributes"][name] == value
        wrong = "three" if data_type != "boolean" else 0
        code, _ = error(
            api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {name: wrong}})
        )
        assert code == "parameter_invalid"


def test_put_unknown_attribute_is_rejected(api, truth):
    contact = live_contacts(truth, "user")[0]
    code, message = error(
        api.put(f"/contacts/{contact['id']}", json={"custom_attributes": {"Shoe Size": "9"}})
    )
    assert code == "parameter_invalid" and "Shoe Size" in message


def test_put_bad_json_and_bad_fields(api, truth):
    contact = live_contacts(truth, "user")[0]
    response = api.request("PUT", f"/contacts/{contact['id']}", content=b"{not json")
    assert error(response)[0] == "parameter_invalid"
    assert error(api.put(f"/contacts/{contact['id']}", json={"role": "admin"}))[0] == (
        "parameter_invalid"
    )
    other = live_contacts(truth, "user")[1]
    code, message = error(
        api.put(f"/contacts/{contact['id']}", json={"external_id": other["external_id"]}), 409
    )
    assert code == "conflict" and other["id"] in message


def test_unknown_contact_is_404(api):
    for response in (
        api.get("/contacts/000000000000000000000000"),
        api.put("/contacts/000000000000000000000000", json={"name": "x"}),
        api.delete("/contacts/000000000000000000000000"),
    ):
        assert error(response, 404) == ("not_found", "User Not Found")


def test_create_contact(api, fake):
    body = api.ok(
        "POST",
        "/contacts",
        json={
            "email": "new.member@example.com",
            "external_id": "990001",
            "name": "New Member",
            "custom_attributes": {"Employer": "Acme Manufacturing"},
        },
    )
    assert len(body["id"]) == 24 and int(body["id"], 16) >= 0
    assert body["role"] == "user" and body["external_id"] == "990001"
    assert body["created_at"] == body["updated_at"]
    assert api.ok("GET", f"/contacts/{body['id']}") == body
    found = api.search_ids("contacts", {"field": "external_id", "operator": "=", "value": "990001"})
    assert found == {body["id"]}
    code, _ = error(api.post("/contacts", json={"external_id": "990001"}), 409)
    assert code == "conflict"
    assert error(api.post("/contacts", json={"name": "nobody"}))[0] == "parameter_invalid"
    lead = api.ok("POST", "/contacts", json={"role": "lead"})
    assert lead["role"] == "lead" and lead["external_id"] is None


def test_delete_contact(api, fake, truth):
    contact = live_contacts(truth, "user")[3]
    body = api.ok("DELETE", f"/contacts/{contact['id']}")
    assert body == {
        "id": contact["id"],
        "external_id": contact["external_id"],
        "type": "contact",
        "deleted": True,
    }
    assert api.get(f"/contacts/{contact['id']}").status_code == 404
    assert contact["id"] not in api.search_ids(
        "contacts", {"field": "created_at", "operator": ">", "value": 0}
    )
    listed = api.ok("GET", "/contacts", params={"per_page": 150})
    assert contact["id"] not in {c["id"] for c in listed["data"]}
    deleted = fake.backend.ground_truth()["deleted_contacts"]
    assert {"id": contact["id"], "external_id": contact["external_id"]} in deleted


def test_merge_lead_into_user(api, fake, truth):
    lead = next(c for c in live_contacts(truth, "lead") if c["email"])
    user = live_contacts(truth, "user")[0]
    lead_convs = api.search_ids(
        "conversations", {"field": "contact_ids", "operator": "=", "value": lead["id"]}
    )
    assert lead_convs
    merged = api.ok("POST", "/contacts/merge", json={"from": lead["id"], "into": user["id"]})
    assert merged["id"] == user["id"] and merged["updated_at"] >= user["updated_at"]
    assert error(api.get(f"/contacts/{lead['id']}"), 404)[0] == "not_found"
    assert lead["id"] not in api.search_ids(
        "contacts", {"field": "role", "operator": "=", "value": "lead"}
    )
    listed = {c["id"] for c in api.ok("GET", "/contacts", params={"per_page": 150})["data"]}
    assert lead["id"] not in listed and user["id"] in listed
    # the lead's conversations now list the user instead, and were bumped
    moved = api.search_ids(
        "conversations", {"field": "contact_ids", "operator": "=", "value": user["id"]}
    )
    assert lead_convs <= moved
    for conversation_id in lead_convs:
        conv = api.ok("GET", f"/conversations/{conversation_id}")
        refs = [r["id"] for r in conv["contacts"]["contacts"]]
        assert lead["id"] not in refs and user["id"] in refs
    gt = fake.backend.ground_truth()
    assert {"id": lead["id"], "external_id": None, "merged_into": user["id"]} in gt[
        "merged_contacts"
    ]


def test_merge_rules(api, truth):
    users = live_contacts(truth, "user")
    lead = live_contacts(truth, "lead")[0]
    assert error(
        api.post("/contacts/merge", json={"from": users[0]["id"], "into": users[1]["id"]})
    )[0] == ("parameter_invalid")
    assert error(api.post("/contacts/merge", json={"from": lead["id"]}))[0] == ("parameter_invalid")
    assert (
        error(api.post("/contacts/merge", json={"from": lead["id"], "into": "0" * 24}), 404)[0]
        == "not_found"
    )


@pytest.mark.parametrize(
    ("payload", "status", "code", "message"),
    [
        (
            {"model": "contact", "data_type": "string"},
            400,
            "parameter_not_found",
            "Name is a required parameter.",
        ),
        (
            {"name": "!nv@l!d n@me", "model": "contact", "data_type": "string"},
            400,
            "parameter_invalid",
            "Your name for this attribute must only contain alphanumeric "
            "characters, currency symbols, and hyphens",
        ),
        (
            {"name": "Employer", "model": "contact", "data_type": "string"},
            400,
            "parameter_invalid",
            "You already have 'Employer' in your people data. To save this as new people data, "
            "use a different name.",
        ),
        (
            {"name": "Employer", "model": "company", "data_type": "string"},
            400,
            "parameter_invalid",
            "You already have 'Employer' in your people data. To save this as new company data, "
            "use a different name.",
        ),
        (
            {"name": "The Second Ring", "model": "contact", "data_type": "mithril"},
            400,
            "parameter_invalid",
            "Data Type isn't an option",
        ),
        (
            {"name": "Ring", "model": "conversation", "data_type": "string"},
            400,
            "parameter_invalid",
            "The Data Attribute model field must be either contact or company",
        ),
    ],
)
def test_create_data_attribute_errors(api, payload, status, code, message):
    assert error(api.post("/data_attributes", json=payload), status) == (code, message)


def test_create_data_attribute_with_spaces_and_datetime(api):
    body = api.ok(
        "POST",
        "/data_attributes",
        json={
            "name": "Mithril Shirt",
            "model": "contact",
            "data_type": "datetime",
            "description": "When it was found",
        },
    )
    assert body["full_name"] == "custom_attributes.Mithril Shirt"
    assert body["data_type"] == "date" and body["custom"] is True and isinstance(body["id"], int)
    listed = api.ok("GET", "/data_attributes", params={"model": "contact"})["data"]
    assert body in listed
    assert api.get("/data_attributes", params={"model": "ticket"}).status_code == 400
