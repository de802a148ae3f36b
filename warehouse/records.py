"""Records as the raw tables store them: their id, `updated_at`, serialised body and hash.

No database here: ingest prepares records as pages arrive, and lands them later in batches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
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
        for record in records:
            self.received += 1
            digest = hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()
            key = (record_id(self.stream, record), digest)
            if key in self._seen:
                continue
            self._seen.add(key)
            self.ids.append(key[0])
            self.updated.append(updated_at(record))
            self.bodies.append(orjson.dumps(record).decode())
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
