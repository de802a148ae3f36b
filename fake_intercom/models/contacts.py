"""Contacts: read, list, search, create, update (merging custom attributes per key), delete,
and merge a lead into a user.

GET /contacts lists newest-created first; every write bumps `updated_at` to the clock's current
second (never backwards); merging a lead moves its conversations to the user and bumps those
conversations' `updated_at`; a deleted contact stays listed on its conversations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

import orjson

from fake_intercom import records
from fake_intercom.errors import ApiError, contact_not_found, parameter_invalid
from fake_intercom.models.paging import Page, PagingMixin
from fake_intercom.pagination import Cursor
from fake_intercom.search import CONTACTS

ROLES = ("user", "lead")


class ContactFields(TypedDict, total=False):
    """What POST /contacts and PUT /contacts/{id} set; a key left out is left as it is."""

    role: str
    external_id: str
    email: str
    phone: str | None
    name: str | None
    avatar: str | None  # an image URL
    signed_up_at: int | None
    last_seen_at: int | None
    owner_id: int | None  # an admin id
    unsubscribed_from_emails: bool | None
    custom_attributes: Mapping[str, Any] | None  # merged per key, type-checked


class ContactsMixin(PagingMixin):
    # ---------------------------------------------------------------- reads
    def contact_json(self, contact_id: str) -> str:
        """GET /contacts/{id}: the stored text as is; merged-away or deleted ids are a 404."""
        with self.lock:
            row = self.store.contact_row(contact_id)
        if row is None or row[1] != 1:
            raise contact_not_found()
        return row[2]

    def contact(self, contact_id: str) -> dict[str, Any]:
        return orjson.loads(self.contact_json(contact_id))

    def list_contacts(self, per_page: int = 10, cursor: Cursor | None = None) -> Page:
        """GET /contacts: live contacts, newest-created first."""
        return self._list("contacts", "t.live = 1", "t.created_at", per_page, cursor)

    def search_contacts(
        self,
        query: Mapping[str, Any],
        sort: Mapping[str, Any] | None = None,
        *,
        per_page: int = 50,
        cursor: Cursor | None = None,
    ) -> Page:
        """POST /contacts/search (search.py): live contacts as the search index sees them."""
        base = "t.live = 1 AND t.idx_state > 0"
        return self._search(CONTACTS, "contacts", base, query, sort, per_page, cursor)

    # --------------------------------------------------------------- writes
    def create_contact(self, **fields: Unpack[ContactFields]) -> dict[str, Any]:
        """POST /contacts: needs an email, an external_id or a role."""
        if not any(fields.get(k) for k in ("email", "external_id", "role")):
            raise parameter_invalid("Provide at least one of email, external_id or role")
        with self.lock:
            now = self._stamp()
            body = records.contact(
                contact_id=self._new_contact_id(now),
                workspace_id=self.workspace["workspace_id"],
                role=fields.get("role") or "user",
                created_at=now,
                updated_at=now,
            )
            self._apply_contact_fields(body, fields)
            self.store.add_contact(body, self.clock(), self.index_lag_seconds)
        return body

    def update_contact(self, contact_id: str, **changes: Unpack[ContactFields]) -> dict[str, Any]:
        """PUT /contacts/{id}: only the fields given change; custom attributes merge per key."""
        with self.lock:
            rowid, body = self._live_contact(contact_id)
            self._apply_contact_fields(body, changes)
            body["updated_at"] = self._stamp(body["updated_at"])
            self._write("contacts", rowid, body)
        return body

    def _apply_contact_fields(self, body: dict[str, Any], changes: ContactFields) -> None:
        for name, value in changes.items():
            if name == "role" and value not in ROLES:
                raise parameter_invalid("role must be user or lead", "role")
            if name == "custom_attributes":
                if value:
                    self._check_attributes("contact", value)
                    body["custom_attributes"] = body["custom_attributes"] | dict(value)
            elif name == "avatar":
                body["avatar"] = {"type": "avatar", "image_url": value} if value else None
            elif name == "owner_id" and value is not None:
                self._admin(str(value))
                body["owner_id"] = value
            else:
                body[name] = value
        if changes.get("external_id"):
            clash = self.store.conn.execute(
                "SELECT id FROM contacts WHERE external_id = ? AND live = 1 AND id != ?",
                (changes["external_id"], body["id"]),
            ).fetchone()
            if clash:
                raise ApiError(
                    409,
                    "conflict",
                    f"A contact matching those details already exists with id={clash[0]}",
                )

    def set_contact_attributes_raw(
        self, contact_id: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Emulator-only: set custom attributes without type checks, to plant dirty data."""
        with self.lock:
            rowid, body = self._live_contact(contact_id)
            body["custom_attributes"] = body["custom_attributes"] | dict(values)
            body["updated_at"] = self._stamp(body["updated_at"])
            self._write("contacts", rowid, body)
        return body

    def delete_contact(self, contact_id: str) -> dict[str, Any]:
        """DELETE /contacts/{id}: gone from reads, lists and search; returns it as it was."""
        with self.lock:
            rowid, body = self._live_contact(contact_id)
            self.store.set_contact_status(rowid, 0)
        return body

    def merge_contacts(self, from_id: str, into_id: str) -> dict[str, Any]:
        """POST /contacts/merge: a lead into a user. The lead's conversations move to the user;
        the lead disappears from list and search, and GET on it is a 404."""
        if from_id == into_id:
            raise parameter_invalid("from and into must be different contacts", "into")
        with self.lock:
            lead_rowid, lead = self._live_contact(from_id)
            user_rowid, user = self._live_contact(into_id)
            if lead["role"] != "lead":
                raise parameter_invalid("The contact to merge from must be a lead", "from")
            if user["role"] != "user":
                raise parameter_invalid("The contact to merge into must be a user", "into")
            user["custom_attributes"] = lead["custom_attributes"] | user["custom_attributes"]
            for field in ("email", "phone", "name"):
                user[field] = user[field] or lead[field]
            user["updated_at"] = self._stamp(user["updated_at"])
            self._write("contacts", user_rowid, user)
            self.store.set_contact_status(lead_rowid, -1, into_id)
            self._move_conversations(
                from_id, records.contact_reference(user["id"], user["external_id"])
            )
        return user

    def _move_conversations(self, from_id: str, into_ref: dict[str, Any]) -> None:
        """Every conversation listing `from_id` (stored or queued for the index) lists the
        user instead, once."""
        conn = self.store.conn
        rowids = {
            r[0]
            for r in conn.execute(
                "SELECT conv_rowid FROM conversation_contacts WHERE contact_id = ?", (from_id,)
            )
        }
        rowids |= {
            r[0]
            for r in conn.execute(
                "SELECT rec_rowid FROM pending WHERE kind = 'conversations' AND instr(body, ?) > 0",
                (from_id,),
            )
        }
        for rowid in sorted(rowids):
            text = conn.execute("SELECT body FROM conversations WHERE rowid = ?", (rowid,))
            body = orjson.loads(text.fetchone()[0])
            refs = body["contacts"]["contacts"]
            if not any(ref["id"] == from_id for ref in refs):
                continue
            moved: list[dict[str, Any]] = []
            for ref in refs:
                new = into_ref if ref["id"] == from_id else ref
                if all(m["id"] != new["id"] for m in moved):
                    moved.append(new)
            body["contacts"]["contacts"] = moved
            body["updated_at"] = self._stamp(body["updated_at"])
            self._write("conversations", rowid, body)
