"""A small hand-written Intercom workspace shaped like the 2.11 spec, with every dirty-data kind.

Records follow the `contact`, `conversation_list_item`, `admin`, `team` and `data_attribute`
schemas of /work/shared/intercom-openapi/2.11 (examples in shared/reference/intercom-api.md
§3-4). Each member and conversation is named for the case it exercises; the tests state the
expected outcome next to their assertions. The as-of date of the tests is AS_OF.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import duckdb

from warehouse.raw_tables import DELETIONS_TABLE, create_raw_tables, land_records

AS_OF = date(2026, 6, 15)
WORKSPACE_ID = "coachws1"
ANA, BEN = "991267701", "991267702"


def unix(text: str) -> int:
    """'2026-06-10 15:00' (UTC) → unix seconds."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def contact_id(n: int) -> str:
    return f"667d60a98a68186f43ba{n:04x}"


# Members by case; ids are 24 hex characters like Intercom's.
ENGAGED = contact_id(1)  # calls up to 5 days ago; Intercom says At Risk
LATE = contact_id(2)  # first qualifying call 80 days after enrolment
WAITING = contact_id(3)  # enrolled 75 days ago, no call; only a reopened phone conversation
NEW = contact_id(4)  # enrolled 14 days ago; email and chat sessions
NO_ENROLMENT = contact_id(5)  # no Enrolled Date, has a Registration Date
DIRTY = contact_id(6)  # date as string, negative and far-future timestamps
UNICODE = contact_id(7)  # unicode name, Enrolled Date in another text format
ONE_WORD = contact_id(8)  # one-word name, test employer
TWIN_A, TWIN_B = contact_id(9), contact_id(10)  # same name and Date of Birth
NO_NAME = contact_id(11)  # null name
LEAD = contact_id(12)  # a lead on a coaching session
GONE = contact_id(13)  # deleted: referenced by a conversation afterwards

DAY = 86_400


def contact(
    cid: str,
    external_id: str | None,
    name: str | None,
    custom_attributes: dict[str, Any],
    *,
    role: str = "user",
    email: str | None = None,
    updated_at: int = unix("2026-06-01 12:00"),
) -> dict[str, Any]:
    listed = {"type": "list", "data": [], "total_count": 0, "has_more": False}
    return {
        "type": "contact",
        "id": cid,
        "workspace_id": WORKSPACE_ID,
        "external_id": external_id,
        "role": role,
        "email": email or f"{cid[-4:]}@example.org",
        "phone": None,
        "name": name,
        "avatar": None,
        "owner_id": None,
        "social_profiles": {"type": "list", "data": []},
        "has_hard_bounced": False,
        "marked_email_as_spam": False,
        "unsubscribed_from_emails": False,
        "created_at": unix("2025-12-01 12:00"),
        "updated_at": updated_at,
        "signed_up_at": unix("2025-12-01 12:00"),
        "last_seen_at": None,
        "custom_attributes": custom_attributes,
        "tags": {**listed, "url": f"/contacts/{cid}/tags"},
        "notes": {**listed, "url": f"/contacts/{cid}/notes"},
        "companies": {**listed, "url": f"/contacts/{cid}/companies"},
        "location": {"type": "location", "country": None, "region": None, "city": None},
    }


def conversation(
    conversation_id: str,
    contact_ids: list[str],
    *,
    state: str = "closed",
    channel: str | None = "Phone",
    service_code: str | None = "Health Coaching 001",
    created: str,
    closed: str | None = None,
    assignee: int | None = int(ANA),
    teammates: list[str] | None = None,
    updated_at: int | None = None,
) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if channel is not None:
        attributes["Channel"] = channel
    if service_code is not None:
        attributes["Service Code"] = service_code
    created_at = unix(created)
    close_at = unix(closed) if closed else None
    return {
        "type": "conversation",
        "id": conversation_id,
        "created_at": created_at,
        "updated_at": updated_at or (close_at or created_at),
        "waiting_since": None,
        "snoozed_until": None,
        "source": {
            "type": "conversation",
            "id": f"40{conversation_id}",
            "delivered_as": "admin_initiated",
            "subject": "",
            "body": "<p>Coaching</p>",
            "author": {"type": "admin", "id": ANA, "name": "Ana Coach", "email": "ana@example.org"},
            "attachments": [],
            "url": None,
            "redacted": False,
        },
        "contacts": {
            "type": "contact.list",
            "contacts": [
                {"type": "contact", "id": cid, "external_id": None} for cid in contact_ids
            ],
        },
        "first_contact_reply": None,
        "admin_assignee_id": assignee,
        "team_assignee_id": 5017691,
        "open": state != "closed",
        "state": state,
        "read": True,
        "tags": {"type": "tag.list", "tags": []},
        "priority": "not_priority",
        "sla_applied": None,
        "statistics": (
            {"type": "conversation_statistics", "last_close_at": close_at, "count_reopens": 0}
            if close_at
            else None
        ),
        "conversation_rating": None,
        "teammates": (
            {"type": "admin.list", "teammates": [{"type": "admin", "id": t} for t in teammates]}
            if teammates is not None
            else None
        ),
        "title": None,
        "custom_attributes": attributes,
        "topics": {},
        "ticket": None,
        "linked_objects": {"type": "list", "data": [], "total_count": 0, "has_more": False},
        "ai_agent": None,
        "ai_agent_participated": False,
    }


def contacts() -> list[dict[str, Any]]:
    enrolled = "Enrolled Date"
    return [
        contact(
            ENGAGED,
            "1001",
            "Ava Stone",
            {
                enrolled: unix("2026-01-05 00:00"),
                "Employer": "Acme",
                "Referral": "Counter Health",
                "Date of Birth": unix("1985-04-12 00:00"),
                "Eligible Programs": "Beta",
                "Registration Code": "RC-1",
                "Engagement Status": "At Risk",
                "Engagement Status Date": unix("2026-05-01 14:00"),
                "First Session Date": unix("2026-01-10 15:00"),
            },
        ),
        contact(
            LATE,
            "1002",
            "Ben  Carter Jr",
            {enrolled: unix("2026-03-01 00:00"), "Employer": "Globex", "Referral": "Web"},
        ),
        contact(
            WAITING,
            "1003",
            "Cleo Park",
            {
                enrolled: unix("2026-04-01 00:00"),
                "Employer": "Acme",
                "Referral": " Counter Health ",
                "Eligible Programs": "Smart Access",
            },
        ),
        contact(
            NEW,
            "1004",
            "Dan Ortiz",
            {enrolled: unix("2026-06-01 00:00"), "Employer": "Acme", "Referral": "Web"},
        ),
        contact(
            NO_ENROLMENT,
            "1005",
            "Eve Adams",
            {
                "Registration Date": unix("2026-02-01 00:00"),
                "Employer": "Globex",
                "Referral": "Web",
            },
        ),
        contact(
            DIRTY,
            "1006",
            "Finn Gray",
            {
                enrolled: "2025-03-04",
                "Registration Date": -DAY,
                "Date of Birth": unix("1955-06-27 00:00"),  # before 1970: negative, and valid
                "Last Call": unix("2100-06-01 00:00"),
                "Employer": "Initech",
                "Referral": "Web",
            },
        ),
        contact(
            UNICODE,
            "1007",
            "Zoë Ağaoğlu-Nguyễn",
            {enrolled: "03/04/2025", "Employer": "Initech", "Referral": "Web"},
        ),
        contact(
            ONE_WORD,
            "1008",
            "Cher",
            {enrolled: unix("2026-05-01 00:00"), "Employer": "Test Users Inc", "Referral": "Web"},
        ),
        contact(
            TWIN_A,
            "1009",
            "Sam Lee",
            {
                enrolled: unix("2026-02-01 00:00"),
                "Date of Birth": unix("1990-07-01 00:00"),
                "Employer": "Acme",
                "Referral": "Web",
            },
            email="sam.lee@example.org",
        ),
        contact(
            TWIN_B,
            "1010",
            "Sam Lee",
            {
                enrolled: unix("2026-02-15 00:00"),
                "Date of Birth": unix("1990-07-01 00:00"),
                "Employer": "Acme",
                "Referral": "Web",
            },
            email="slee@example.org",
        ),
        contact(
            NO_NAME,
            "1011",
            None,
            {enrolled: unix("2026-02-15 00:00"), "Employer": "Acme", "Referral": "Web"},
        ),
        contact(LEAD, None, "Lee Lead", {}, role="lead"),
        contact(GONE, "1013", "Gil Gone", {enrolled: unix("2026-01-01 00:00")}),
    ]


def conversations() -> list[dict[str, Any]]:
    c = conversation
    return [
        c("101", [ENGAGED], created="2026-06-10 14:00", closed="2026-06-10 15:00"),
        c(
            "102",
            [ENGAGED, LATE],
            channel="Video Conference",
            service_code="Disease Management 002",
            created="2026-05-20 14:00",
            closed="2026-05-20 15:00",
        ),
        # Reopened: closed once, open now: no session, but an open phone call from created_at.
        c("103", [WAITING], state="open", created="2026-06-01 14:00", closed="2026-06-01 15:00"),
        c(
            "104",
            [NEW],
            channel="Email",
            created="2026-06-05 14:00",
            closed="2026-06-05 15:00",
            assignee=None,
            teammates=[BEN],
        ),
        c(
            "105",
            [NEW],
            channel="Chat",
            created="2026-06-06 14:00",
            closed="2026-06-06 15:00",
            assignee=None,
            teammates=[],
        ),
        c("106", [NO_ENROLMENT], channel=" Phone ", created="2026-03-03 14:00", closed=None),
        c("107", [DIRTY], channel="SMS", created="2026-06-02 14:00", closed="2026-06-02 15:00"),
        c("108", [DIRTY], channel="phone", created="2026-06-03 14:00", closed="2026-06-03 15:00"),
        c(
            "109",
            [DIRTY],
            service_code="health coaching 001",
            created="2026-06-04 14:00",
            closed="2026-06-04 15:00",
        ),
        c(
            "110",
            [UNICODE],
            channel=None,
            service_code=None,
            created="2026-06-04 14:00",
            closed="2026-06-04 15:00",
        ),
        c("111", [], created="2026-06-04 14:00", closed="2026-06-04 15:00"),
        c("112", [LEAD, ONE_WORD], created="2026-06-08 14:00", closed="2026-06-08 15:00"),
        c("113", [GONE, TWIN_A], created="2026-06-09 14:00", closed="2026-06-09 15:00"),
        c(
            "114",
            [TWIN_B],
            created="2026-06-09 14:00",
            closed="2026-06-09 15:00",
            assignee=12345,
        ),
        # After the as-of date: ignored.
        c("115", [ENGAGED], created="2026-06-20 14:00", closed="2026-06-20 15:00"),
        c("116", [ENGAGED], created="2026-01-20 14:00", closed="2026-01-20 15:00"),
        # Deleted later (see deletions()).
        c("117", [NO_NAME], created="2026-06-12 14:00", closed="2026-06-12 15:00"),
        c(
            "118",
            [NO_NAME],
            channel="Video Conference",
            service_code="Tech Support 003",
            created="2026-05-01 14:00",
            closed="2026-05-01 15:00",
        ),
        # Two versions: open first, then closed (the newest updated_at wins).
        c("119", [NO_NAME], state="open", created="2026-06-05 14:00",
          updated_at=unix("2026-06-05 14:30")),
        c("119", [NO_NAME], created="2026-06-05 14:00", closed="2026-06-05 16:00"),
    ]  # fmt: skip


def admins() -> list[dict[str, Any]]:
    return [
        {
            "type": "admin",
            "id": admin_id,
            "name": name,
            "email": f"{name.split()[0].lower()}@example.org",
            "away_mode_enabled": False,
            "away_mode_reassign": False,
            "has_inbox_seat": True,
            "team_ids": [5017691],
        }
        for admin_id, name in ((ANA, "Ana Coach"), (BEN, "Ben Coach"))
    ]


def teams() -> list[dict[str, Any]]:
    return [
        {"type": "team", "id": "5017691", "name": "Coaching", "admin_ids": [int(ANA), int(BEN)]}
    ]


CONTACT_ATTRIBUTE_TYPES = {
    "Enrolled Date": "date",
    "Registration Date": "date",
    "Date of Birth": "date",
    "Employer": "string",
    "Referral": "string",
    "Registration Code": "string",
    "Last Coaching Session": "date",
    "First Session Date": "date",
    "Last Call": "date",
    "Engagement Status": "string",
    "Engagement Status Date": "date",
    "Eligible Programs": "string",
}


def data_attributes() -> list[dict[str, Any]]:
    def attribute(model: str, name: str, data_type: str) -> dict[str, Any]:
        return {
            "type": "data_attribute",
            "name": name,
            "full_name": f"custom_attributes.{name}",
            "label": name,
            "data_type": data_type,
            "api_writable": True,
            "ui_writable": True,
            "custom": True,
            "archived": False,
            "model": model,
        }

    return [attribute("contact", n, t) for n, t in CONTACT_ATTRIBUTE_TYPES.items()] + [
        attribute("conversation", "Channel", "string"),
        attribute("conversation", "Service Code", "string"),
    ]


def land_workspace(con: duckdb.DuckDBPyConnection) -> None:
    """Land the workspace as ingest would: raw tables, then one run per stream."""
    create_raw_tables(con)
    land_records(con, "admins", admins(), run_id="fixture")
    land_records(con, "teams", teams(), run_id="fixture")
    land_records(con, "data_attributes", data_attributes(), run_id="fixture")
    land_records(con, "contacts", contacts(), run_id="fixture")
    for record in conversations():
        land_records(con, "conversations", [record], run_id="fixture")
    # What `coach ingest --full` records when records vanish from Intercom.
    deletions = [("contacts", GONE), ("conversations", "117")]
    con.executemany(
        f"insert into {DELETIONS_TABLE} values (?, ?, now(), 'fixture-full')", deletions
    )
