"""Ground truth: the records a perfect ingest would hold now, and how many there are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from fake_intercom.errors import parameter_invalid
from fake_intercom.models.workspace import WorkspaceMixin

GROUND_TRUTH_STREAMS = (
    "contacts",
    "conversations",
    "admins",
    "teams",
    "data_attributes",
    "deleted_contacts",
    "merged_contacts",
    "manifest",
)
# stream -> (table, rows, columns) for the streams read in batches
_BATCHED = {
    "contacts": ("contacts", "live = 1", "body"),
    "conversations": ("conversations", "1", "body"),
    "deleted_contacts": ("contacts", "live = 0", "id, external_id"),
    "merged_contacts": ("contacts", "live = -1", "id, external_id, merged_into"),
}


class TruthMixin(WorkspaceMixin):
    def iter_ground_truth(self, stream: str, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """The records a perfect ingest would hold now, a stream at a time, in small batches
        (the lock is taken per batch so a running server keeps answering). Contacts exactly as
        GET /contacts/{id} returns them; conversations in list-item shape."""
        if stream not in GROUND_TRUTH_STREAMS:
            raise parameter_invalid(
                f"stream must be one of {', '.join(GROUND_TRUTH_STREAMS)}", "stream"
            )
        if stream == "admins":
            yield from self.admins()
        elif stream == "teams":
            yield from self.teams()
        elif stream == "data_attributes":
            yield from self.data_attributes()
        elif stream == "manifest":
            with self.lock:  # never yield while holding the lock: a consumer may switch threads
                manifest = self.store.meta_json("manifest", {})
            yield manifest
        else:
            yield from self._batches(*_BATCHED[stream], batch)

    def _batches(self, table: str, where: str, columns: str, batch: int) -> Iterator[dict]:
        last = 0
        while True:
            with self.lock:
                rows = self.store.conn.execute(
                    f"SELECT rowid, {columns} FROM {table} WHERE {where} AND rowid > ?"
                    " ORDER BY rowid LIMIT ?",
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for row in rows:
                if columns == "body":
                    yield orjson.loads(row[1])
                elif len(row) == 3:
                    yield {"id": row[1], "external_id": row[2]}
                else:
                    yield {"id": row[1], "external_id": row[2], "merged_into": row[3]}

    def ground_truth(self) -> dict[str, Any]:
        """Everything at once: fine for tiny to small workspaces; stream larger ones.
        {contacts, conversations, admins, teams, data_attributes, deleted_contacts,
        merged_contacts, manifest}."""
        truth: dict[str, Any] = {s: list(self.iter_ground_truth(s)) for s in GROUND_TRUTH_STREAMS}
        truth["manifest"] = truth["manifest"][0]
        return truth

    def counts(self) -> dict[str, int]:
        with self.lock:
            conn = self.store.conn
            return {
                name: conn.execute(f"SELECT count(*) FROM {sql}").fetchone()[0]
                for name, sql in (
                    ("contacts", "contacts WHERE live = 1"),
                    ("conversations", "conversations"),
                    ("admins", "admins"),
                    ("teams", "teams"),
                )
            }
