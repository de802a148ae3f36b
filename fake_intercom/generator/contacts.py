"""Contacts as stored once their conversations are known: a member's maintained attributes
(correct, stale or missing), timestamps and manifest entries; and leads (role `lead`) who chat
about benefits or tech support, one of them on a coaching call (dirty data)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time
from typing import Any

from fake_intercom import dirty, records
from fake_intercom.generator.catalog import (
    BENEFITS_QUESTION,
    CHAT,
    DAY,
    DIRTY_RATE,
    HISTORY_DAYS,
    OTHER_PROGRAMS,
    PHONE,
    QUALIFYING_CODES,
    REFERRALS,
    RULES,
    TECH_SUPPORT,
)
from fake_intercom.generator.conversations import Conversations
from fake_intercom.generator.draft import Draft
from fake_intercom.generator.people import Member, People
from fake_intercom.generator.staff import Staff
from fake_intercom.generator.text import weighted
from fake_intercom.rules import ENGAGEMENT_STATUSES

US = {"country": "United States", "country_code": "USA", "continent_code": "NA"}


def finish_member(draft: Draft, member: Member) -> None:
    """The member's contact, with the maintained attributes about 45% correct, 25% stale and
    30% missing; its situation and expected Engagement Status go into the manifest."""
    rng, attrs = draft.rng, member.attributes
    far_future = attrs.pop("_far_future_last_session", False)
    enrolled = RULES.calendar_date("Enrolled Date", member.enrolled_value)
    first_day, last_day = (
        None if at is None else RULES.local_date(at) for at in (member.first_q, member.last_q)
    )
    status = RULES.engagement_status(enrolled, last_day, draft.as_of)
    desired = _desired(draft, member, enrolled, status)
    share = rng.random()
    if share < 0.45:  # correct
        attrs.update(desired)
    elif share < 0.70:  # stale: some correct, some old or wrong
        for key, value in desired.items():
            roll = rng.random()
            if roll < 0.4:
                attrs[key] = value
            elif roll < 0.8:
                attrs[key] = _stale(rng, key, value)
    if far_future:
        attrs["Last Coaching Session"] = dirty.far_future_timestamp(rng)
        draft.manifest.dirty["far_future_timestamp"].append(member.contact_id)
    written = [v for k, v in attrs.items() if k in desired and isinstance(v, int)]
    write_time = max([member.created_at, *written, _midnight(enrolled)])
    updated_at = min(draft.anchor - 60, write_time + rng.randrange(60, DAY))
    last_seen = None
    if rng.random() < 0.6:
        last_seen = rng.randrange(member.created_at, max(member.created_at + 1, updated_at))
    body = records.contact(
        contact_id=member.contact_id,
        workspace_id=draft.workspace_id,
        role="user",
        created_at=member.created_at,
        updated_at=max(updated_at, member.created_at),
        external_id=member.external_id,
        email=member.email,
        name=member.name,
        timestamps={
            "signed_up_at": member.created_at,
            "last_seen_at": last_seen,
            "last_contacted_at": member.last_contacted,
            "last_replied_at": member.last_replied,
        },
        location=US,
        custom_attributes=attrs,
    )
    if member.live:
        manifest = draft.manifest
        label = RULES.situation(enrolled, first_day, last_day, draft.as_of)
        manifest.situations[member.contact_id] = label
        manifest.statuses[member.contact_id] = status
        if label == "late_first_call" or RULES.is_late_first_call(enrolled, first_day):
            manifest.late_first_call.append(member.contact_id)
    draft.contacts.append((body, member.live))


def _desired(
    draft: Draft, member: Member, enrolled: date | None, status: str | None
) -> dict[str, Any]:
    """The maintained attributes' right values, as far as the generator plants them."""
    attrs = member.attributes
    desired: dict[str, Any] = {}
    if member.last_q is not None:
        desired["Last Coaching Session"] = member.last_q
        registered = RULES.calendar_date("Registration Date", member.registration_value)
        if enrolled or registered:
            desired["First Session Date"] = member.first_q
    if member.last_phone is not None:
        desired["Last Call"] = member.last_phone
    if status is not None:
        desired["Engagement Status"] = status
        base = member.last_q or member.created_at
        desired["Engagement Status Date"] = min(
            draft.anchor - 3_600, base + draft.rng.randrange(DAY, 30 * DAY)
        )
    programs = RULES.eligible_programs(attrs.get("Referral"), attrs.get("Eligible Programs"))
    if programs is not None:
        desired["Eligible Programs"] = programs
    return desired


def _midnight(day: date | None) -> int:
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp()) if day else 0


def _stale(rng: random.Random, key: str, value: Any) -> Any:
    if key == "Engagement Status":
        return rng.choice([s for s in ENGAGEMENT_STATUSES if s != value])
    if key == "Eligible Programs":
        return rng.choice(OTHER_PROGRAMS)
    return value - rng.randrange(7 * DAY, 60 * DAY)


def make_lead(
    draft: Draft, people: People, staff: Staff, conversations: Conversations, index: int
) -> None:
    """A lead who chatted one to three times; the first one (and a few more) also appears on a
    closed coaching call (dirty kind lead_on_session)."""
    rng, anchor = draft.rng, draft.anchor
    created = rng.randrange(anchor - HISTORY_DAYS * DAY, anchor - 2 * DAY)
    name = draft.faker.name() if rng.random() < 0.4 else None
    email = people.email(name, "mail.example.com") if rng.random() < 0.8 or index == 0 else None
    lead = {
        "id": people.contact_id(created),
        "external_id": None,
        "name": name,
        "email": email,
        "role": "lead",
    }
    attrs: dict[str, Any] = {}
    if rng.random() < 0.3:
        attrs["Referral"] = weighted(rng, REFERRALS) or "Website"
    last = max([created, *_chats(draft, staff, conversations, lead, created)])
    if index == 0 or rng.random() < DIRTY_RATE:
        at = rng.randrange(created, anchor - DAY)
        conv = conversations.make(
            contacts=[lead],
            created=at,
            state="closed",
            last_close=at + 1_800,
            first_close=None,
            channel=PHONE,
            code=QUALIFYING_CODES[0],
            coach=rng.choice(staff.coaches),
            initiated_by_admin=True,
        )
        draft.manifest.dirty["lead_on_session"].append(conv["id"])
    body = records.contact(
        contact_id=lead["id"],
        workspace_id=draft.workspace_id,
        role="lead",
        created_at=created,
        updated_at=min(anchor - 60, max(created, last)),
        email=email,
        name=name,
        timestamps={"last_seen_at": created},
        custom_attributes=attrs,
    )
    draft.contacts.append((body, 1))
    draft.flush()


def _chats(
    draft: Draft, staff: Staff, conversations: Conversations, lead: dict[str, Any], since: int
) -> list[int]:
    """One to three chats a lead started about benefits or tech support; their updated_at."""
    rng = draft.rng
    updated = []
    for _ in range(rng.choice((1, 1, 2, 2, 3))):
        at = rng.randrange(since, draft.anchor - DAY // 2)
        state = "closed" if rng.random() < 0.8 else "open"
        code = rng.choice((BENEFITS_QUESTION, TECH_SUPPORT))
        conv = conversations.make(
            contacts=[lead],
            created=at,
            state=state,
            last_close=None,
            first_close=None,
            channel=CHAT,
            code=code,
            coach=rng.choice(staff.support),
            initiated_by_admin=False,
        )
        updated.append(conv["updated_at"])
    return updated
