"""A generated conversation's history: the parts its own statistics imply (the generator stores
no parts; GET /conversations/{id} derives them from the conversation as generated)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fake_intercom.records import author, conversation_part


def history_events(
    conv: dict[str, Any], admins: Mapping[str, dict[str, Any]]
) -> tuple[dict[str, Any] | None, list[tuple[str, int, str | None]]]:
    """What a conversation's own statistics imply happened (the generator stores no parts):
    the first admin reply, the first close, and for reopened ones a reopen and the last close,
    by the first teammate (else the assignee) who is an admin: (that admin, [(kind, at, body)])."""
    candidates = [m["id"] for m in conv["teammates"]["teammates"]]
    candidates.append(str(conv["admin_assignee_id"]))
    admin = next((admins[c] for c in candidates if c in admins), None)
    if admin is None:
        return None, []
    stats = conv["statistics"]
    events: list[tuple[str, int, str | None]] = []
    if stats["first_admin_reply_at"] and conv["source"]["delivered_as"] != "admin_initiated":
        events.append(
            ("comment", stats["first_admin_reply_at"], "<p>Thanks, I will follow up.</p>")
        )
    if stats["first_close_at"]:
        events.append(("close", stats["first_close_at"], None))
        if stats["count_reopens"] and stats["last_close_at"] != stats["first_close_at"]:
            events.append(("open", (stats["first_close_at"] + stats["last_close_at"]) // 2, None))
            events.append(("close", stats["last_close_at"], None))
    return admin, events


def history_parts(
    conv: dict[str, Any], admins: Mapping[str, dict[str, Any]]
) -> list[dict[str, Any]]:
    """The parts of `history_events`; parts added through the API are stored and follow them."""
    admin, events = history_events(conv, admins)
    if admin is None:
        return []
    base = int(conv["id"]) * 1000
    return [
        conversation_part(
            part_id=str(base + n),
            part_type=kind,
            created_at=at,
            part_author=author("admin", admin["id"], admin["name"], admin["email"]),
            body=text,
        )
        for n, (kind, at, text) in enumerate(events, start=1)
    ]
