"""Conversation search: the documented fields and operators, exact-second dates, side tables
(contact_ids, teammate_ids), word matching on source.body, and what is rejected."""

from __future__ import annotations

import pytest

from tests.fake_intercom.openapi import search_operators


def ids(items, keep) -> set[str]:
    return {c["id"] for c in items if keep(c)}


def error_code(response) -> str:
    assert response.status_code == 400, response.text
    return response.json()["errors"][0]["code"]


def contact_ids(c) -> list[str]:
    return [ref["id"] for ref in c["contacts"]["contacts"]]


def teammate_ids(c) -> list[str]:
    return [t["id"] for t in c["teammates"]["teammates"]]


def test_every_operator_on_each_type(api, truth):
    convs = truth["conversations"]
    sample = sorted(convs, key=lambda c: c["updated_at"])[len(convs) // 2]
    stamp = sample["updated_at"]
    assignee = next(c["admin_assignee_id"] for c in convs if c["admin_assignee_id"])
    person = next(contact_ids(c)[0] for c in convs if len(contact_ids(c)) == 1)
    other = next(i for c in convs for i in contact_ids(c) if i != person)
    mate = next(teammate_ids(c)[0] for c in convs if teammate_ids(c))
    closed_at = sorted(
        c["statistics"]["last_close_at"] for c in convs if c["statistics"]["last_close_at"]
    )[10]
    cases = [
        (
            {"field": "state", "operator": "=", "value": "snoozed"},
            lambda c: c["state"] == "snoozed",
        ),
        ({"field": "state", "operator": "!=", "value": "closed"}, lambda c: c["state"] != "closed"),
        (
            {"field": "state", "operator": "IN", "value": ["open", "snoozed"]},
            lambda c: c["state"] in ("open", "snoozed"),
        ),
        ({"field": "state", "operator": "NIN", "value": ["open"]}, lambda c: c["state"] != "open"),
        ({"field": "state", "operator": "~", "value": "OSE"}, lambda c: "ose" in c["state"]),
        ({"field": "state", "operator": "!~", "value": "ose"}, lambda c: "ose" not in c["state"]),
        ({"field": "state", "operator": "^", "value": "sno"}, lambda c: c["state"] == "snoozed"),
        ({"field": "state", "operator": "$", "value": "en"}, lambda c: c["state"] == "open"),
        ({"field": "open", "operator": "=", "value": False}, lambda c: not c["open"]),
        ({"field": "open", "operator": "=", "value": "true"}, lambda c: c["open"]),
        (
            {"field": "admin_assignee_id", "operator": "=", "value": assignee},
            lambda c: c["admin_assignee_id"] == assignee,
        ),
        (
            {"field": "admin_assignee_id", "operator": "!=", "value": str(assignee)},
            lambda c: c["admin_assignee_id"] is not None and c["admin_assignee_id"] != assignee,
        ),
        (
            {"field": "admin_assignee_id", "operator": ">", "value": assignee},
            lambda c: (c["admin_assignee_id"] or 0) > assignee,
        ),
        (
            {"field": "admin_assignee_id", "operator": "<", "value": assignee},
            lambda c: c["admin_assignee_id"] is not None and c["admin_assignee_id"] < assignee,
        ),
        (
            {"field": "updated_at", "operator": "=", "value": stamp},
            lambda c: c["updated_at"] == stamp,
        ),
        (
            {"field": "updated_at", "operator": ">", "value": stamp},
            lambda c: c["updated_at"] > stamp,
        ),
        (
            {"field": "updated_at", "operator": "<", "value": str(stamp)},
            lambda c: c["updated_at"] < stamp,
        ),
        (
            {"field": "updated_at", "operator": "!=", "value": stamp},
            lambda c: c["updated_at"] != stamp,
        ),
        (
            {"field": "created_at", "operator": "IN", "value": [sample["created_at"]]},
            lambda c: c["created_at"] == sample["created_at"],
        ),
        (
            {"field": "created_at", "operator": "NIN", "value": [sample["created_at"]]},
            lambda c: c["created_at"] != sample["created_at"],
        ),
        (
            {"field": "statistics.last_close_at", "operator": ">", "value": closed_at},
            lambda c: (c["statistics"]["last_close_at"] or 0) > closed_at,
        ),
        (
            {"field": "statistics.count_reopens", "operator": ">", "value": 0},
            lambda c: c["statistics"]["count_reopens"] > 0,
        ),
        (
            {"field": "contact_ids", "operator": "=", "value": person},
            lambda c: person in contact_ids(c),
        ),
        (
            {"field": "contact_ids", "operator": "!=", "value": person},
            lambda c: person not in contact_ids(c),
        ),
        (
            {"field": "contact_ids", "operator": "IN", "value": [person, other]},
            lambda c: {person, other} & set(contact_ids(c)),
        ),
        (
            {"field": "contact_ids", "operator": "NIN", "value": [person, other]},
            lambda c: not {person, other} & set(contact_ids(c)),
        ),
        (
            {"field": "teammate_ids", "operator": "=", "value": mate},
            lambda c: mate in teammate_ids(c),
        ),
        (
            {"field": "source.delivered_as", "operator": "=", "value": "customer_initiated"},
            lambda c: c["source"]["delivered_as"] == "customer_initiated",
        ),
        (
            {"field": "source.author.type", "operator": "IN", "value": ["lead"]},
            lambda c: c["source"]["author"]["type"] == "lead",
        ),
        (
            {"field": "id", "operator": "=", "value": sample["id"]},
            lambda c: c["id"] == sample["id"],
        ),
    ]
    for query, keep in cases:
        expected = ids(convs, keep)
        assert expected, f"the case {query} tests nothing"
        assert api.search_ids("conversations", query) == expected, query


def test_conversation_dates_compare_to_the_second(api, truth):
    """Unlike contacts, conversation timestamps are exact and `>`/`<` strict (reference §5.3)."""
    sample = truth["conversations"][3]
    at = sample["created_at"]
    near = {"field": "created_at", "operator": ">", "value": at - 1}
    assert sample["id"] in api.search_ids("conversations", near)
    strict = {"field": "created_at", "operator": ">", "value": at}
    assert sample["id"] not in api.search_ids("conversations", strict)
    same_second = {"field": "created_at", "operator": "=", "value": at}
    assert api.search_ids("conversations", same_second) == ids(
        truth["conversations"], lambda c: c["created_at"] == at
    )


def test_every_operator_the_spec_lists_is_accepted(api, truth):
    """`single_filter_search_request.operator` (2.11) lists each operator; conversation search
    takes every one of them on a field of a type it suits (reference §5.2)."""
    sample = truth["conversations"][0]
    by_type = {
        "string": ("state", "closed"),
        "integer": ("statistics.count_reopens", 0),
        "date": ("created_at", sample["created_at"]),
    }
    suits = {"~": "string", "!~": "string", "^": "string", "$": "string"}
    operators = search_operators()
    assert {">=", "<="} <= set(operators)
    for operator in operators:
        for kind in [suits[operator]] if operator in suits else ["string", "integer", "date"]:
            if kind == "string" and operator in ("<", ">", "<=", ">="):
                continue
            field, value = by_type[kind]
            query = {
                "field": field,
                "operator": operator,
                "value": [value] if operator in ("IN", "NIN") else value,
            }
            response = api.search("conversations", query)
            assert response.status_code == 200, (query, response.text)


@pytest.mark.parametrize(
    ("field", "value_of"),
    [
        ("created_at", lambda c: c["created_at"]),
        ("updated_at", lambda c: c["updated_at"]),
        ("statistics.last_close_at", lambda c: c["statistics"]["last_close_at"]),
        ("statistics.time_to_last_close", lambda c: c["statistics"]["time_to_last_close"]),
        ("admin_assignee_id", lambda c: c["admin_assignee_id"]),
    ],
)
def test_ge_and_le_include_the_bound(api, truth, field, value_of):
    """`>=`/`<=` on conversation integers and dates: to the second, bound included."""
    convs = truth["conversations"]
    values = sorted(value_of(c) for c in convs if value_of(c) is not None)
    bound = values[len(values) // 2]
    at_least = ids(convs, lambda c: value_of(c) is not None and value_of(c) >= bound)
    at_most = ids(convs, lambda c: value_of(c) is not None and value_of(c) <= bound)
    exactly = ids(convs, lambda c: value_of(c) == bound)
    assert exactly and at_least - exactly and at_most - exactly
    found_ge = api.search_ids("conversations", {"field": field, "operator": ">=", "value": bound})
    assert found_ge == at_least
    found_le = api.search_ids(
        "conversations", {"field": field, "operator": "<=", "value": str(bound)}
    )
    assert found_le == at_most


def test_source_body_matches_whole_words(api, truth):
    convs = truth["conversations"]
    # bodies look like "<p>Phone about blood pressure log</p>"
    with_pressure = ids(convs, lambda c: "pressure" in c["source"]["body"].split())
    assert with_pressure
    assert (
        api.search_ids(
            "conversations", {"field": "source.body", "operator": "=", "value": "Pressure"}
        )
        == with_pressure
    )
    assert (
        api.search_ids(
            "conversations", {"field": "source.body", "operator": "=", "value": "blood pressure"}
        )
        == set()
    )
    assert (
        api.search_ids("conversations", {"field": "source.body", "operator": "=", "value": "press"})
        == set()
    )
    assert (
        api.search_ids("conversations", {"field": "source.body", "operator": "~", "value": "press"})
        == with_pressure
    )
    assert api.search_ids(
        "conversations", {"field": "source.body", "operator": "!=", "value": "pressure"}
    ) == ({c["id"] for c in convs} - with_pressure)


def test_conversation_custom_attributes_are_not_searchable(api):
    """Not a documented search field in any spec version (reference §5.4): rejected like any
    unknown field. See the README's section on the fake."""
    response = api.search(
        "conversations", {"field": "custom_attributes.Channel", "operator": "=", "value": "Phone"}
    )
    assert error_code(response) == "parameter_invalid"


@pytest.mark.parametrize(
    "query",
    [
        {"field": "state", "operator": ">", "value": "open"},
        {"field": "state", "operator": ">=", "value": "open"},
        {"field": "admin_assignee_id", "operator": "~", "value": 1},
        {"field": "admin_assignee_id", "operator": "=", "value": "abc"},
        {"field": "contact_ids", "operator": "=", "value": 12},
        {"field": "open", "operator": "=", "value": 1},
        {"field": "statistics.no_such_stat", "operator": "=", "value": 1},
    ],
)
def test_invalid_conversation_queries(api, query):
    assert error_code(api.search("conversations", query)) == "parameter_invalid"


def test_sort_by_a_nested_field(api, truth):
    body = api.ok(
        "POST",
        "/conversations/search",
        json={
            "query": {"field": "state", "operator": "=", "value": "closed"},
            "sort": {"field": "statistics.last_close_at", "order": "ascending"},
            "pagination": {"per_page": 150},
        },
    )
    closes = [c["statistics"]["last_close_at"] for c in body["conversations"]]
    assert closes == sorted(closes)
    assert body["total_count"] == len(ids(truth["conversations"], lambda c: c["state"] == "closed"))
