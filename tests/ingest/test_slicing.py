"""Contacts touched on one busy day: contact search compares dates by whole day, so such a day
cannot be cut by `updated_at`. A backfill cuts it by `created_at` and reads the parts
concurrently; an incremental run with nothing changed reads one page, however busy today was."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson

from ingest.runner import run_ingest
from tests.ingest.conftest import settings, truth, warehouse
from warehouse.config import IngestSettings

BUSY = 30  # contacts updated today: fifteen pages of 2


class Recording(httpx.AsyncBaseTransport):
    """HTTP to the fake on loopback (so requests really overlap), keeping each contact search's
    query and how many were in flight when it was sent."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.searches: list[tuple[dict[str, Any], int]] = []
        self.in_flight = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/contacts/search"):
            return await self.inner.handle_async_request(request)
        self.in_flight += 1
        self.searches.append((orjson.loads(request.content), self.in_flight))
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.in_flight -= 1


def assert_contacts_match(paths, fake) -> None:
    """The latest landed version of every contact is Intercom's (search never shows the
    deleted ones, so only they may be extra)."""
    held, want = warehouse(paths)["contacts"], truth(fake)
    assert set(held) - want["gone"] == set(want["contacts"])
    assert {i: held[i] for i in want["contacts"]} == want["contacts"]


def _fields(query: dict[str, Any]) -> set[str]:
    parts = query["value"] if "operator" in query and query["operator"] == "AND" else [query]
    return {part["field"] for part in parts}


def _busy_day(fake) -> None:
    members = sorted(c["id"] for c in truth(fake)["contacts"].values() if c["role"] == "user")
    assert len(members) >= BUSY
    for n, member in enumerate(members[:BUSY]):
        fake.backend.update_contact(member, name=f"Busy {n}")


def _ingest(paths, transport: httpx.AsyncBaseTransport, base: str = "http://fake", **knobs: Any):
    config = IngestSettings(**{"concurrency": 8, "page_size": 2, **knobs})
    return run_ingest(paths, settings(base), config, streams=("contacts",), transport=transport)


def test_a_day_too_full_for_one_worker_is_cut_by_created_at_and_read_concurrently(fake, paths):
    _busy_day(fake)
    recording = Recording()
    with fake.serve_in_thread() as base_url:
        _ingest(paths, recording, base_url)
    assert_contacts_match(paths, fake)
    reads = [
        (body, in_flight)
        for body, in_flight in recording.searches
        if body["pagination"]["per_page"] == 2 and "created_at" in _fields(body["query"])
    ]
    # The busy day became several parts, each bounded by created_at, read side by side.
    parts = {orjson.dumps(body["query"]) for body, _ in reads}
    assert len(parts) >= 2, parts
    assert max(in_flight for _, in_flight in reads) >= 2


def test_a_run_with_nothing_changed_reads_one_page_however_busy_today_was(fake, paths):
    _busy_day(fake)
    time.sleep(1.1)  # the next run's cursor is after every change (no overlap below)
    _ingest(paths, httpx.ASGITransport(app=fake.app), overlap_seconds=0)
    before = fake.stats()["by_endpoint"]["POST /contacts/search"]
    _ingest(paths, httpx.ASGITransport(app=fake.app), overlap_seconds=0)
    after = fake.stats()["by_endpoint"]["POST /contacts/search"]
    # Today's window holds BUSY contacts (fifteen pages), all older than the cursor: the
    # descending read stops at its first page instead of slicing the whole day again.
    assert sum(after.values()) - sum(before.values()) == 1
    assert_contacts_match(paths, fake)


def test_more_changes_than_a_few_pages_since_the_cursor_are_read_sliced(fake, paths):
    _ingest(paths, httpx.ASGITransport(app=fake.app), overlap_seconds=0)
    _busy_day(fake)
    result = _ingest(paths, httpx.ASGITransport(app=fake.app), overlap_seconds=0)
    contacts = {log.stream: log for log in result.logs}["contacts"]
    assert contacts.mode == "incremental"
    assert contacts.records_new >= BUSY
    assert_contacts_match(paths, fake)
