"""The JSON shapes of Intercom objects (2.11), built in the key order of the spec's examples.

Both the generator and the backend build records here, so a generated contact and one created
through POST /contacts look exactly alike.
"""

from __future__ import annotations

from typing import Any

CONVERSATION_ID_BASE = 100_000_000_000
SOURCE_ID_BASE = 400_000_000_000

CONTACT_TIMESTAMPS = (
    "signed_up_at",
    "last_seen_at",
    "last_replied_at",
    "last_contacted_at",
    "last_email_opened_at",
    "last_email_clicked_at",
)
_DEVICE_FIELDS = (
    "android_app_name",
    "android_app_version",
    "android_device",
    "android_os_version",
    "android_sdk_version",
    "android_last_seen_at",
    "ios_app_name",
    "ios_app_version",
    "ios_device",
    "ios_os_version",
    "ios_sdk_version",
    "ios_last_seen_at",
)
LOCATION_FIELDS = ("country", "region", "city", "country_code", "continent_code")
_CONTACT_TAIL = ("utm_campaign", "utm_content", "utm_medium", "utm_source", "utm_term", "referrer")
STATISTICS_FIELDS = (
    "time_to_assignment",
    "time_to_admin_reply",
    "time_to_first_close",
    "time_to_last_close",
    "median_time_to_reply",
    "first_contact_reply_at",
    "first_assignment_at",
    "first_admin_reply_at",
    "first_close_at",
    "last_assignment_at",
    "last_assignment_admin_reply_at",
    "last_contact_reply_at",
    "last_admin_reply_at",
    "last_close_at",
    "last_closed_by_id",
    "count_reopens",
    "count_assignments",
    "count_conversation_parts",
)


def _sub_list(contact_id: str, what: str, url_tail: str | None = None) -> dict[str, Any]:
    return {
        "type": "list",
        "data": [],
        "url": f"/contacts/{contact_id}/{url_tail or what}",
        "total_count": 0,
        "has_more": False,
    }


def contact(
    *,
    contact_id: str,
    workspace_id: str,
    role: str,
    created_at: int,
    updated_at: int,
    external_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    owner_id: int | None = None,
    timestamps: dict[str, int | None] | None = None,
    location: dict[str, str | None] | None = None,
    browser: dict[str, str | None] | None = None,
    custom_attributes: dict[str, Any] | None = None,
    unsubscribed_from_emails: bool = False,
) -> dict[str, Any]:
    stamps = timestamps or {}
    where = location or {}
    web = browser or {}
    body: dict[str, Any] = {
        "type": "contact",
        "id": contact_id,
        "workspace_id": workspace_id,
        "external_id": external_id,
        "role": role,
        "email": email,
        "phone": phone,
        "name": name,
        "avatar": None,
        "owner_id": owner_id,
        "social_profiles": {"type": "list", "data": []},
        "has_hard_bounced": False,
        "marked_email_as_spam": False,
        "unsubscribed_from_emails": unsubscribed_from_emails,
        "created_at": created_at,
        "updated_at": updated_at,
    }
    for field in CONTACT_TIMESTAMPS:
        body[field] = stamps.get(field)
    body.update(
        {
            "language_override": None,
            "browser": web.get("browser"),
            "browser_version": web.get("browser_version"),
            "browser_language": web.get("browser_language"),
            "os": web.get("os"),
            "location": {"type": "location"} | {k: where.get(k) for k in LOCATION_FIELDS},
        }
    )
    for field in _DEVICE_FIELDS:
        body[field] = None
    body["custom_attributes"] = dict(custom_attributes or {})
    return body | _contact_lists(contact_id) | dict.fromkeys(_CONTACT_TAIL)


def _contact_lists(contact_id: str) -> dict[str, Any]:
    return {
        "tags": _sub_list(contact_id, "tags"),
        "notes": _sub_list(contact_id, "notes"),
        "companies": _sub_list(contact_id, "companies"),
        "opted_out_subscription_types": _sub_list(contact_id, "subs", "subscriptions"),
        "opted_in_subscription_types": _sub_list(contact_id, "subs", "subscriptions"),
    }


def contact_reference(contact_id: str, external_id: str | None) -> dict[str, Any]:
    return {"type": "contact", "id": contact_id, "external_id": external_id}


def author(kind: str, author_id: str, name: str | None, email: str | None) -> dict[str, Any]:
    return {"type": kind, "id": author_id, "name": name, "email": email}


def statistics(**values: Any) -> dict[str, Any]:
    stats: dict[str, Any] = {"type": "conversation_statistics"}
    for field in STATISTICS_FIELDS:
        stats[field] = values.get(field)
    for counter in ("count_reopens", "count_assignments", "count_conversation_parts"):
        if stats[counter] is None:
            stats[counter] = 0
    return stats


def conversation(
    *,
    conversation_id: str,
    created_at: int,
    updated_at: int,
    source: dict[str, Any],
    contacts: list[dict[str, Any]],
    state: str,
    admin_assignee_id: int | None,
    team_assignee_id: int | None,
    teammate_ids: list[str],
    stats: dict[str, Any],
    custom_attributes: dict[str, Any],
    snoozed_until: int | None = None,
    waiting_since: int | None = None,
    read: bool = True,
    first_contact_reply: dict[str, Any] | None = None,
    title: str | None = None,
) -> dict[str, Any]:
    """A conversation in list-item shape (GET /conversations/{id} adds `conversation_parts`)."""
    return {
        "type": "conversation",
        "id": conversation_id,
        "created_at": created_at,
        "updated_at": updated_at,
        "waiting_since": waiting_since,
        "snoozed_until": snoozed_until,
        "source": source,
        "contacts": {"type": "contact.list", "contacts": contacts},
        "first_contact_reply": first_contact_reply,
        "admin_assignee_id": admin_assignee_id,
        "team_assignee_id": team_assignee_id,
        "open": state != "closed",
        "state": state,
        "read": read,
        "tags": {"type": "tag.list", "tags": []},
        "priority": "not_priority",
        "sla_applied": None,
        "statistics": stats,
        "conversation_rating": None,
        "teammates": {
            "type": "admin.list",
            "teammates": [{"type": "admin", "id": admin_id} for admin_id in teammate_ids],
        },
        "title": title,
        "custom_attributes": custom_attributes,
        "topics": {},
        "ticket": None,
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
        "ai_agent": None,
        "ai_agent_participated": False,
    }


def source(
    *,
    kind: str,
    source_id: str,
    delivered_as: str,
    body: str,
    source_author: dict[str, Any],
    subject: str = "",
) -> dict[str, Any]:
    return {
        "type": kind,
        "id": source_id,
        "delivered_as": delivered_as,
        "subject": subject,
        "body": body,
        "author": source_author,
        "attachments": [],
        "url": None,
        "redacted": False,
    }


def conversation_part(
    *,
    part_id: str,
    part_type: str,
    created_at: int,
    part_author: dict[str, Any],
    body: str | None = None,
    assigned_to: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "type": "conversation_part",
        "id": part_id,
        "part_type": part_type,
        "body": body,
        "created_at": created_at,
        "updated_at": created_at,
        "notified_at": created_at,
        "assigned_to": assigned_to,
        "author": part_author,
        "attachments": [],
        "external_id": None,
        "redacted": False,
    }


def admin(
    *, admin_id: str, name: str, email: str, job_title: str, team_ids: list[int]
) -> dict[str, Any]:
    return {
        "type": "admin",
        "email": email,
        "id": admin_id,
        "name": name,
        "job_title": job_title,
        "away_mode_enabled": False,
        "away_mode_reassign": False,
        "has_inbox_seat": True,
        "team_ids": team_ids,
    }


def team(*, team_id: str, name: str, admin_ids: list[int]) -> dict[str, Any]:
    return {"type": "team", "id": team_id, "name": name, "admin_ids": admin_ids}


def data_attribute(
    *,
    model: str,
    name: str,
    data_type: str,
    description: str,
    custom: bool,
    attribute_id: int | None = None,
    label: str | None = None,
    full_name: str | None = None,
    api_writable: bool = True,
    options: list[str] | None = None,
    messenger_writable: bool = False,
    created_at: int | None = None,
    admin_id: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if attribute_id is not None:
        body["id"] = attribute_id
    body.update(
        {
            "type": "data_attribute",
            "name": name,
            "full_name": full_name or (f"custom_attributes.{name}" if custom else name),
            "label": label or name,
            "description": description,
            "data_type": data_type,
        }
    )
    if options:
        body["options"] = options
    body.update(
        {
            "api_writable": api_writable,
            "ui_writable": custom,
            "messenger_writable": messenger_writable,
            "custom": custom,
            "archived": False,
        }
    )
    if custom:
        body.update({"admin_id": admin_id, "created_at": created_at, "updated_at": created_at})
    body["model"] = model
    return body


# Standard (non-custom) contact attributes listed by GET /data_attributes?model=contact.
STANDARD_CONTACT_ATTRIBUTES = (
    ("id", "ID", "The Intercom defined id representing the contact", "string", False),
    ("external_id", "User ID", "A unique identifier for the contact", "string", True),
    ("email", "Email", "The contact's email address", "string", True),
    ("name", "Name", "The contact's name", "string", True),
    ("phone", "Phone", "The contact's phone number", "string", True),
    ("role", "Role", "Whether the contact is a user or a lead", "string", True),
    ("created_at", "Created at", "The time the contact was added to Intercom", "date", False),
    ("updated_at", "Updated at", "The last time the contact was updated", "date", False),
    ("signed_up_at", "Signed up", "The time the user signed up", "date", True),
    ("last_seen_at", "Last seen", "The last time the contact was seen", "date", True),
    ("owner_id", "Owner", "The admin who owns the contact", "integer", True),
)
STANDARD_CONVERSATION_ATTRIBUTES = (
    ("id", "ID", "The id representing the conversation", "string", False),
    ("state", "State", "Open, closed or snoozed", "string", False),
    ("created_at", "Created at", "The time the conversation was created", "date", False),
    ("updated_at", "Updated at", "The last time the conversation was updated", "date", False),
)
