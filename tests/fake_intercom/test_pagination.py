"""Cursor pagination on the list and search endpoints: to the end, no duplicates, no gaps."""

from __future__ import annotations

import base64
import json

import pytest

from tests.fake_intercom.conftest import Api

EVERYTHING = {"field": "created_at", "operator": ">", "value": 0}


def walk_list(api: Api, path: str, key: str, per_page: int | None) -> tuple[list[str], list]:
    ids, pages = [], []
    params: dict = {} if per_page is None else {"per_page": per_page}
    while True:
        body = api.ok("GET", path, params=params)
        ids += [item["id"] for item in body[key]]
        pages.append(body["pages"] | {"total_count": body["total_count"]})
        if "next" not in body["pages"]:
            return ids, pages
        params = {**params, "starting_after": body["pages"]["next"]["starting_after"]}


def walk_search(api: Api, what: str, per_page: int | None, **extra) -> tuple[list[str], list]:
    key = "data" if what == "contacts" else "conversations"
    ids, pages = [], []
    pagination: dict = {} if per_page is None else {"per_page": per_page}
    while True:
        body = api.ok(
            "POST", f"/{what}/search", json={"query": EVERYTHING, "pagination": pagination, **extra}
        )
        ids += [item["id"] for item in body[key]]
        pages.append(body["pages"] | {"total_count": body["total_count"]})
        if "next" not in body["pages"]:
            return ids, pages
        pagination = {**pagination, "starting_after": body["pages"]["next"]["starting_after"]}


def check_walk(ids: list[str], pages: list[dict], expected: set[str], size: int) -> None:
    assert len(ids) == len(set(ids)), "a record came back twice"
    assert set(ids) == expected, "records missing or extra"
    assert [p["page"] for p in pages] == list(range(1, len(pages) + 1))
    assert all(p["per_page"] == size for p in pages)
    assert all(p["total_pages"] == -(-len(expected) // size) for p in pages)
    assert all(p["total_count"] == len(expected) for p in pages)
    assert "next" not in pages[-1]
    assert all(p["next"]["page"] == p["page"] + 1 for p in pages[:-1])


@pytest.mark.parametrize("per_page", [1, 7, 50, 150, 500])
def test_list_endpoints_walk_to_the_end(api, truth, per_page):
    size = min(per_page, 150)
    contacts = {c["id"] for c in truth["contacts"]}
    ids, pages = walk_list(api, "/contacts", "data", per_page)
    check_walk(ids, pages, contacts, size)
    conversations = {c["id"] for c in truth["conversations"]}
    ids, pages = walk_list(api, "/conversations", "conversations", per_page)
    check_walk(ids, pages, conversations, size)


@pytest.mark.parametrize("per_page", [1, 7, 50, 150, 151])
def test_search_endpoints_walk_to_the_end(api, truth, per_page):
    size = min(per_page, 150)
    ids, pages = walk_search(api, "contacts", per_page)
    check_walk(ids, pages, {c["id"] for c in truth["contacts"]}, size)
    ids, pages = walk_search(api, "conversations", per_page)
    check_walk(ids, pages, {c["id"] for c in truth["conversations"]}, size)


@pytest.mark.parametrize("order", ["ascending", "descending"])
def test_sorted_search_walks_in_order(api, truth, order):
    sort = {"field": "updated_at", "order": order}
    ids, pages = walk_search(api, "conversations", 7, sort=sort)
    check_walk(ids, pages, {c["id"] for c in truth["conversations"]}, 7)
    by_id = {c["id"]: c for c in truth["conversations"]}
    stamps = [by_id[i]["updated_at"] for i in ids]
    assert stamps == sorted(stamps, reverse=order == "descending")


def test_default_page_sizes(api):
    assert api.ok("GET", "/contacts")["pages"]["per_page"] == 10  # reference §1.2, PR #639
    assert api.ok("GET", "/conversations")["pages"]["per_page"] == 20
    assert api.search("contacts", EVERYTHING).json()["pages"]["per_page"] == 50
    assert api.search("conversations", EVERYTHING).json()["pages"]["per_page"] == 20


def test_cursor_has_the_observed_shape(api, truth):
    body = api.ok(
        "POST",
        "/conversations/search",
        json={
            "query": EVERYTHING,
            "pagination": {"per_page": 3},
            "sort": {"field": "updated_at", "order": "ascending"},
        },
    )
    sort_millis, rowid, next_page = json.loads(
        base64.b64decode(body["pages"]["next"]["starting_after"])
    )
    assert next_page == 2
    assert isinstance(rowid, int)
    assert sort_millis == body["conversations"][-1]["updated_at"] * 1000


def test_empty_result_has_no_next(api):
    body = api.search("contacts", {"field": "email", "operator": "=", "value": "nobody@x"}).json()
    assert body["data"] == [] and body["total_count"] == 0
    assert body["pages"]["total_pages"] == 0 and "next" not in body["pages"]


@pytest.mark.parametrize("bad", [0, -3, "many", True])
def test_bad_per_page_is_rejected(api, bad):
    response = api.get("/contacts", params={"per_page": str(bad).lower()})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_invalid"
    response = api.search("conversations", EVERYTHING, pagination={"per_page": bad})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "cursor",
    ["not-base64!", base64.b64encode(b"[1,2]").decode(), base64.b64encode(b'{"a":1}').decode()],
)
def test_bad_cursor_is_rejected(api, cursor):
    response = api.get("/conversations", params={"starting_after": cursor})
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parameter_invalid"


def test_records_updated_between_pages_can_move_behind_the_cursor(api, fake, truth):
    """Stateless cursors, as on Intercom: an update during a descending walk by updated_at moves
    the record to the front, behind the cursor, so the walk misses it (reference §1.1)."""
    first = api.ok("GET", "/conversations", params={"per_page": 5})
    later = first["conversations"][-1]  # not yet seen records come after this
    seen = {c["id"] for c in first["conversations"]}
    unseen = [
        c
        for c in sorted(truth["conversations"], key=lambda c: c["updated_at"])
        if c["id"] not in seen
    ]
    moved = unseen[0]["id"]
    fake.backend.update_conversation(moved, read=True)
    ids = set(seen)
    params = {"per_page": 5, "starting_after": first["pages"]["next"]["starting_after"]}
    while True:
        body = api.ok("GET", "/conversations", params=params)
        ids |= {c["id"] for c in body["conversations"]}
        if "next" not in body["pages"]:
            break
        params["starting_after"] = body["pages"]["next"]["starting_after"]
    assert moved not in ids
    assert later["id"] in ids
