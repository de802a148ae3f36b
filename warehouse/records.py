"""Records as the raw tables store them: their id, `updated_at`, body and the body's hash.

No database here: ingest prepares records as pages arrive, and lands them later in batches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

STREAMS = ("contacts", "conversations", "admins", "teams", "data_attributes")


def record_id(stream: str, record: Mapping[str, Any]) -> str:
    if stream == "data_attributes":
        return f"{record['model']}.{record['name']}"
    return str(record["id"])


def updated_at(record: Mapping[str, Any]) -> int | None:
    value = record.get("updated_at")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass
class PreparedRecords:
    """Records of one stream serialised and hashed, ready to land in one statement.

    Preparing is plain Python (no database): ingest does it as each page arrives and keeps only
    these strings, not the parsed records, until the batch lands.
    """

    stream: str
    ids: list[str] = field(default_factory=list)
    updated: list[int | None] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    hashes: list[str] = field(default_factory=list)
    received: int = 0
    _seen: set[tuple[str, str]] = field(default_factory=set, repr=False)

    def add(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Add parsed records, serialised compactly (what write-back and tests land)."""
        for record in records:
            self.received += 1
            self._append(record_id(self.stream, record), updated_at(record), orjson.dumps(record))

    def add_raw(
        self,
        ids: Sequence[str],
        updated: Sequence[int | None],
        bodies: Sequence[bytes | memoryview],
    ) -> None:
        """Add records as the raw bytes they arrived in (what ingest lands), with their ids and
        `updated_at`s read from the same bytes."""
        for record, stamp, body in zip(ids, updated, bodies, strict=True):
            self.received += 1
            self._append(record, stamp, body)

    def _append(self, record: str, stamp: int | None, body: bytes | memoryview) -> None:
        # The hash is of the stored body: a record read twice with the same content lands once.
        digest = hashlib.sha256(body).hexdigest()
        key = (record, digest)
        if key in self._seen:
            return
        self._seen.add(key)
        self.ids.append(record)
        self.updated.append(stamp)
        self.bodies.append(str(body, "utf-8"))
        self.hashes.append(digest)

    def __len__(self) -> int:
        return len(self.ids)

    def extend(self, other: PreparedRecords) -> None:
        """Append another batch of the same stream (deduplicated like `add`)."""
        self.received += other.received
        for i, key in enumerate(zip(other.ids, other.hashes, strict=True)):
            if key in self._seen:
                continue
            self._seen.add(key)
            self.ids.append(key[0])
            self.updated.append(other.updated[i])
            self.bodies.append(other.bodies[i])
            self.hashes.append(other.hashes[i])
