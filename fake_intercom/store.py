"""The SQLite store behind the backend: tables, bulk loading, search-index visibility, reset.

Each contact and conversation is one row holding its current JSON body as text (responses are
assembled from it without re-serialising), plus what *search* sees, which may lag behind:

* `idx_state` 0: not searchable yet (a new record inside the index lag);
  1: search sees the current `body`; 2: search sees the older version kept in `idx_body`.
* `s_updated_at`: `updated_at` of the version search sees (indexed, for incremental searches).
* side tables `conversation_contacts` / `conversation_teammates`: the ids of the searchable
  version, for `contact_ids` / `teammate_ids` searches.

A write with index lag L queues the new body in `pending` with `visible_at = now + L`; the queue
is applied lazily before each search (`flush_index`). With no lag a write is searchable at once.

Reset without copying the database: the first time a generated row is modified its original is
copied into `<table>_orig`; `reset()` puts those back and deletes every row created since.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from fake_intercom.store_schema import INDEXES, TABLES

RECORD_TABLES = ("contacts", "conversations")
SEARCH_BODY = "(CASE WHEN t.idx_state = 1 THEN t.body ELSE t.idx_body END)"


def _conversation_links(body: dict[str, Any]) -> tuple[list[str], list[str]]:
    contacts = [c["id"] for c in (body.get("contacts") or {}).get("contacts") or []]
    teammates = [t["id"] for t in (body.get("teammates") or {}).get("teammates") or []]
    return contacts, teammates


class Store:
    """One SQLite connection shared by the server thread and test code, behind one lock."""

    def __init__(self, path: Path | None = None, *, delete_on_close: bool = False) -> None:
        self.path = path
        self.delete_on_close = delete_on_close
        self._generated_max: dict[str, int] = {}
        self.conn = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        self.lock = threading.RLock()
        self.data_version = 0
        self._next_visible: float | None = None
        pragmas = ["journal_mode = MEMORY", "synchronous = OFF", "cache_size = -262144"]
        if path:
            pragmas += ["mmap_size = 8589934592", "temp_store = MEMORY"]
        for pragma in pragmas:
            self.conn.execute(f"PRAGMA {pragma}")
        self.conn.executescript(TABLES)
        self._refresh_next_visible()

    def close(self) -> None:
        with self.lock:
            self.conn.close()
            if self.delete_on_close and self.path is not None:
                self.path.unlink(missing_ok=True)

    def generated_max(self, table: str) -> int:
        """The highest rowid of `table` when generation finished (0 before)."""
        if table not in self._generated_max:
            self._generated_max[table] = int(self.meta(f"generated_max_{table}", "0") or 0)
        return self._generated_max[table]

    # ----------------------------------------------------------------- meta
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: Any) -> None:
        text = value if isinstance(value, str) else orjson.dumps(value).decode()
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, text))

    def meta_json(self, key: str, default: Any = None) -> Any:
        raw = self.meta(key)
        return default if raw is None else orjson.loads(raw)

    # ------------------------------------------------------------ bulk load
    def insert_simple(self, table: str, rows: Iterable[tuple[str, dict[str, Any]]]) -> None:
        """Admins and teams: (id, body)."""
        self.conn.executemany(
            f"INSERT INTO {table} (id, body) VALUES (?, ?)",
            [(rid, orjson.dumps(body).decode()) for rid, body in rows],
        )

    def insert_data_attribute(self, body: dict[str, Any]) -> None:
        self.conn.execute(
            "INSERT INTO data_attributes (model, name, data_type, body) VALUES (?, ?, ?, ?)",
            (body["model"], body["name"], body["data_type"], orjson.dumps(body).decode()),
        )
        self.data_version += 1

    def insert_contacts(self, rows: Iterable[tuple[dict[str, Any], int]]) -> None:
        """(body, live) pairs; `live` 0 plants a contact that was deleted before `now`."""
        self.conn.executemany(
            "INSERT INTO contacts (id, live, external_id, created_at, body, idx_state,"
            " s_updated_at) VALUES (?, ?, ?, ?, ?, 1, ?)",
            [
                (
                    b["id"],
                    live,
                    b["external_id"],
                    b["created_at"],
                    orjson.dumps(b).decode(),
                    b["updated_at"],
                )
                for b, live in rows
            ],
        )
        self.data_version += 1

    def insert_conversations(self, bodies: Iterable[dict[str, Any]]) -> None:
        conv_rows = []
        links: list[tuple[str, list[str], list[str]]] = []
        for b in bodies:
            conv_rows.append(
                (
                    b["id"],
                    b["created_at"],
                    b["updated_at"],
                    orjson.dumps(b).decode(),
                    b["updated_at"],
                )
            )
            links.append((b["id"], *_conversation_links(b)))
        self.conn.executemany(
            "INSERT INTO conversations (id, created_at, updated_at, body, idx_state,"
            " s_updated_at) VALUES (?, ?, ?, ?, 1, ?)",
            conv_rows,
        )
        first = (
            self.conn.execute(
                "SELECT rowid FROM conversations WHERE id = ?", (links[0][0],)
            ).fetchone()[0]
            if links
            else 0
        )
        # rowids of a fresh executemany batch are consecutive
        self.conn.executemany(
            "INSERT INTO conversation_contacts VALUES (?, ?)",
            [(first + i, cid) for i, (_, contacts, _) in enumerate(links) for cid in contacts],
        )
        self.conn.executemany(
            "INSERT INTO conversation_teammates VALUES (?, ?)",
            [(first + i, aid) for i, (_, _, mates) in enumerate(links) for aid in mates],
        )
        self.data_version += 1

    def finish_load(self) -> None:
        """After generation: build indexes, record what `reset()` returns to, gather stats."""
        self.conn.executescript(INDEXES)
        for table in ("contacts", "conversations", "data_attributes"):
            top = self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {table}").fetchone()[0]
            self.set_meta(f"generated_max_{table}", top)
            self._generated_max[table] = top
        self.conn.execute("ANALYZE")

    # ------------------------------------------------------------- lookups
    def contact_row(self, contact_id: str) -> tuple[int, int, str, str | None] | None:
        """(rowid, live, body, merged_into) or None."""
        return self.conn.execute(
            "SELECT rowid, live, body, merged_into FROM contacts WHERE id = ?", (contact_id,)
        ).fetchone()

    def conversation_row(self, conversation_id: str) -> tuple[int, str, str | None] | None:
        """(rowid, body, parts) or None."""
        return self.conn.execute(
            "SELECT rowid, body, parts FROM conversations WHERE id = ?", (conversation_id,)
        ).fetchone()

    def generated_original(self, table: str, rowid: int) -> str | bool | None:
        """A generated row's body as generated: its saved original text, True when the row is
        unchanged since generation, None for rows created after generation."""
        if rowid > self.generated_max(table):
            return None
        row = self.conn.execute(
            f"SELECT body FROM {table}_orig WHERE rowid = ?", (rowid,)
        ).fetchone()
        return row[0] if row else True

    # --------------------------------------------------------------- writes
    def _save_original(self, table: str, rowid: int) -> None:
        if rowid <= self.generated_max(table):
            self.conn.execute(
                f"INSERT OR IGNORE INTO {table}_orig SELECT * FROM {table} WHERE rowid = ?",
                (rowid,),
            )

    def add_contact(self, body: dict[str, Any], now: float, lag: float) -> int:
        return self._add("contacts", body, now, lag)

    def add_conversation(self, body: dict[str, Any], now: float, lag: float) -> int:
        return self._add("conversations", body, now, lag)

    def _add(self, table: str, body: dict[str, Any], now: float, lag: float) -> int:
        """Insert a record created through the API; searchable now or `lag` seconds from now."""
        text = orjson.dumps(body).decode()
        searchable = lag <= 0
        columns = {
            "id": body["id"],
            "created_at": body["created_at"],
            "body": text,
            "idx_state": 1 if searchable else 0,
            "s_updated_at": body["updated_at"] if searchable else None,
        }
        if table == "contacts":
            columns |= {"live": 1, "external_id": body["external_id"]}
        else:
            columns["updated_at"] = body["updated_at"]
        cur = self.conn.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            tuple(columns.values()),
        )
        rowid = cur.lastrowid
        if not searchable:
            self._queue(table, rowid, now + lag, text)
        elif table == "conversations":
            self._relink(rowid, body)
        self.data_version += 1
        return rowid

    def update_body(
        self, table: str, rowid: int, body: dict[str, Any], now: float, lag: float
    ) -> None:
        """Replace a record's current body; search sees it now or `lag` seconds from now."""
        self._save_original(table, rowid)
        text = orjson.dumps(body).decode()
        updated_at = body["updated_at"]
        current = "body = ?, external_id = ?" if table == "contacts" else "body = ?, updated_at = ?"
        current_values = (text, body["external_id"] if table == "contacts" else updated_at)
        if lag <= 0:
            # An older queued version must not overwrite this one when its time comes.
            self.conn.execute(
                "DELETE FROM pending WHERE kind = ? AND rec_rowid = ?", (table, rowid)
            )
            self.conn.execute(
                f"UPDATE {table} SET {current}, idx_state = 1, idx_body = NULL,"
                " s_updated_at = ? WHERE rowid = ?",
                (*current_values, updated_at, rowid),
            )
            if table == "conversations":
                self._relink(rowid, body)
        else:
            # Search keeps the version it has: move the old body to idx_body if it was current.
            self.conn.execute(
                f"UPDATE {table} SET idx_body = CASE WHEN idx_state = 1 THEN body ELSE idx_body"
                f" END, idx_state = CASE WHEN idx_state = 1 THEN 2 ELSE idx_state END, {current}"
                " WHERE rowid = ?",
                (*current_values, rowid),
            )
            self._queue(table, rowid, now + lag, text)
        self.data_version += 1

    def set_contact_status(self, rowid: int, live: int, merged_into: str | None = None) -> None:
        self._save_original("contacts", rowid)
        self.conn.execute(
            "UPDATE contacts SET live = ?, merged_into = ? WHERE rowid = ?",
            (live, merged_into, rowid),
        )
        self.data_version += 1

    def set_parts(self, rowid: int, parts: list[dict[str, Any]]) -> None:
        self._save_original("conversations", rowid)
        self.conn.execute(
            "UPDATE conversations SET parts = ? WHERE rowid = ?",
            (orjson.dumps(parts).decode(), rowid),
        )

    def _relink(self, rowid: int, body: dict[str, Any]) -> None:
        contacts, teammates = _conversation_links(body)
        self.conn.execute("DELETE FROM conversation_contacts WHERE conv_rowid = ?", (rowid,))
        self.conn.execute("DELETE FROM conversation_teammates WHERE conv_rowid = ?", (rowid,))
        self.conn.executemany(
            "INSERT INTO conversation_contacts VALUES (?, ?)", [(rowid, c) for c in contacts]
        )
        self.conn.executemany(
            "INSERT INTO conversation_teammates VALUES (?, ?)", [(rowid, a) for a in teammates]
        )

    # -------------------------------------------------- search-index visibility
    def _queue(self, table: str, rowid: int, visible_at: float, text: str) -> None:
        self.conn.execute(
            "INSERT INTO pending (kind, rec_rowid, visible_at, body) VALUES (?, ?, ?, ?)",
            (table, rowid, visible_at, text),
        )
        if self._next_visible is None or visible_at < self._next_visible:
            self._next_visible = visible_at

    def _refresh_next_visible(self) -> None:
        self._next_visible = self.conn.execute("SELECT min(visible_at) FROM pending").fetchone()[0]

    def flush_index(self, now: float) -> None:
        """Make every queued version whose time has come visible to search."""
        if self._next_visible is None or self._next_visible > now:
            return
        rows = self.conn.execute(
            "SELECT seq, kind, rec_rowid, body FROM pending WHERE visible_at <= ?"
            " ORDER BY visible_at, seq",
            (now,),
        ).fetchall()
        latest: dict[tuple[str, int], str] = {}
        for _, kind, rowid, text in rows:
            latest[(kind, rowid)] = text
        for (kind, rowid), text in latest.items():
            body = orjson.loads(text)
            self.conn.execute(
                f"UPDATE {kind} SET idx_state = CASE WHEN body = ?1 THEN 1 ELSE 2 END,"
                " idx_body = CASE WHEN body = ?1 THEN NULL ELSE ?1 END, s_updated_at = ?2"
                " WHERE rowid = ?3",
                (text, body["updated_at"], rowid),
            )
            if kind == "conversations":
                self._relink(rowid, body)
        self.conn.executemany("DELETE FROM pending WHERE seq = ?", [(r[0],) for r in rows])
        self._refresh_next_visible()
        self.data_version += 1

    def flush_all(self) -> None:
        self.flush_index(float("inf"))

    # ---------------------------------------------------------------- reset
    def reset(self) -> None:
        """Back to the state `finish_load` recorded: originals restored, later rows dropped."""
        for table in ("contacts", "conversations", "data_attributes"):
            self.conn.execute(f"DELETE FROM {table} WHERE rowid > ?", (self.generated_max(table),))
        touched = [
            r[0] for r in self.conn.execute("SELECT rowid FROM conversations_orig").fetchall()
        ]
        for table in RECORD_TABLES:
            self.conn.execute(f"INSERT OR REPLACE INTO {table} SELECT * FROM {table}_orig")
            self.conn.execute(f"DELETE FROM {table}_orig")
        top = self.generated_max("conversations")
        for side in ("conversation_contacts", "conversation_teammates"):
            self.conn.execute(f"DELETE FROM {side} WHERE conv_rowid > ?", (top,))
        for rowid in touched:
            body = self.conn.execute(
                "SELECT body FROM conversations WHERE rowid = ?", (rowid,)
            ).fetchone()[0]
            self._relink(rowid, orjson.loads(body))
        self.conn.execute("DELETE FROM pending")
        self._refresh_next_visible()
        self.data_version += 1
