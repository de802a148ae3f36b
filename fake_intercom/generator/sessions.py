"""Each member's conversations over the history: qualifying coaching calls placed so the member
ends up in the situation aimed at, other conversations that are never qualifying calls, and
households whose calls list two members. Every conversation is credited to the members it
lists with the program's rules, as the models will read it."""

from __future__ import annotations

from typing import Any

from fake_intercom import dirty, records
from fake_intercom.generator.catalog import (
    BENEFITS_QUESTION,
    CALL_CHANNELS,
    CHAT,
    DAY,
    DIRTY_RATE,
    EMAIL,
    HISTORY_DAYS,
    PHONE,
    QUALIFYING_CODES,
    RULES,
    SITUATIONS,
    TECH_SUPPORT,
)
from fake_intercom.generator.conversations import Conversations
from fake_intercom.generator.draft import Draft
from fake_intercom.generator.people import Member
from fake_intercom.generator.staff import Staff

# Conversations that are never qualifying calls: (Channel, Service Code or None for a
# qualifying one drawn at random, started by an admin), and how often each is picked.
OTHER_TEMPLATES = {
    "email_coaching": (EMAIL, None, True),
    "chat_coaching": (CHAT, QUALIFYING_CODES[0], False),
    "tech_chat": (CHAT, TECH_SUPPORT, False),
    "benefits_email": (EMAIL, BENEFITS_QUESTION, False),
    "tech_phone": (PHONE, TECH_SUPPORT, True),
    "open_call": (PHONE, None, True),
}
OTHER_WEIGHTS = (0.30, 0.20, 0.15, 0.15, 0.12, 0.08)


class Sessions:
    def __init__(self, draft: Draft, staff: Staff, conversations: Conversations) -> None:
        self.draft = draft
        self.staff = staff
        self.conversations = conversations
        self.per_active = 3.0  # conversations per active member; set by the run
        self.padded_phone_planted = False

    def household(self, members: list[Member]) -> None:
        """The conversations of one member, or of two who share some calls."""
        by_id = {m.contact_id: m for m in members}
        calls: list[list[dict[str, Any]]] = []
        for member in members:
            calls.append(self._schedule(member, by_id))
            if member.live == 0 and member.conversations == 0:
                # A deleted member exists to leave orphan references behind: give it one.
                self._coaching_call(member, self.draft.local_instant(2), by_id)
        if len(members) == 2 and any(calls):
            # Some of the first member's calls list the partner too (credited to both). Only the
            # first member's: the partner's own calls list the partner already.
            partner = members[1]
            shared = calls[0][: self.draft.rng.randint(1, 2)]
            for conv in shared:
                conv["contacts"]["contacts"].append(
                    records.contact_reference(partner.contact_id, partner.external_id)
                )
                self.track(conv, by_id)
            if shared:
                self.draft.manifest.households.append([m.contact_id for m in members])

    def _schedule(self, member: Member, by_id: dict[str, Member]) -> list[dict[str, Any]]:
        """The member's conversations; returns their qualifying calls (for households)."""
        rng = self.draft.rng
        _, first_range, last_range = SITUATIONS[member.situation]
        enrolled_days = member.enrolled_days
        calls: list[int] = []
        if first_range is not None and last_range is not None:
            first_days = enrolled_days - rng.randint(*first_range)
            last_days = member.forced_last_days or rng.randint(*last_range)
            last_days = min(last_days, max(first_days, 1))
            first_days = max(first_days, last_days)
            n_calls = max(2, round(rng.gauss(self.per_active * 0.65, self.per_active * 0.2)))
            days = {first_days, last_days}
            for _ in range(n_calls - 2):
                days.add(rng.randint(last_days, first_days))
            calls = sorted(self.draft.local_instant(d) for d in days)
        elif member.situation == "enrolled_this_week" and rng.random() < 0.5:
            calls = [self.draft.local_instant(rng.randint(1, max(1, enrolled_days - 1)))]
        sessions = [self._coaching_call(member, t, by_id) for t in calls]
        n_other = (
            max(0, round(rng.gauss(self.per_active * 0.35, self.per_active * 0.15)))
            if calls
            else rng.randint(0, 3)
        )
        for _ in range(n_other):
            self._other_conversation(member, by_id)
        return [s for s in sessions if s is not None]

    def _coaching_call(self, member: Member, at: int, by_id: dict[str, Member]) -> dict:
        """A closed Phone/Video call with a qualifying service code, its session at `at`."""
        rng = self.draft.rng
        channel = rng.choice(CALL_CHANNELS)
        code = QUALIFYING_CODES[0] if rng.random() < 0.75 else QUALIFYING_CODES[1]
        if not self.padded_phone_planted:
            self.padded_phone_planted = True
            channel = dirty.PADDED_PHONE
        elif channel == PHONE and rng.random() < DIRTY_RATE / 3:
            channel = dirty.PADDED_PHONE
        reopened = rng.random() < 0.05
        duration = rng.randrange(15 * 60, 60 * 60, 60)
        created = at - duration - (rng.randrange(DAY, 3 * DAY) if reopened else 0)
        conv = self.conversations.make(
            contacts=[member],
            created=created,
            state="closed",
            last_close=at,
            first_close=created + duration if reopened else None,
            channel=channel,
            code=code,
            coach=member.coach,
            initiated_by_admin=True,
        )
        if channel == dirty.PADDED_PHONE:
            self.draft.manifest.dirty["unknown_channel"].append(conv["id"])
        self.track(conv, by_id)
        return conv

    def _other_conversation(self, member: Member, by_id: dict[str, Member]) -> None:
        """A conversation that is never a qualifying call: email/chat coaching, tech support,
        benefits questions, a phone call about tech support, or a call still open."""
        rng, anchor = self.draft.rng, self.draft.anchor
        template = rng.choices(tuple(OTHER_TEMPLATES), OTHER_WEIGHTS)[0]
        start = max(member.created_at + DAY, anchor - HISTORY_DAYS * DAY)
        if template == "open_call":
            start = max(start, anchor - 14 * DAY)
        if start >= anchor - DAY:
            return
        created = rng.randrange(start, anchor - DAY)
        # Both drawn every time, as the generator always has, so a seed keeps its workspace.
        drawn = {"email_coaching": rng.choice(QUALIFYING_CODES)}
        drawn["open_call"] = rng.choice(QUALIFYING_CODES)
        channel, code, by_admin = OTHER_TEMPLATES[template]
        code = code or drawn[template]
        recent = created > anchor - 14 * DAY
        state = "closed"
        if template == "open_call":
            state = "snoozed" if rng.random() < 0.3 else "open"
        elif recent and rng.random() < 0.4:
            state = rng.choice(("open", "open", "snoozed"))
        support = code in (TECH_SUPPORT, BENEFITS_QUESTION)
        conv = self.conversations.make(
            contacts=[member],
            created=created,
            state=state,
            last_close=None,
            first_close=None,
            channel=channel,
            code=code,
            coach=rng.choice(self.staff.support) if support else member.coach,
            initiated_by_admin=by_admin,
            reopen_chance=0.06,
        )
        self.conversations.plant_dirty(conv)
        self.track(conv, by_id)

    def track(self, conv: dict[str, Any], by_id: dict[str, Member]) -> None:
        """Credit the conversation, as finally stored, to the members it lists (rules.py:
        qualifying calls, phone calls; who started it)."""
        activity = RULES.activity(conv)
        for ref in conv["contacts"]["contacts"]:
            member = by_id.get(ref["id"])
            if member is None:
                continue
            member.conversations += 1
            at = activity.at
            if activity.is_qualifying_call:
                member.first_q = at if member.first_q is None else min(member.first_q, at)
                member.last_q = at if member.last_q is None else max(member.last_q, at)
            if activity.is_phone_call:
                member.last_phone = at if member.last_phone is None else max(member.last_phone, at)
            if conv["source"]["delivered_as"] == "admin_initiated":
                member.last_contacted = max(member.last_contacted or 0, conv["created_at"])
            else:
                member.last_replied = max(member.last_replied or 0, conv["created_at"])
            if member.live == 0:
                self.draft.manifest.dirty["orphan_contact_reference"].append(conv["id"])
