"""One definition per stream: where its records come from and how they are read.

Search streams (contacts, conversations) are read incrementally by `updated_at` through the
search endpoints and listed whole by `coach ingest --full`. The small streams (admins, teams,
data attributes) are fetched whole on every run: a few calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from intercom.endpoints import DATA_ATTRIBUTE_REQUESTS, DATA_ATTRIBUTES_KEY
from warehouse.errors import UsageError
from warehouse.raw_tables import STREAMS


@dataclass(frozen=True)
class SearchStream:
    name: str
    search_path: str
    list_path: str
    records_key: str  # the list's key in both the search and the list answers
    day_granular: bool  # Intercom compares this model's dates by whole day

    def item_path(self, record_id: str) -> str:
        return f"{self.list_path}/{record_id}"


@dataclass(frozen=True)
class WholeStream:
    name: str
    records_key: str
    requests: tuple[tuple[str, Mapping[str, Any]], ...] = field(default=())


CONTACTS = SearchStream("contacts", "/contacts/search", "/contacts", "data", day_granular=True)
CONVERSATIONS = SearchStream(
    "conversations",
    "/conversations/search",
    "/conversations",
    "conversations",
    day_granular=False,
)
ADMINS = WholeStream("admins", "admins", (("/admins", {}),))
TEAMS = WholeStream("teams", "teams", (("/teams", {}),))
DATA_ATTRIBUTES = WholeStream("data_attributes", DATA_ATTRIBUTES_KEY, DATA_ATTRIBUTE_REQUESTS)

ALL: dict[str, SearchStream | WholeStream] = {
    s.name: s for s in (DATA_ATTRIBUTES, ADMINS, TEAMS, CONTACTS, CONVERSATIONS)
}
assert set(ALL) == set(STREAMS)


def select(names: tuple[str, ...] | list[str]) -> list[SearchStream | WholeStream]:
    """The streams to run, in run order; no names means all of them."""
    unknown = sorted(set(names) - set(ALL))
    if unknown:
        raise UsageError(f"Unknown stream {', '.join(unknown)}; choose from {', '.join(ALL)}.")
    return [stream for name, stream in ALL.items() if not names or name in names]
