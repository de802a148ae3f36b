"""Dirty data the generator plants on purpose, because real workspaces have it.

Every later stage (ingest, dbt, write-back, reports) must handle each kind. The kinds are those
of docs/architecture.md; the generator records where it planted each one in the workspace
manifest (`backend.ground_truth()["manifest"]["dirty"][kind]`, a list of contact or
conversation ids) and plants each at a low rate, at least once even in the `tiny` workspace.

* missing_attribute: a user without Enrolled Date, Employer, Referral or name.
* date_as_string: Enrolled Date, Registration Date or Date of Birth holding "2025-03-04" or
  "03/04/2025".
* negative_timestamp: Enrolled Date or Registration Date holding a negative number. (A Date of
  Birth before 1970 is legitimately negative and is not dirty.)
* far_future_timestamp: Enrolled Date or Last Coaching Session in the year 2100 or later.
* unknown_channel: Channel "phone", "SMS" or "Video"; also " Phone " (padded), which is valid
  after trimming and is planted on real coaching calls.
* unknown_service_code: a Service Code not in the list ("Nutrition 099") or differently cased
  ("health coaching 001").
* missing_channel: a conversation without Channel, or without Service Code.
* conversation_without_contact: a conversation whose contact list is empty.
* unusual_name: a one-word name, a unicode name ("Zoë Ağaoğlu-Nguyễn") or no name on a user.
* duplicate_looking_member: two users with the same name and Date of Birth, different ids and
  emails (both ids are listed).
* lead_on_session: a lead (role lead) on a closed Phone coaching conversation.
* no_coach: a conversation with no admin assignee and no teammates, or an assignee id that is
  not an admin.
* orphan_contact_reference: a conversation that lists a contact id that no longer exists (the
  contact was deleted; the conversation ids are listed).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

DIRTY_KINDS = (
    "missing_attribute",
    "date_as_string",
    "negative_timestamp",
    "far_future_timestamp",
    "unknown_channel",
    "unknown_service_code",
    "missing_channel",
    "conversation_without_contact",
    "unusual_name",
    "duplicate_looking_member",
    "lead_on_session",
    "no_coach",
    "orphan_contact_reference",
)

# Every (kind, variant) is planted once on the first members and conversations, so each is
# present in every workspace; after that, kinds are drawn at random at a low rate.
MEMBER_PLAN: tuple[tuple[str, str | None], ...] = (
    ("duplicate_looking_member", None),
    ("missing_attribute", "Enrolled Date"),
    ("missing_attribute", "Employer"),
    ("missing_attribute", "Referral"),
    ("missing_attribute", "name"),
    ("date_as_string", "Enrolled Date"),
    ("date_as_string", "Date of Birth"),
    ("negative_timestamp", "Enrolled Date"),
    ("negative_timestamp", "Registration Date"),
    ("far_future_timestamp", "Enrolled Date"),
    ("far_future_timestamp", "Last Coaching Session"),
    ("unusual_name", "one word"),
    ("unusual_name", "unicode"),
    ("unusual_name", "null"),
    ("orphan_contact_reference", None),  # the member is deleted; its conversations stay
)
CONVERSATION_PLAN: tuple[tuple[str, str | None], ...] = (
    ("unknown_channel", "unknown"),
    ("unknown_service_code", "unknown"),
    ("missing_channel", "Channel"),
    ("missing_channel", "Service Code"),
    ("conversation_without_contact", None),
    ("no_coach", "unassigned"),
    ("no_coach", "not an admin"),
)


def variants(plan: tuple[tuple[str, str | None], ...]) -> dict[str, list[str | None]]:
    found: dict[str, list[str | None]] = {}
    for kind, variant in plan:
        found.setdefault(kind, []).append(variant)
    return found


MEMBER_VARIANTS = variants(MEMBER_PLAN)
CONVERSATION_VARIANTS = variants(CONVERSATION_PLAN)
UNKNOWN_CHANNELS = ("phone", "SMS", "Video")
PADDED_PHONE = " Phone "
UNKNOWN_SERVICE_CODES = ("Nutrition 099", "health coaching 001", "DISEASE MANAGEMENT 002")
UNICODE_NAMES = ("Zoë Ağaoğlu-Nguyễn", "Søren Ødegård", "Łucja Wróbel-Żak", "Nguyễn Thị Ánh")
ONE_WORD_NAMES = ("Cher", "Madonna", "Prince", "Teller")
NOT_AN_ADMIN_ID = 4_040_404
FAR_FUTURE = int(datetime(2100, 1, 1, tzinfo=UTC).timestamp())


def date_as_string(rng: random.Random, value: int) -> str:
    day = datetime.fromtimestamp(value, UTC)
    return day.strftime("%Y-%m-%d") if rng.random() < 0.5 else day.strftime("%m/%d/%Y")


def negative_timestamp(rng: random.Random) -> int:
    return -rng.choice((1, 86_400, 31_536_000, 1_000_000_000))


def far_future_timestamp(rng: random.Random) -> int:
    return FAR_FUTURE + rng.randrange(0, 200) * 31_536_000 // 10
