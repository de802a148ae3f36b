"""Members (role `user`): who they are, when they enrolled, the contact attributes they carry,
the situation they are meant to end up in, and the dirty data planted on some of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from fake_intercom import dirty
from fake_intercom.generator.catalog import (
    BIG_EMPLOYERS,
    DAY,
    DIRTY_RATE,
    FORCED_SITUATIONS,
    OTHER_PROGRAMS,
    REFERRALS,
    SITUATION_WEIGHTS,
    SITUATIONS,
    TEST_EMPLOYER,
)
from fake_intercom.generator.draft import Draft
from fake_intercom.generator.staff import Staff
from fake_intercom.generator.text import ascii_slug, email_domain, weighted


@dataclass
class Member:
    contact_id: str
    external_id: str
    name: str | None
    email: str
    created_at: int
    coach: dict[str, Any]
    situation: str
    enrolled_days: int
    enrolled_value: Any = None  # as stored (may be dirty)
    registration_value: Any = None
    dob_value: Any = None
    attributes: dict[str, Any] = field(default_factory=dict)
    live: int = 1
    kinds: list[str] = field(default_factory=list)
    forced_last_days: int | None = None
    first_q: int | None = None
    last_q: int | None = None
    last_phone: int | None = None
    last_contacted: int | None = None
    last_replied: int | None = None
    conversations: int = 0


class People:
    """Makes contacts: unique ids and emails, members with their attributes."""

    def __init__(self, draft: Draft) -> None:
        self.draft = draft
        self.used_ids: set[str] = set()
        self.used_emails: set[str] = set()
        self.external_seq = 100_000
        self.previous_member: Member | None = None
        self.long_tail = [
            draft.faker_en.company() for _ in range(max(5, draft.size.contacts // 60))
        ]

    def contact_id(self, created_at: int) -> str:
        """Intercom-like: the creation time's hex, then random hex."""
        while True:
            candidate = f"{created_at & 0xFFFFFFFF:08x}{self.draft.rng.getrandbits(64):016x}"
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def email(self, name: str | None, domain: str) -> str:
        base = ascii_slug(name or self.draft.faker_en.user_name()) or "member"
        candidate = f"{base}@{domain}"
        n = 1
        while candidate in self.used_emails:
            n += 1
            candidate = f"{base}{n}@{domain}"
        self.used_emails.add(candidate)
        return candidate

    def day_value(self, day: date, *, other_time: bool = False) -> int:
        """A calendar date as Intercom stores it: unix seconds of UTC midnight (or, rarely,
        another time of that day)."""
        value = int(datetime.combine(day, time(0), tzinfo=UTC).timestamp())
        return value + (self.draft.rng.randrange(3_600, DAY - 3_600) if other_time else 0)

    # ------------------------------------------------------------------ members
    def member(self, index: int, staff: Staff) -> Member:
        rng, draft = self.draft.rng, self.draft
        situation, enrolled_days, last_days, planted = self._plan(index)
        low, high = SITUATIONS[situation][0]
        if enrolled_days is None:
            enrolled_days = rng.randint(low, high)
        if last_days is not None:
            # room for the first call (at most 20 days after enrolment) before the last one
            enrolled_days = max(enrolled_days, last_days + 30)
        enrolled_day = draft.as_of - timedelta(days=enrolled_days)
        registration_day = enrolled_day - timedelta(days=rng.choice((0, 0, 1, 3, 7, 14, 21)))
        created_at = self.day_value(registration_day) - rng.randrange(0, 30 * DAY)
        created_at = min(created_at, draft.anchor - DAY)
        name = draft.faker.name()
        employer = self._employer()
        member = Member(
            contact_id=self.contact_id(created_at),
            external_id=str(self.external_seq + index * 7 + rng.randrange(7)),
            name=name,
            email="",
            created_at=created_at,
            coach=rng.choice(staff.coaches),
            situation=situation,
            enrolled_days=enrolled_days,
            forced_last_days=last_days,
        )
        member.enrolled_value = self.day_value(enrolled_day, other_time=rng.random() < 0.05)
        member.registration_value = self.day_value(registration_day, other_time=rng.random() < 0.05)
        dob = date(rng.randint(1945, 2004), rng.randint(1, 12), rng.randint(1, 28))
        member.dob_value = self.day_value(dob)
        member.attributes = self._attributes(member, employer)
        for kind, variant in planted:
            self._plant(member, kind, variant)
        member.email = self.email(member.name, email_domain(rng, employer))
        self.previous_member = member
        return member

    def _plan(self, index: int) -> tuple[str, int | None, int | None, list[tuple[str, Any]]]:
        """The situation aimed at, forced days (boundary members), and dirty kinds to plant:
        at most one kind per member, so kinds never undo each other."""
        if index < len(FORCED_SITUATIONS):
            return (*FORCED_SITUATIONS[index], [])
        rng = self.draft.rng
        situation = rng.choices(list(SITUATION_WEIGHTS), list(SITUATION_WEIGHTS.values()))[0]
        k = index - len(FORCED_SITUATIONS)
        if k < len(dirty.MEMBER_PLAN):
            return situation, None, None, [dirty.MEMBER_PLAN[k]]
        if rng.random() < DIRTY_RATE * len(dirty.MEMBER_VARIANTS) / 2:
            kind = rng.choice(list(dirty.MEMBER_VARIANTS))
            return situation, None, None, [(kind, rng.choice(dirty.MEMBER_VARIANTS[kind]))]
        return situation, None, None, []

    def _attributes(self, member: Member, employer: str) -> dict[str, Any]:
        rng = self.draft.rng
        attributes: dict[str, Any] = {
            "Enrolled Date": member.enrolled_value,
            "Registration Date": member.registration_value,
            "Date of Birth": member.dob_value,
            "Employer": employer,
            "Registration Code": f"{ascii_slug(employer)[:3].upper()}-{rng.getrandbits(24):06X}",
        }
        referral = weighted(rng, REFERRALS)
        if referral:
            attributes["Referral"] = referral
        if rng.random() < 0.10:
            attributes["Eligible Programs"] = rng.choice(OTHER_PROGRAMS)
        return attributes

    def _employer(self) -> str:
        rng = self.draft.rng
        if rng.random() < 0.02:
            return TEST_EMPLOYER
        picked = weighted(rng, BIG_EMPLOYERS)
        return picked or rng.choice(self.long_tail)

    def _plant(self, member: Member, kind: str, variant: Any) -> None:
        rng, attrs = self.draft.rng, member.attributes
        planted = self.draft.manifest.dirty
        if kind == "missing_attribute":
            if variant == "name":
                member.name = None
            else:
                attrs.pop(variant, None)
        elif kind in ("date_as_string", "negative_timestamp"):
            value = attrs[variant]
            attrs[variant] = (
                dirty.date_as_string(rng, value)
                if kind == "date_as_string"
                else dirty.negative_timestamp(rng)
            )
        elif kind == "far_future_timestamp":
            if variant == "Enrolled Date":
                attrs[variant] = dirty.far_future_timestamp(rng)
            else:  # the maintained Last Coaching Session, set once the calls are known
                attrs["_far_future_last_session"] = True
        elif kind == "unusual_name":
            member.name = {
                "one word": rng.choice(dirty.ONE_WORD_NAMES),
                "unicode": rng.choice(dirty.UNICODE_NAMES),
                "null": None,
            }[variant]
        elif kind == "duplicate_looking_member":
            twin = self.previous_member
            if twin is None or twin.name is None:
                return
            member.name = twin.name
            attrs["Date of Birth"] = member.dob_value = twin.dob_value
            planted[kind].append(twin.contact_id)
        elif kind == "orphan_contact_reference":
            member.live = 0
        member.enrolled_value = attrs.get("Enrolled Date")
        member.kinds.append(kind)
        if kind != "orphan_contact_reference":
            planted[kind].append(member.contact_id)
