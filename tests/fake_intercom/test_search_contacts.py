"""Contact search: every operator per type, day-granular dates, type errors, limits, sort.

Expected results are computed here from the ground truth, independently of the fake's SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.fake_intercom.conftest import live_contacts
from tests.fake_intercom.openapi import search_operators

DAY = 86_400


def ids(items, keep) -> set[str]:
    return {c["id"] for c in items if keep(c)}


def error_code(response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["errors"][0]["code"]


def test_string_operators(api, truth):
    contacts = live_contacts(truth)
    users = [c for c in contacts if c["role"] == "user"]
    email = users[0]["email"]
    domain_part = email.split("@")[1]
    prefix = email[:4].upper()
    cases = [
        ({"field": "email", "operator": "=", "value": email}, lambda c: c["email"] == email),
        (
            {"field": "email", "operator": "!=", "value": email},
            lambda c: c["email"] is not None and c["email"] != email,
        ),
        ({"field": "role", "operator": "IN", "value": ["lead"]}, lambda c: c["role"] == "lead"),
        (
            {"field": "role", "operator": "NIN", "value": ["lead", "nobody"]},
            lambda c: c["role"] != "lead",
        ),
        (
            {"field": "email", "operator": "~", "value": domain_part.upper()},
            lambda c: c["email"] is not None and domain_part in c["email"],
        ),
        (
            {"field": "email", "operator": "!~", "value": domain_part},
            lambda c: c["email"] is not None and domain_part not in c["email"],
        ),
        (
            {"field": "email", "operator": "^", "value": prefix},
            lambda c: c["email"] is not None and c["email"].lower().startswith(prefix.lower()),
        ),
        (
            {"field": "email", "operator": "$", "value": "." + email.rsplit(".", 1)[1]},
            lambda c: c["email"] is not None and c["email"].endswith("." + email.rsplit(".", 1)[1]),
        ),
        (
            {"field": "email_domain", "operator": "=", "value": domain_part},
            lambda c: c["email"] is not None and c["email"].split("@")[1] == domain_part,
        ),
        (
            {"field": "external_id", "operator": "=", "value": users[1]["external_id"]},
            lambda c: c["external_id"] == users[1]["external_id"],
        ),
        (
            {"field": "id", "operator": "=", "value": users[2]["id"]},
            lambda c: c["id"] == users[2]["id"],
        ),
    ]
    for query, keep in cases:
        expected = ids(contacts, keep)
        assert expected, f"the case {query} tests nothing"
        assert api.search_ids("contacts", query) == expected, query


def test_custom_attribute_with_spaces_and_string_operators(api, truth):
    contacts = live_contacts(truth)

    def employer(c):
        return c["custom_attributes"].get("Employer")

    cases = [
        (
            {"field": "custom_attributes.Employer", "operator": "=", "value": "Acme Manufacturing"},
            lambda c: employer(c) == "Acme Manufacturing",
        ),
        (
            {"field": "custom_attributes.Registration Code", "operator": "^", "value": "acm"},
            lambda c: (
                str(c["custom_attributes"].get("Registration Code", "")).lower().startswith("acm")
            ),
        ),
        (
            {
                "field": "custom_attributes.Employer",
                "operator": "NIN",
                "value": ["Acme Manufacturing", "Globex Logistics"],
            },
            lambda c: (
                employer(c) is not None
                and employer(c) not in ("Acme Manufacturing", "Globex Logistics")
            ),
        ),
    ]
    for query, keep in cases:
        expected = ids(contacts, keep)
        assert expected, query
        assert api.search_ids("contacts", query) == expected, query


def test_integer_operators_including_ge_and_le(api, truth, fake):
    admins = [int(a["id"]) for a in truth["admins"]]
    users = live_contacts(truth, "user")[:4]
    for contact, owner in zip(users, sorted(admins)[:4], strict=True):
        api.ok("PUT", f"/contacts/{contact['id']}", json={"owner_id": owner})
    contacts = api.search_ids("contacts", {"field": "owner_id", "operator": ">", "value": 0})
    assert contacts == {c["id"] for c in users}
    owners = sorted(admins)[:4]
    mid = owners[1]
    checks = {
        "=": {users[1]["id"]},
        "!=": {users[0]["id"], users[2]["id"], users[3]["id"]},
        "<": {users[0]["id"]},
        "<=": {users[0]["id"], users[1]["id"]},
        ">": {users[2]["id"], users[3]["id"]},
        ">=": {users[1]["id"], users[2]["id"], users[3]["id"]},
    }
    for operator, expected in checks.items():
        query = {"field": "owner_id", "operator": operator, "value": mid}
        assert api.search_ids("contacts", query) == expected, operator
    assert api.search_ids(
        "contacts", {"field": "owner_id", "operator": "IN", "value": [owners[0], str(owners[3])]}
    ) == {users[0]["id"], users[3]["id"]}
    assert api.search_ids(
        "contacts", {"field": "owner_id", "operator": "NIN", "value": [owners[0]]}
    ) == {users[1]["id"], users[2]["id"], users[3]["id"]}


def test_float_and_boolean_custom_attributes(api, truth):
    created = api.ok(
        "POST",
        "/data_attributes",
        json={"name": "Risk Score", "model": "contact", "data_type": "float"},
    )
    assert created["full_name"] == "custom_attributes.Risk Score"
    api.ok(
        "POST",
        "/data_attributes",
        json={"name": "Opted In", "model": "contact", "data_type": "boolean"},
    )
    users = live_contacts(truth, "user")[:3]
    for contact, score, opted in zip(users, (0.5, 1.5, 2), (True, False, True), strict=True):
        api.ok(
            "PUT",
            f"/contacts/{contact['id']}",
            json={"custom_attributes": {"Risk Score": score, "Opted In": opted}},
        )
    score = "custom_attributes.Risk Score"
    assert api.search_ids("contacts", {"field": score, "operator": ">=", "value": 1.5}) == {
        users[1]["id"],
        users[2]["id"],
    }
    assert api.search_ids("contacts", {"field": score, "operator": "<", "value": "1"}) == {
        users[0]["id"]
    }
    opted = "custom_attributes.Opted In"
    assert api.search_ids("contacts", {"field": opted, "operator": "=", "value": True}) == {
        users[0]["id"],
        users[2]["id"],
    }
    # the Node SDK has no boolean value type, so "true"/"false" strings must work too
    assert api.search_ids("contacts", {"field": opted, "operator": "=", "value": "false"}) == {
        users[1]["id"]
    }
    assert api.search_ids("contacts", {"field": opted, "operator": "!=", "value": True}) == {
        users[1]["id"]
    }
    assert api.search_ids("contacts", {"field": opted, "operator": "IN", "value": [False]}) == {
        users[1]["id"]
    }
    assert api.search_ids("contacts", {"field": opted, "operator": "NIN", "value": [False]}) == {
        users[0]["id"],
        users[2]["id"],
    }


def test_standard_boolean_field(api, truth):
    target = live_contacts(truth, "user")[5]
    api.ok("PUT", f"/contacts/{target['id']}", json={"unsubscribed_from_emails": True})
    query = {"field": "unsubscribed_from_emails", "operator": "=", "value": True}
    assert api.search_ids("contacts", query) == {target["id"]}
    query = {"field": "unsubscribed_from_emails", "operator": "!=", "value": True}
    assert api.search_ids("contacts", query) == {c["id"] for c in truth["contacts"]} - {
        target["id"]
    }


def test_dates_compare_by_whole_utc_day(api, truth):
    """Reference §5.3: `=` is the whole day, `>` starts at the next day, `<` before the day."""
    day = int(datetime(2031, 3, 4, tzinfo=UTC).timestamp())
    users = live_contacts(truth, "user")[:5]
    stamps = [day - 1, day, day + 12 * 3600, day + DAY - 1, day + DAY]
    for contact, stamp in zip(users, stamps, strict=True):
        api.ok(
            "PUT", f"/contacts/{contact['id']}", json={"custom_attributes": {"Last Call": stamp}}
        )
    field = "custom_attributes.Last Call"
    before, start, noon, end, after = (c["id"] for c in users)
    window = {"field": field, "operator": "<", "value": day + 3 * DAY}
    lower = {"field": field, "operator": ">", "value": day - 3 * DAY}

    def search(operator, value):
        query = {
            "operator": "AND",
            "value": [{"field": field, "operator": operator, "value": value}, window, lower],
        }
        return api.search_ids("contacts", query)

    for probe in (day, day + 9 * 3600, day + DAY - 1):  # any instant of the day means the day
        assert search("=", probe) == {start, noon, end}
        assert search(">", probe) == {after}
        assert search("<", probe) == {before}
    assert search("=", str(day + 5)) == {start, noon, end}  # numeric strings are accepted
    assert search(">", day - 1) == {start, noon, end, after}


def test_standard_timestamps_are_day_granular_too(api, truth):
    contact = live_contacts(truth, "user")[0]
    created = contact["created_at"]
    same_day = {c["id"] for c in truth["contacts"] if c["created_at"] // DAY == created // DAY}
    query = {"field": "created_at", "operator": "=", "value": created - created % DAY + 7}
    assert api.search_ids("contacts", query) == same_day


def test_every_operator_the_spec_lists_is_accepted_on_a_type_it_suits(api, truth):
    """The 2.11 operator enum, each on a contact field whose type the spec's breakdown allows it
    for (strings take the text operators, integers the comparisons; dates only `= < >`)."""
    email = live_contacts(truth, "user")[0]["email"]
    for operator in search_operators():
        text = operator in ("=", "!=", "IN", "NIN", "~", "!~", "^", "$")
        field, value = ("email", email) if text else ("owner_id", 1)
        query = {
            "field": field,
            "operator": operator,
            "value": [value] if operator in ("IN", "NIN") else value,
        }
        response = api.search("contacts", query)
        assert response.status_code == 200, (query, response.text)


@pytest.mark.parametrize("operator", ["!=", "IN", "NIN", ">=", "<="])
def test_operators_intercom_rejects_on_dates(api, operator):
    value = [1700000000] if operator in ("IN", "NIN") else 1700000000
    for field in ("created_at", "updated_at", "custom_attributes.Enrolled Date"):
        response = api.search("contacts", {"field": field, "operator": operator, "value": value})
        assert error_code(response) == "parameter_invalid"


@pytest.mark.parametrize(
    "query",
    [
        {"field": "email", "operator": "=", "value": 5},
        {"field": "email", "operator": "=", "value": None},
        {"field": "email", "operator": "IN", "value": "a@b.c"},
        {"field": "email", "operator": "IN", "value": []},
        {"field": "email", "operator": ">", "value": "a"},
        {"field": "email", "operator": "LIKE", "value": "a"},
        {"field": "created_at", "operator": ">", "value": "foorbar"},
        {"field": "created_at", "operator": ">", "value": True},
        {"field": "owner_id", "operator": "~", "value": 1},
        {"field": "unsubscribed_from_emails", "operator": "=", "value": "yes"},
        {"field": "unsubscribed_from_emails", "operator": ">", "value": True},
        {"field": "tag_id", "operator": "IN", "value": ["1"]},
        {"field": "custom_attributes.Enrolled Date", "operator": "=", "value": "2025-03-04"},
        {"field": "custom_attributes.Employer", "operator": "<", "value": 3},
        {"field": "custom_attributes.No Such Thing", "operator": "=", "value": "x"},
        {"field": "favourite_colour", "operator": "=", "value": "blue"},
        {"field": "email", "operator": "="},
        {"operator": "XOR", "value": [{"field": "email", "operator": "=", "value": "a"}]},
        {"operator": "AND", "value": []},
        {"operator": "AND", "value": "email"},
    ],
)
def test_invalid_queries_get_parameter_invalid(api, query):
    assert error_code(api.search("contacts", query)) == "parameter_invalid"


def test_missing_query(api):
    response = api.post("/contacts/search", json={"pagination": {"per_page": 5}})
    assert error_code(response) == "parameter_not_found"


def leaf(i: int) -> dict:
    return {"field": "email", "operator": "!=", "value": f"nobody{i}@example.com"}


def test_nesting_limit(api, truth):
    everyone = {c["id"] for c in truth["contacts"] if c["email"]}
    two_levels = {
        "operator": "AND",
        "value": [
            {"operator": "OR", "value": [leaf(1), leaf(2)]},
            {"operator": "OR", "value": [leaf(3), leaf(4)]},
        ],
    }
    assert api.search_ids("contacts", two_levels) == everyone
    three_levels = {
        "operator": "AND",
        "value": [{"operator": "OR", "value": [{"operator": "AND", "value": [leaf(1), leaf(2)]}]}],
    }
    assert error_code(api.search("contacts", three_levels)) == "parameter_invalid"


def test_filter_count_limit(api, truth):
    everyone = {c["id"] for c in truth["contacts"] if c["email"]}
    fifteen = {"operator": "AND", "value": [leaf(i) for i in range(15)]}
    assert api.search_ids("contacts", fifteen) == everyone
    sixteen = {"operator": "OR", "value": [leaf(i) for i in range(16)]}
    assert error_code(api.search("contacts", sixteen)) == "parameter_invalid"
    nested = {
        "operator": "AND",
        "value": [leaf(0), {"operator": "OR", "value": [leaf(i) for i in range(16)]}],
    }
    assert error_code(api.search("contacts", nested)) == "parameter_invalid"


def test_and_or_semantics(api, truth):
    contacts = live_contacts(truth)
    query = {
        "operator": "OR",
        "value": [
            {"field": "role", "operator": "=", "value": "lead"},
            {
                "operator": "AND",
                "value": [
                    {
                        "field": "custom_attributes.Employer",
                        "operator": "=",
                        "value": "Globex Logistics",
                    },
                    {
                        "field": "custom_attributes.Referral",
                        "operator": "=",
                        "value": "Counter Health",
                    },
                ],
            },
        ],
    }
    expected = ids(
        contacts,
        lambda c: (
            c["role"] == "lead"
            or (
                c["custom_attributes"].get("Employer") == "Globex Logistics"
                and c["custom_attributes"].get("Referral") == "Counter Health"
            )
        ),
    )
    assert api.search_ids("contacts", query) == expected


def test_sort_orders_and_errors(api, truth):
    query = {"field": "role", "operator": "=", "value": "user"}
    for order in ("ascending", "descending"):
        body = api.ok(
            "POST",
            "/contacts/search",
            json={
                "query": query,
                "pagination": {"per_page": 150},
                "sort": {"field": "custom_attributes.Employer", "order": order},
            },
        )
        values = [c["custom_attributes"].get("Employer") for c in body["data"]]
        present = [v for v in values if isinstance(v, str)]
        assert present == sorted(present, reverse=order == "descending")
    response = api.search("contacts", query, sort={"field": "created_at", "order": "desc"})
    assert error_code(response) == "invalid_sort_order"
    assert response.json()["errors"][0]["message"] == (
        "Invalid sort order 'desc'. Must be one of: ascending, descending"
    )
    assert error_code(api.search("contacts", query, sort={"field": "shoe_size"})) == (
        "parameter_invalid"
    )


def test_search_index_excludes_deleted_contacts(api, truth):
    deleted = {d["id"] for d in truth["deleted_contacts"]}
    assert deleted
    found = api.search_ids("contacts", {"field": "created_at", "operator": ">", "value": 0})
    assert found.isdisjoint(deleted)
    for contact_id in deleted:
        assert api.get(f"/contacts/{contact_id}").status_code == 404
