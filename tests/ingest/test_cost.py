"""An incremental run after k changed records costs at most ceil(k/150) + a small constant
calls per stream; a run with nothing changed costs only the constant (from the fake's counts)."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from tests.ingest.conftest import NOW, ingest, truth

OVERLAP = 600
CONSTANT = {  # every run: whoami, the whole small streams, one search page per stream
    "GET /me": 1,
    "GET /admins": 1,
    "GET /teams": 1,
    "GET /data_attributes": 2,
    "POST /contacts/search": 1,
    "POST /conversations/search": 1,
}


def calls_between(before: dict[str, Any], after: dict[str, Any]) -> Counter[str]:
    def total(stats: dict[str, Any]) -> Counter[str]:
        return Counter({ep: sum(n.values()) for ep, n in stats["by_endpoint"].items()})

    return total(after) - total(before)


def test_no_change_run_costs_only_the_constant(fake, paths):
    ingest(fake, paths)
    before = fake.stats()
    ingest(fake, paths)
    assert calls_between(before, fake.stats()) == Counter(CONSTANT)


def test_incremental_run_costs_pages_of_changes_plus_a_constant(fake, paths):
    first = ingest(fake, paths, overlap_seconds=OVERLAP)
    state = truth(fake)
    members = sorted(c["id"] for c in state["contacts"].values() if c["role"] == "user")
    for n in range(170):  # more than a page of new contacts
        fake.backend.create_contact(role="user", external_id=f"cost-{n}")
    for conversation in sorted(state["conversations"])[:200]:  # more than a page of updates
        fake.backend.update_conversation(conversation, custom_attributes={"Channel": "Chat"})
    for member in members[:5]:
        fake.backend.update_contact(member, name="Changed")
    lower = first.started_at - OVERLAP
    changed = {
        stream: sum(1 for r in truth(fake)[stream].values() if r["updated_at"] >= lower)
        for stream in ("contacts", "conversations")
    }
    assert changed["contacts"] >= 175 and changed["conversations"] >= 200
    assert all(r["updated_at"] < NOW.timestamp() for r in state["conversations"].values())
    before = fake.stats()
    ingest(fake, paths, overlap_seconds=OVERLAP)
    calls = calls_between(before, fake.stats())
    for stream, k in changed.items():
        assert calls[f"POST /{stream}/search"] <= math.ceil(k / 150) + 1, (stream, k, calls)
    for endpoint in ("GET /me", "GET /admins", "GET /teams", "GET /data_attributes"):
        assert calls[endpoint] == CONSTANT[endpoint]
