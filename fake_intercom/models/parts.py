"""What admins and contacts do to a conversation (close, reopen, snooze, assign, reply, note),
each recorded as a conversation part, and reading a conversation with its parts."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from fake_intercom import records
from fake_intercom.errors import ApiError, contact_not_found, parameter_invalid
from fake_intercom.models.base import BackendBase

# "we will return the 500 most recent conversation parts" (SPEC211)
MAX_PARTS = 500
Change = Callable[[dict[str, Any], int], dict[str, Any] | None]


class PartsMixin(BackendBase):
    def conversation(self, conversation_id: str) -> dict[str, Any]:
        """GET /conversations/{id}: the list-item shape plus `conversation_parts`."""
        with self.lock:
            rowid, body, parts = self._conversation(conversation_id)
            everything = self._history(rowid, body) + parts
        body["conversation_parts"] = {
            "type": "conversation_part.list",
            "conversation_parts": everything[-MAX_PARTS:],
            "total_count": len(everything[-MAX_PARTS:]),
        }
        return body

    def _change_conversation(self, conversation_id: str, change: Change) -> dict[str, Any]:
        """Apply `change(body, now)` (which may return a new part), bump, store, return it."""
        with self.lock:
            rowid, body, parts = self._conversation(conversation_id)
            now = self._stamp(body["updated_at"])
            part = change(body, now)
            if part is not None:
                index = len(self._history(rowid, body)) + len(parts) + 1
                part["id"] = str(int(body["id"]) * 1000 + index)
                parts.append(part)
                body["statistics"]["count_conversation_parts"] += 1
                self.store.set_parts(rowid, parts)
            body["updated_at"] = now
            self._write("conversations", rowid, body)
        return self.conversation(conversation_id)

    # ------------------------------------------------------------- by admins
    def close_conversation(
        self, conversation_id: str, admin_id: str | None = None, *, body: str | None = None
    ) -> dict[str, Any]:
        """Closed by `admin_id` (default: the workspace's own admin)."""
        return self._admin_action(conversation_id, admin_id, "close", close, body)

    def open_conversation(self, conversation_id: str, admin_id: str | None = None) -> dict:
        return self._admin_action(
            conversation_id, admin_id, "open", lambda conv, by, now: reopen(conv)
        )

    def snooze_conversation(
        self, conversation_id: str, until: int, admin_id: str | None = None
    ) -> dict[str, Any]:
        return self._admin_action(
            conversation_id, admin_id, "snoozed", lambda conv, by, now: snooze(conv, until)
        )

    def _admin_action(
        self,
        conversation_id: str,
        admin_id: str | None,
        part_type: str,
        apply: Callable[[dict[str, Any], str, int], None],
        body: str | None = None,
    ) -> dict[str, Any]:
        """A state change by an admin (default: the workspace's own), recorded as a part."""
        with self.lock:
            self._conversation(conversation_id)  # a 404 before the admin's
            admin = self._admin(admin_id or self.workspace["me_admin_id"])
        author = _author(admin)

        def change(conv: dict[str, Any], now: int) -> dict[str, Any]:
            apply(conv, admin["id"], now)
            return records.conversation_part(
                part_id="", part_type=part_type, created_at=now, body=body, part_author=author
            )

        return self._change_conversation(conversation_id, change)

    def assign_conversation(
        self,
        conversation_id: str,
        admin_id: str,
        assignee_type: str,
        assignee_id: str,
        *,
        body: str | None = None,
    ) -> dict[str, Any]:
        """Assigned by `admin_id` to an admin or a team (`assignee_type`); "0" unassigns."""
        with self.lock:
            self._conversation(conversation_id)
            author = _author(self._admin(admin_id))
            if assignee_id != "0":
                if assignee_type == "admin":
                    self._admin(assignee_id)
                elif not self.store.conn.execute(
                    "SELECT 1 FROM teams WHERE id = ?", (assignee_id,)
                ).fetchone():
                    raise ApiError(404, "not_found", "Team Not Found", "assignee_id")

        def assign(conv: dict[str, Any], now: int) -> dict[str, Any]:
            value = int(assignee_id) or None
            conv["admin_assignee_id" if assignee_type == "admin" else "team_assignee_id"] = value
            stats = conv["statistics"]
            stats["first_assignment_at"] = stats["first_assignment_at"] or now
            stats["last_assignment_at"] = now
            stats["count_assignments"] += 1
            return records.conversation_part(
                part_id="",
                part_type="assignment",
                created_at=now,
                part_author=author,
                body=body,
                assigned_to={"type": assignee_type, "id": assignee_id} if value else None,
            )

        return self._change_conversation(conversation_id, assign)

    # --------------------------------------------------------------- replies
    def reply_as_admin(
        self, conversation_id: str, admin_id: str, body: str, *, message_type: str = "comment"
    ) -> dict[str, Any]:
        """An admin's `comment` (the contact sees it) or `note` (internal)."""
        with self.lock:
            self._conversation(conversation_id)
            writer = _author(self._admin(admin_id))
        _require_body(body)

        def add(conv: dict[str, Any], now: int) -> dict[str, Any]:
            mates = conv["teammates"]["teammates"]
            if all(m["id"] != writer["id"] for m in mates):
                mates.append({"type": "admin", "id": writer["id"]})
            if message_type == "comment":
                stats = conv["statistics"]
                stats["first_admin_reply_at"] = stats["first_admin_reply_at"] or now
                stats["last_admin_reply_at"] = now
                conv["waiting_since"] = None
            return _part(message_type, now, body, writer)

        return self._change_conversation(conversation_id, add)

    def reply_as_contact(
        self,
        conversation_id: str,
        body: str,
        *,
        intercom_user_id: str | None = None,
        user_id: str | None = None,
        email: str | None = None,
    ) -> dict[str, Any]:
        """A contact's comment, the contact found by id, external id (user_id) or email; it
        reopens a closed or snoozed conversation."""
        with self.lock:
            self._conversation(conversation_id)
            person = self._replying_contact(intercom_user_id, user_id, email)
        writer = records.author(person["role"], person["id"], person["name"], person["email"])
        _require_body(body)

        def add(conv: dict[str, Any], now: int) -> dict[str, Any]:
            stats = conv["statistics"]
            stats["last_contact_reply_at"] = now
            stats["first_contact_reply_at"] = stats["first_contact_reply_at"] or now
            conv["waiting_since"] = now
            if conv["state"] != "open":
                reopen(conv)
            return _part("comment", now, body, writer)

        return self._change_conversation(conversation_id, add)

    def _replying_contact(
        self, intercom_user_id: str | None, user_id: str | None, email: str | None
    ) -> dict[str, Any]:
        if intercom_user_id:
            return self._live_contact(intercom_user_id)[1]
        for value, column in ((user_id, "external_id"), (email, "email")):
            if value:
                row = self.store.conn.execute(
                    f"SELECT id FROM contacts WHERE live = 1 AND"
                    f" json_extract(body, '$.{column}') = ?",
                    (value,),
                ).fetchone()
                if row is None:
                    raise contact_not_found()
                return self._live_contact(row[0])[1]
        raise parameter_invalid("intercom_user_id, user_id or email is required", "type")

    # ------------------------------------------------------------ simulation
    def simulate_day(self, share: float, seed: int = 0) -> dict[str, Any]:
        """Emulator-only: a day of activity on `share` of the conversations, picked by `seed`.
        An open or snoozed one is closed by its assignee (else the workspace's admin); a closed
        one gets an admin note, which changes it (parts, `updated_at`) but not its state.
        Answers how many of each, and the ids changed."""
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise parameter_invalid("share must be a number above 0 and at most 1", "share")
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise parameter_invalid("seed must be an integer", "seed")
        with self.lock:
            rows = self.store.conn.execute(
                "SELECT id, json_extract(body, '$.state'),"
                " json_extract(body, '$.admin_assignee_id') FROM conversations ORDER BY rowid"
            ).fetchall()
        admins = self._admins_by_id()
        picked = random.Random(seed).sample(rows, max(1, round(len(rows) * share)))
        closed = noted = 0
        for conversation_id, state, assignee in picked:
            admin = str(assignee) if assignee is not None and str(assignee) in admins else None
            if state == "closed":
                author = admin or self.workspace["me_admin_id"]
                self.reply_as_admin(conversation_id, author, "Day's follow-up", message_type="note")
                noted += 1
            else:
                self.close_conversation(conversation_id, admin)
                closed += 1
        return {
            "changed": len(picked),
            "closed": closed,
            "noted": noted,
            "conversation_ids": sorted(row[0] for row in picked),
        }


def _author(admin: dict[str, Any]) -> dict[str, Any]:
    return records.author("admin", admin["id"], admin["name"], admin["email"])


def _part(kind: str, at: int, body: str, writer: dict[str, Any]) -> dict[str, Any]:
    return records.conversation_part(
        part_id="", part_type=kind, created_at=at, body=body, part_author=writer
    )


def _require_body(body: str) -> None:
    if not body:
        raise ApiError(400, "parameter_not_found", "Body is a required parameter.", "body")


# ---------------------------------------------------------- conversation states
def close(conv: dict[str, Any], admin_id: str, at: int) -> None:
    stats = conv["statistics"]
    stats["first_close_at"] = stats["first_close_at"] or at
    stats["time_to_first_close"] = stats["first_close_at"] - conv["created_at"]
    stats["last_close_at"] = at
    stats["time_to_last_close"] = at - conv["created_at"]
    stats["last_closed_by_id"] = admin_id
    conv.update(state="closed", open=False, snoozed_until=None, waiting_since=None)
    mates = conv["teammates"]["teammates"]
    if all(m["id"] != admin_id for m in mates):
        mates.append({"type": "admin", "id": admin_id})


def reopen(conv: dict[str, Any]) -> None:
    if conv["state"] == "closed":
        conv["statistics"]["count_reopens"] += 1
    conv.update(state="open", open=True, snoozed_until=None)


def snooze(conv: dict[str, Any], until: int) -> None:
    conv.update(state="snoozed", open=True, snoozed_until=until)
