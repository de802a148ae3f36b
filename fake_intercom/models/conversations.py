"""Conversations: read (with parts), list, search, create (by an admin, or by a contact through
the API), update `read` and custom attributes. GET /conversations lists the most recently
updated first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from fake_intercom import records
from fake_intercom.errors import contact_not_found, parameter_invalid
from fake_intercom.models.paging import Page, PagingMixin
from fake_intercom.models.parts import PartsMixin, close, snooze
from fake_intercom.pagination import Cursor
from fake_intercom.records import CONVERSATION_ID_BASE, SOURCE_ID_BASE
from fake_intercom.search import CONVERSATIONS

STATES = ("open", "closed", "snoozed")


class ConversationsMixin(PagingMixin, PartsMixin):
    # ---------------------------------------------------------------- reads
    def list_conversations(self, per_page: int = 20, cursor: Cursor | None = None) -> Page:
        """GET /conversations: most recently updated first."""
        return self._list("conversations", "1", "t.updated_at", per_page, cursor)

    def search_conversations(
        self,
        query: Mapping[str, Any],
        sort: Mapping[str, Any] | None = None,
        *,
        per_page: int = 20,
        cursor: Cursor | None = None,
    ) -> Page:
        """POST /conversations/search (search.py), as the search index sees them."""
        return self._search(
            CONVERSATIONS, "conversations", "t.idx_state > 0", query, sort, per_page, cursor
        )

    # -------------------------------------------------------------- creates
    def create_conversation(
        self,
        *,
        contact_ids: list[str],
        admin_id: str | None = None,
        body: str = "<p>Coaching session</p>",
        state: str = "open",
        custom_attributes: Mapping[str, Any] | None = None,
        admin_assignee_id: int | None = None,
        team_assignee_id: int | None = None,
        created_at: int | None = None,
        closed_at: int | None = None,
        snoozed_until: int | None = None,
        source_type: str = "conversation",
        check_attributes: bool = True,
    ) -> dict[str, Any]:
        """An admin-initiated conversation (what the public API cannot express in one call),
        open, closed (at `closed_at`) or snoozed (until `snoozed_until`).

        `contact_ids` may name deleted contacts (to plant orphan references) but must exist;
        `admin_id` (default: the assignee, else the workspace's own admin) authors the source.
        `check_attributes=False` skips the type check of custom attributes (dirty data).
        """
        if state not in STATES:
            raise parameter_invalid("state must be open, closed or snoozed", "state")
        if state == "snoozed" and not isinstance(snoozed_until, int):
            raise parameter_invalid("snoozed_until is required to snooze", "snoozed_until")
        with self.lock:
            refs = self._contact_refs(list(contact_ids))
            assignee = str(admin_assignee_id) if admin_assignee_id else None
            writer = self._admin(str(admin_id or assignee or self.workspace["me_admin_id"]))
            by = records.author("admin", writer["id"], writer["name"], writer["email"])
            attributes = dict(custom_attributes or {})
            if check_attributes:
                self._check_attributes("conversation", attributes)
            now = self._stamp()
            start = created_at if created_at is not None else now
            rowid = self._next_conversation_rowid()
            conv = records.conversation(
                conversation_id=str(CONVERSATION_ID_BASE + rowid),
                created_at=start,
                updated_at=now,
                source=_admin_source(rowid, source_type, body, by),
                contacts=refs,
                state="open",
                admin_assignee_id=admin_assignee_id,
                team_assignee_id=team_assignee_id,
                teammate_ids=[writer["id"]],
                stats=_admin_started(start, assigned=bool(admin_assignee_id)),
                custom_attributes=attributes,
            )
            closing = closed_at if closed_at is not None else max(start, now)
            parts = _opening_parts(conv, state, by, closing, now, snoozed_until)
            rowid = self.store.add_conversation(conv, self.clock(), self.index_lag_seconds)
            if parts:
                self.store.set_parts(rowid, parts)
        return conv

    def _contact_refs(self, contact_ids: list[str]) -> list[dict[str, Any]]:
        """References to existing contacts, deleted ones included."""
        refs = []
        for contact_id in contact_ids:
            row = self.store.contact_row(contact_id) if isinstance(contact_id, str) else None
            if row is None:
                raise contact_not_found()
            refs.append(records.contact_reference(contact_id, orjson.loads(row[2])["external_id"]))
        return refs

    def _next_conversation_rowid(self) -> int:
        return self.store.conn.execute(
            "SELECT coalesce(max(rowid), 0) + 1 FROM conversations"
        ).fetchone()[0]

    def create_conversation_from_contact(
        self, contact_id: str, body: str, *, created_at: int | None = None
    ) -> dict[str, Any]:
        """POST /conversations: a contact starts a conversation with a message."""
        with self.lock:
            _, person = self._live_contact(contact_id)
            now = self._stamp()
            start = created_at if created_at is not None else now
            rowid = self._next_conversation_rowid()
            conv = records.conversation(
                conversation_id=str(CONVERSATION_ID_BASE + rowid),
                created_at=start,
                updated_at=now,
                source=records.source(
                    kind="conversation",
                    source_id=str(SOURCE_ID_BASE + rowid),
                    delivered_as="customer_initiated",
                    body=f"<p>{body}</p>",
                    source_author=records.author(
                        person["role"], person["id"], person["name"], person["email"]
                    ),
                ),
                contacts=[records.contact_reference(person["id"], person["external_id"])],
                state="open",
                admin_assignee_id=None,
                team_assignee_id=None,
                teammate_ids=[],
                stats=records.statistics(last_contact_reply_at=start),
                custom_attributes={},
                waiting_since=start,
                read=False,
            )
            self.store.add_conversation(conv, self.clock(), self.index_lag_seconds)
        return conv

    # -------------------------------------------------------------- updates
    def update_conversation(
        self,
        conversation_id: str,
        *,
        read: bool | None = None,
        custom_attributes: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        """PUT /conversations/{id}: `read`, and `custom_attributes` merged per key."""
        with self.lock:
            self._conversation(conversation_id)
            if custom_attributes is not None:
                self._check_attributes("conversation", custom_attributes)

        def update(conv: dict[str, Any], now: int) -> None:
            if read is not None:
                conv["read"] = read
            if custom_attributes:
                conv["custom_attributes"] = conv["custom_attributes"] | dict(custom_attributes)

        return self._change_conversation(conversation_id, update)

    def set_conversation_attributes_raw(
        self, conversation_id: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Emulator-only: set conversation custom attributes without checks (dirty data)."""

        def update(conv: dict[str, Any], now: int) -> None:
            conv["custom_attributes"] = conv["custom_attributes"] | dict(values)

        return self._change_conversation(conversation_id, update)


def _admin_source(rowid: int, kind: str, body: str, by: dict[str, Any]) -> dict[str, Any]:
    return records.source(
        kind=kind,
        source_id=str(SOURCE_ID_BASE + rowid),
        delivered_as="admin_initiated",
        body=body,
        source_author=by,
    )


def _opening_parts(
    conv: dict[str, Any],
    state: str,
    by: dict[str, Any],
    closed_at: int,
    now: int,
    snoozed_until: int | None,
) -> list[dict[str, Any]]:
    """Close or snooze a conversation being created; the part that records it, if any."""
    parts = []
    if state == "closed":
        close(conv, by["id"], closed_at)
        parts = [_first_part(conv, "close", closed_at, by)]
    elif state == "snoozed":
        snooze(conv, snoozed_until)  # type: ignore[arg-type]
        parts = [_first_part(conv, "snoozed", now, by)]
    conv["statistics"]["count_conversation_parts"] = len(parts)
    return parts


def _first_part(
    conv: dict[str, Any], part_type: str, at: int, by: dict[str, Any]
) -> dict[str, Any]:
    return records.conversation_part(
        part_id=f"{conv['id']}001", part_type=part_type, created_at=at, part_author=by
    )


def _admin_started(start: int, *, assigned: bool) -> dict[str, Any]:
    """Statistics of a conversation an admin starts at `start` (assigned to them or not)."""
    return records.statistics(
        first_admin_reply_at=start,
        last_admin_reply_at=start,
        first_assignment_at=start if assigned else None,
        last_assignment_at=start if assigned else None,
        count_assignments=1 if assigned else 0,
    )
