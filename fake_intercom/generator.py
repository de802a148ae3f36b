"""The seeded workspace generator: a health-coaching program's Intercom workspace.

Deterministic: the same (size, seed, now) gives byte-identical records. History ends at the
start of `now`'s UTC day (the *anchor*): conversations span the 18 months before it and every
`updated_at` is at or before it. Engagement situations are judged as of `now`'s date (`as_of`)
in the program timezone (America/New_York), with the rules of issue 4.

What is in a workspace:
* admins: coaches in a "Health Coaching" team (some also in "Clinical Leads"), support admins
  in "Member Support", and the program-operations admin that owns the access token (GET /me);
* members (role `user`) with the contact attributes of docs/architecture.md: calendar dates as
  unix seconds of UTC midnight (a few at other times of day), employers (three large ones, a
  long tail, and "Test Users Inc"), referrals (some "Counter Health"), registration codes; some
  already carry the maintained attributes (correct, stale or missing in roughly 45/25/30 shares)
  so a write-back plan is non-empty but not everything;
* members in every engagement situation: engaged, at risk, unengaged (with the day-28/29 and
  56/57 boundaries present), never called, new without a call yet, late first call (more than
  28 days after enrolment), enrolled this week; households whose calls list two members;
* leads (role `lead`) who chat about benefits or tech support;
* conversations on the four channels (Phone, Video Conference, Email, Chat) with Service Codes
  (Health Coaching 001, Disease Management 002, Tech Support 003, Benefits Question 004):
  closed, open, snoozed and reopened ones;
* every dirty-data kind of `dirty.py`, at a low rate.

Records are streamed into the store in batches, so 2M conversations never sit in memory. The
manifest (`ground_truth()["manifest"]`) records the as-of date, where each dirty kind was
planted, each member's situation and expected Engagement Status (computed from the generated
conversations with issue 4's rules), so tests downstream can check themselves against it.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker

from fake_intercom import dirty, records
from fake_intercom.records import CONVERSATION_ID_BASE, SOURCE_ID_BASE, history_events
from fake_intercom.store import Store

GENERATOR_VERSION = 1
PROGRAM_TZ = ZoneInfo("America/New_York")
HISTORY_DAYS = 548  # 18 months
DAY = 86_400
BATCH = 5_000


@dataclass(frozen=True)
class Size:
    contacts: int
    conversations: int


SIZES = {
    "tiny": Size(40, 300),
    "demo": Size(600, 8_000),
    "small": Size(2_000, 30_000),
    "medium": Size(20_000, 300_000),
    "large": Size(100_000, 2_000_000),
}

CHANNELS = ("Phone", "Video Conference", "Email", "Chat")
CALL_CHANNELS = ("Phone", "Video Conference")
QUALIFYING_CODES = ("Health Coaching 001", "Disease Management 002")
SERVICE_CODES = (*QUALIFYING_CODES, "Tech Support 003", "Benefits Question 004")
# The workspace's custom data attributes: (model, name, data_type, description, options).
CUSTOM_ATTRIBUTES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("contact", "Enrolled Date", "date", "Date the member enrolled in the program", ()),
    ("contact", "Registration Date", "date", "Date the member registered", ()),
    ("contact", "Date of Birth", "date", "Member's date of birth", ()),
    ("contact", "Employer", "string", "Member's employer", ()),
    ("contact", "Referral", "string", "How the member was referred", ()),
    ("contact", "Registration Code", "string", "Code used at registration", ()),
    ("contact", "Last Coaching Session", "date", "Maintained: latest qualifying call", ()),
    ("contact", "First Session Date", "date", "Maintained: first qualifying call", ()),
    ("contact", "Last Call", "date", "Maintained: latest phone call", ()),
    ("contact", "Engagement Status", "string", "Maintained: Engaged, At Risk, Unengaged", ()),
    ("contact", "Engagement Status Date", "date", "Maintained: when the status changed", ()),
    ("contact", "Eligible Programs", "string", "Maintained: sorted, '; '-joined programs", ()),
    ("conversation", "Channel", "string", "How the session took place", CHANNELS),
    ("conversation", "Service Code", "string", "Billing service code", SERVICE_CODES),
)
LEAD_SHARE = 0.08
BIG_EMPLOYERS = (
    ("Acme Manufacturing", 0.30),
    ("Northwind Health System", 0.20),
    ("Globex Logistics", 0.10),
)
TEST_EMPLOYER = "Test Users Inc"
REFERRALS = (
    ("Counter Health", 0.22),
    ("Employer Benefits Fair", 0.14),
    ("Primary Care Physician", 0.14),
    ("Website", 0.20),
)
OTHER_PROGRAMS = ("Diabetes Prevention", "Weight Management")
LOCALES = {"en_US": 0.7, "es_MX": 0.1, "de_DE": 0.05, "fr_FR": 0.05, "tr_TR": 0.05, "vi_VN": 0.05}
TOPICS = {
    "Health Coaching 001": (
        "nutrition goals",
        "sleep routine",
        "stress management",
        "activity plan",
        "weight progress",
    ),
    "Disease Management 002": (
        "blood pressure log",
        "glucose readings",
        "medication support",
        "care plan review",
    ),
    "Tech Support 003": ("app login problem", "password reset", "device sync issue"),
    "Benefits Question 004": ("benefits eligibility", "coverage question", "enrollment form"),
}

# Situations the generator aims at; the manifest labels come from the generated data.
# (name, enrolled days ago range, first call days after enrolment, last call days ago)
SITUATIONS: dict[str, tuple[tuple[int, int], tuple[int, int] | None, tuple[int, int] | None]] = {
    "engaged": ((45, 540), (1, 20), (1, 28)),
    "at_risk": ((80, 540), (1, 20), (29, 56)),
    "unengaged": ((150, 540), (1, 20), (57, 120)),
    "never_called": ((29, 400), None, None),
    "new_no_call": ((7, 28), None, None),
    "late_first_call": ((75, 400), (29, 45), (1, 28)),
    "enrolled_this_week": ((1, 6), None, None),
}
SITUATION_WEIGHTS = {
    "engaged": 0.42,
    "at_risk": 0.12,
    "unengaged": 0.16,
    "never_called": 0.08,
    "new_no_call": 0.06,
    "late_first_call": 0.10,
    "enrolled_this_week": 0.06,
}
# Boundary members first, so even `tiny` holds every situation and every day-28/29, 56/57 edge.
FORCED_SITUATIONS: tuple[tuple[str, int | None, int | None], ...] = (
    ("engaged", None, 28),
    ("at_risk", None, 29),
    ("at_risk", None, 56),
    ("unengaged", None, 57),
    ("never_called", 29, None),
    ("new_no_call", 28, None),
    ("late_first_call", None, None),
    ("enrolled_this_week", None, None),
    ("engaged", None, None),
    ("unengaged", None, None),
)
DIRTY_RATE = 0.01


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


def anchor_of(now: datetime) -> datetime:
    """The end of generated history: the start of `now`'s UTC day."""
    now = now.astimezone(UTC)
    return datetime(now.year, now.month, now.day, tzinfo=UTC)


def local_date(ts: int) -> date:
    return datetime.fromtimestamp(ts, PROGRAM_TZ).date()


def expected_status(enrolled: date | None, last_q: int | None, as_of: date) -> str | None:
    """Engagement Status by issue 4's rules (None: no valid Enrolled Date, so skipped)."""
    if enrolled is None:
        return None
    if last_q is None:
        return "Engaged" if (as_of - enrolled).days <= 28 else "Unengaged"
    days = (as_of - local_date(last_q)).days
    return "Engaged" if days <= 28 else "At Risk" if days <= 56 else "Unengaged"


class WorkspaceGenerator:
    def __init__(self, store: Store, size: str, seed: int, now: datetime) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown workspace size {size!r}; use one of {', '.join(SIZES)}")
        self.store = store
        self.size_name = size
        self.size = SIZES[size]
        self.seed = seed
        self.anchor_dt = anchor_of(now)
        self.anchor = int(self.anchor_dt.timestamp())
        self.as_of = self.anchor_dt.date()
        self.rng = random.Random(f"fake-intercom:{seed}")
        self.faker = Faker(OrderedDict(LOCALES), use_weighting=True)
        self.faker.seed_instance(seed)
        self.faker_en = self.faker["en_US"]
        self.workspace_id = "fk" + hashlib.blake2b(str(seed).encode(), digest_size=8).hexdigest()
        self.conv_seq = 0
        self.conversations: list[dict[str, Any]] = []
        self.contacts: list[tuple[dict[str, Any], int]] = []
        self.manifest_dirty: dict[str, list[str]] = defaultdict(list)
        self.situations: dict[str, str] = {}
        self.statuses: dict[str, str | None] = {}
        self.late_first_call: list[str] = []
        self.households: list[list[str]] = []
        self.used_ids: set[str] = set()
        self.used_emails: set[str] = set()
        self.external_seq = 100_000
        self.conversation_plan = list(dirty.CONVERSATION_PLAN)
        self.padded_phone_planted = False
        self.previous_member: Member | None = None
        self.long_tail = [self.faker_en.company() for _ in range(max(5, self.size.contacts // 60))]

    # ================================================================ run
    def generate(self) -> None:
        self._workspace()
        members_total = max(
            len(FORCED_SITUATIONS) + len(dirty.MEMBER_PLAN) + 2,
            round(self.size.contacts * (1 - LEAD_SHARE)),
        )
        leads_total = max(3, self.size.contacts - members_total)
        inactive = sum(
            SITUATION_WEIGHTS[s] for s in ("never_called", "new_no_call", "enrolled_this_week")
        )
        budget = self.size.conversations - leads_total * 1.6 - members_total * inactive * 1.5
        self.per_active = max(3.0, budget / (members_total * (1 - inactive)))
        index = 0
        while index < members_total:
            household = [self._member(index)]
            index += 1
            if index < members_total and index > 12 and self.rng.random() < 0.02:
                household.append(self._member(index))
                index += 1
            self._household(household)
        for lead_index in range(leads_total):
            self._lead(lead_index)
        self._flush(final=True)
        self.store.set_meta(
            "manifest",
            {
                "as_of": self.as_of.isoformat(),
                "anchor": self.anchor,
                "program_timezone": "America/New_York",
                "dirty": {kind: self.manifest_dirty.get(kind, []) for kind in dirty.DIRTY_KINDS},
                "situations": self.situations,
                "expected_engagement_status": self.statuses,
                "late_first_call": self.late_first_call,
                "households": self.households,
            },
        )
        self.store.finish_load()

    def _flush(self, final: bool = False) -> None:
        if self.contacts and (final or len(self.contacts) >= BATCH):
            self.store.insert_contacts(self.contacts)
            self.contacts = []
        if self.conversations and (final or len(self.conversations) >= BATCH):
            self.store.insert_conversations(self.conversations)
            self.conversations = []

    # ========================================================== workspace
    def _workspace(self) -> None:
        rng = self.rng
        app_created = self.anchor - 3 * 365 * DAY
        n_coaches = min(60, max(4, self.size.contacts // 250))
        ids = rng.sample(range(5_000_000, 9_999_999), n_coaches + 3)
        coaching_team, clinical_team, support_team = 7_101_001, 7_101_002, 7_101_003
        self.coaches: list[dict[str, Any]] = []
        admins: list[dict[str, Any]] = []
        for i, admin_id in enumerate(ids[:n_coaches]):
            teams = [coaching_team] + ([clinical_team] if i % 4 == 0 else [])
            admins.append(self._admin(admin_id, "Health Coach", teams))
        self.coaches = list(admins)
        self.support = [
            self._admin(a, "Member Support Specialist", [support_team])
            for a in ids[n_coaches : n_coaches + 2]
        ]
        me = self._admin(ids[-1], "Program Manager", [])
        admins += [*self.support, me]
        self.admins_by_id = {a["id"]: a for a in admins}
        self.store.insert_simple("admins", [(a["id"], a) for a in admins])
        self.team_ids = {"coaching": coaching_team, "support": support_team}
        teams = [
            records.team(
                team_id=str(coaching_team),
                name="Health Coaching",
                admin_ids=[int(a["id"]) for a in self.coaches],
            ),
            records.team(
                team_id=str(clinical_team),
                name="Clinical Leads",
                admin_ids=[int(a["id"]) for a in self.coaches[::4]],
            ),
            records.team(
                team_id=str(support_team),
                name="Member Support",
                admin_ids=[int(a["id"]) for a in self.support],
            ),
        ]
        self.store.insert_simple("teams", [(t["id"], t) for t in teams])
        self._data_attributes(app_created, me["id"])
        self.store.set_meta(
            "workspace",
            {
                "size": self.size_name,
                "seed": self.seed,
                "anchor": self.anchor,
                "as_of": self.as_of.isoformat(),
                "workspace_id": self.workspace_id,
                "app_name": "Counterpart Coaching (fake)",
                "app_created_at": app_created,
                "me_admin_id": me["id"],
                "generator_version": GENERATOR_VERSION,
            },
        )

    def _admin(self, admin_id: int, title: str, teams: list[int]) -> dict[str, Any]:
        name = self.faker_en.name()
        email = f"{_ascii_slug(name)}.{admin_id % 1000}@coach.example.org"
        return records.admin(
            admin_id=str(admin_id), name=name, email=email, job_title=title, team_ids=teams
        )

    def _data_attributes(self, created: int, admin_id: str) -> None:
        standard = [("contact", *a) for a in records.STANDARD_CONTACT_ATTRIBUTES]
        standard += [("conversation", *a) for a in records.STANDARD_CONVERSATION_ATTRIBUTES]
        for model, name, label, description, data_type, writable in standard:
            self.store.insert_data_attribute(
                records.data_attribute(
                    model=model,
                    name=name,
                    label=label,
                    description=description,
                    data_type=data_type,
                    custom=False,
                    api_writable=writable,
                )
            )
        for number, (model, name, data_type, description, options) in enumerate(
            CUSTOM_ATTRIBUTES, start=1
        ):
            self.store.insert_data_attribute(
                records.data_attribute(
                    model=model,
                    name=name,
                    data_type=data_type,
                    description=description,
                    custom=True,
                    attribute_id=number,
                    options=list(options) or None,
                    created_at=created + number * DAY,
                    admin_id=admin_id,
                )
            )

    # ============================================================ people
    def _contact_id(self, created_at: int) -> str:
        while True:
            candidate = f"{created_at & 0xFFFFFFFF:08x}{self.rng.getrandbits(64):016x}"
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def _email(self, name: str | None, domain: str) -> str:
        base = _ascii_slug(name or self.faker_en.user_name()) or "member"
        candidate = f"{base}@{domain}"
        n = 1
        while candidate in self.used_emails:
            n += 1
            candidate = f"{base}{n}@{domain}"
        self.used_emails.add(candidate)
        return candidate

    def _day_value(self, day: date, *, other_time: bool = False) -> int:
        value = int(datetime.combine(day, time(0), tzinfo=UTC).timestamp())
        return value + (self.rng.randrange(3_600, DAY - 3_600) if other_time else 0)

    def _member(self, index: int) -> Member:
        rng = self.rng
        planted: list[tuple[str, str | None]] = []
        if index < len(FORCED_SITUATIONS):
            situation, enrolled_days, last_days = FORCED_SITUATIONS[index]
        else:
            situation = rng.choices(list(SITUATION_WEIGHTS), list(SITUATION_WEIGHTS.values()))[0]
            enrolled_days = last_days = None
            k = index - len(FORCED_SITUATIONS)
            if k < len(dirty.MEMBER_PLAN):
                planted = [dirty.MEMBER_PLAN[k]]
            elif rng.random() < DIRTY_RATE * len(dirty.MEMBER_VARIANTS) / 2:
                # at most one kind per member, so kinds never undo each other
                kind = rng.choice(list(dirty.MEMBER_VARIANTS))
                planted = [(kind, rng.choice(dirty.MEMBER_VARIANTS[kind]))]
        low, high = SITUATIONS[situation][0]
        if enrolled_days is None:
            enrolled_days = rng.randint(low, high)
        if last_days is not None:
            # room for the first call (at most 20 days after enrolment) before the last one
            enrolled_days = max(enrolled_days, last_days + 30)
        enrolled_day = self.as_of - timedelta(days=enrolled_days)
        registration_day = enrolled_day - timedelta(days=rng.choice((0, 0, 1, 3, 7, 14, 21)))
        created_at = self._day_value(registration_day) - rng.randrange(0, 30 * DAY)
        created_at = min(created_at, self.anchor - DAY)
        name = self.faker.name()
        employer = self._employer()
        member = Member(
            contact_id=self._contact_id(created_at),
            external_id=str(self.external_seq + index * 7 + rng.randrange(7)),
            name=name,
            email="",
            created_at=created_at,
            coach=rng.choice(self.coaches),
            situation=situation,
            enrolled_days=enrolled_days,
            forced_last_days=last_days,
        )
        member.enrolled_value = self._day_value(enrolled_day, other_time=rng.random() < 0.05)
        member.registration_value = self._day_value(
            registration_day, other_time=rng.random() < 0.05
        )
        dob = date(rng.randint(1945, 2004), rng.randint(1, 12), rng.randint(1, 28))
        member.dob_value = self._day_value(dob)
        attributes: dict[str, Any] = {
            "Enrolled Date": member.enrolled_value,
            "Registration Date": member.registration_value,
            "Date of Birth": member.dob_value,
            "Employer": employer,
            "Registration Code": f"{_ascii_slug(employer)[:3].upper()}-{rng.getrandbits(24):06X}",
        }
        referral = _weighted(rng, REFERRALS)
        if referral:
            attributes["Referral"] = referral
        if rng.random() < 0.10:
            attributes["Eligible Programs"] = rng.choice(OTHER_PROGRAMS)
        member.attributes = attributes
        for kind, variant in planted:
            self._plant_member(member, kind, variant)
        member.email = self._email(member.name, _email_domain(rng, employer))
        self.previous_member = member
        return member

    def _employer(self) -> str:
        rng = self.rng
        if rng.random() < 0.02:
            return TEST_EMPLOYER
        picked = _weighted(rng, BIG_EMPLOYERS)
        return picked or rng.choice(self.long_tail)

    def _plant_member(self, member: Member, kind: str, variant: str | None) -> None:
        rng, attrs = self.rng, member.attributes
        record_id = member.contact_id
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
            self.manifest_dirty[kind].append(twin.contact_id)
        elif kind == "orphan_contact_reference":
            member.live = 0
        member.enrolled_value = attrs.get("Enrolled Date")
        member.kinds.append(kind)
        if kind != "orphan_contact_reference":
            self.manifest_dirty[kind].append(record_id)

    # ======================================================= conversations
    def _household(self, members: list[Member]) -> None:
        by_id = {m.contact_id: m for m in members}
        calls: list[list[dict[str, Any]]] = []
        for member in members:
            calls.append(self._schedule(member, by_id))
            if member.live == 0 and member.conversations == 0:
                # A deleted member exists to leave orphan references behind: give it one.
                self._coaching_call(member, self._local_instant(2), by_id)
        if len(members) == 2 and any(calls):
            # Some of the first member's calls list the partner too (credited to both). Only the
            # first member's: the partner's own calls list the partner already.
            partner = members[1]
            shared = calls[0][: self.rng.randint(1, 2)]
            for conv in shared:
                conv["contacts"]["contacts"].append(
                    records.contact_reference(partner.contact_id, partner.external_id)
                )
                self._track(conv, by_id)
            if shared:
                self.households.append([m.contact_id for m in members])
        for member in members:
            self._finish_member(member)
        self._flush()

    def _schedule(self, member: Member, by_id: dict[str, Member]) -> list[dict[str, Any]]:
        """The member's conversations; returns their qualifying calls (for households)."""
        rng = self.rng
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
            calls = sorted((self._local_instant(d) for d in days), reverse=False)
        elif member.situation == "enrolled_this_week" and rng.random() < 0.5:
            calls = [self._local_instant(rng.randint(1, max(1, enrolled_days - 1)))]
        sessions = [self._coaching_call(member, t, by_id) for t in calls]
        n_other = (
            max(0, round(rng.gauss(self.per_active * 0.35, self.per_active * 0.15)))
            if calls
            else rng.randint(0, 3)
        )
        for _ in range(n_other):
            self._other_conversation(member, by_id)
        return [s for s in sessions if s is not None]

    def _local_instant(self, days_ago: int) -> int:
        day = self.as_of - timedelta(days=days_ago)
        moment = time(self.rng.randint(8, 17), self.rng.randrange(0, 60, 5))
        return int(datetime.combine(day, moment, tzinfo=PROGRAM_TZ).timestamp())

    def _coaching_call(self, member: Member, at: int, by_id: dict[str, Member]) -> dict | None:
        """A closed Phone/Video call with a qualifying service code, its session at `at`."""
        rng = self.rng
        channel = rng.choice(CALL_CHANNELS)
        code = QUALIFYING_CODES[0] if rng.random() < 0.75 else QUALIFYING_CODES[1]
        if not self.padded_phone_planted:
            self.padded_phone_planted = True
            channel = dirty.PADDED_PHONE
        elif channel == "Phone" and rng.random() < DIRTY_RATE / 3:
            channel = dirty.PADDED_PHONE
        reopened = rng.random() < 0.05
        duration = rng.randrange(15 * 60, 60 * 60, 60)
        created = at - duration - (rng.randrange(DAY, 3 * DAY) if reopened else 0)
        conv = self._conversation(
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
            self.manifest_dirty["unknown_channel"].append(conv["id"])
        self._track(conv, by_id)
        return conv

    def _other_conversation(self, member: Member, by_id: dict[str, Member]) -> None:
        """A conversation that is never a qualifying call: email/chat coaching, tech support,
        benefits questions, a phone call about tech support, or a call still open."""
        rng = self.rng
        template = rng.choices(
            (
                "email_coaching",
                "chat_coaching",
                "tech_chat",
                "benefits_email",
                "tech_phone",
                "open_call",
            ),
            (0.30, 0.20, 0.15, 0.15, 0.12, 0.08),
        )[0]
        start = max(member.created_at + DAY, self.anchor - HISTORY_DAYS * DAY)
        if template == "open_call":
            start = max(start, self.anchor - 14 * DAY)
        if start >= self.anchor - DAY:
            return
        created = rng.randrange(start, self.anchor - DAY)
        channel, code, by_admin = {
            "email_coaching": ("Email", rng.choice(QUALIFYING_CODES), True),
            "chat_coaching": ("Chat", QUALIFYING_CODES[0], False),
            "tech_chat": ("Chat", "Tech Support 003", False),
            "benefits_email": ("Email", "Benefits Question 004", False),
            "tech_phone": ("Phone", "Tech Support 003", True),
            "open_call": ("Phone", rng.choice(QUALIFYING_CODES), True),
        }[template]
        recent = created > self.anchor - 14 * DAY
        state = "closed"
        if template == "open_call":
            state = "snoozed" if rng.random() < 0.3 else "open"
        elif recent and rng.random() < 0.4:
            state = rng.choice(("open", "open", "snoozed"))
        support = code in ("Tech Support 003", "Benefits Question 004")
        conv = self._conversation(
            contacts=[member],
            created=created,
            state=state,
            last_close=None,
            first_close=None,
            channel=channel,
            code=code,
            coach=rng.choice(self.support) if support else member.coach,
            initiated_by_admin=by_admin,
            reopen_chance=0.06,
        )
        self._plant_conversation(conv, rng)
        self._track(conv, by_id)

    def _conversation(
        self,
        *,
        contacts: Iterable[Member | dict[str, Any]],
        created: int,
        state: str,
        last_close: int | None,
        first_close: int | None,
        channel: str | None,
        code: str | None,
        coach: dict[str, Any] | None,
        initiated_by_admin: bool,
        reopen_chance: float = 0.0,
    ) -> dict[str, Any]:
        rng = self.rng
        anchor = self.anchor
        refs, people = [], []
        for person in contacts:
            if isinstance(person, Member):
                refs.append(records.contact_reference(person.contact_id, person.external_id))
                people.append(
                    {
                        "id": person.contact_id,
                        "name": person.name,
                        "email": person.email,
                        "role": "user",
                    }
                )
            else:
                refs.append(records.contact_reference(person["id"], person["external_id"]))
                people.append(person)
        created = min(created, anchor - 3_600)
        reply_delay = 0 if initiated_by_admin else rng.randrange(300, 4 * 3_600)
        admin_reply = created + reply_delay if coach else None
        count_reopens = 0
        if state == "closed" and last_close is None:
            last_close = created + rng.randrange(600, 3 * DAY)
            if rng.random() < reopen_chance:
                first_close = last_close
                last_close = first_close + rng.randrange(3_600, 5 * DAY)
        if last_close is not None:
            last_close = min(last_close, anchor - 60)
        if first_close is not None:
            first_close = min(first_close, last_close or first_close)
            count_reopens = 1 if first_close != last_close else 0
        if admin_reply is not None and admin_reply > anchor - 60:
            admin_reply = None
        stats = records.statistics(
            time_to_assignment=0 if coach else None,
            time_to_admin_reply=reply_delay if admin_reply else None,
            time_to_first_close=((first_close or last_close) - created) if last_close else None,
            time_to_last_close=(last_close - created) if last_close else None,
            median_time_to_reply=reply_delay if admin_reply else None,
            first_contact_reply_at=None if initiated_by_admin else created,
            first_assignment_at=created if coach else None,
            first_admin_reply_at=admin_reply,
            first_close_at=first_close or last_close,
            last_assignment_at=created if coach else None,
            last_assignment_admin_reply_at=admin_reply,
            last_contact_reply_at=None if initiated_by_admin else created,
            last_admin_reply_at=admin_reply,
            last_close_at=last_close,
            last_closed_by_id=coach["id"] if (coach and last_close) else None,
            count_reopens=count_reopens,
            count_assignments=1 if coach else 0,
        )
        snoozed_until = anchor + rng.randrange(DAY, 7 * DAY) if state == "snoozed" else None
        self.conv_seq += 1
        conversation_id = str(CONVERSATION_ID_BASE + self.conv_seq)
        author_person = people[0] if people else None
        if initiated_by_admin or author_person is None:
            author = (
                records.author("admin", coach["id"], coach["name"], coach["email"])
                if coach
                else records.author("bot", "0", "Operator", "operator@intercom.io")
            )
            delivered = "admin_initiated"
        else:
            author = records.author(
                author_person["role"],
                author_person["id"],
                author_person["name"],
                author_person["email"],
            )
            delivered = "customer_initiated"
        source_type = {"Phone": "phone_call", "Email": "email"}.get(channel or "", "conversation")
        topic = rng.choice(TOPICS.get(code or "", TOPICS["Health Coaching 001"]))
        attributes: dict[str, Any] = {}
        if channel is not None:
            attributes["Channel"] = channel
        if code is not None:
            attributes["Service Code"] = code
        times = [created, last_close or 0, admin_reply or 0]
        conv = records.conversation(
            conversation_id=conversation_id,
            created_at=created,
            updated_at=min(max(times) + rng.randrange(0, 120), anchor),
            source=records.source(
                kind=source_type,
                source_id=str(SOURCE_ID_BASE + self.conv_seq),
                delivered_as=delivered,
                body=f"<p>{(channel or 'Session').strip()} about {topic}</p>",
                source_author=author,
                subject=f"Re: {topic}" if channel == "Email" else "",
            ),
            contacts=refs,
            state=state,
            admin_assignee_id=int(coach["id"]) if coach else None,
            team_assignee_id=self._team_for(coach),
            teammate_ids=[coach["id"]] if (coach and (admin_reply or last_close)) else [],
            stats=stats,
            custom_attributes=attributes,
            snoozed_until=snoozed_until,
            waiting_since=created
            if (not initiated_by_admin and not admin_reply and state != "closed")
            else None,
            read=state == "closed" or rng.random() < 0.5,
            first_contact_reply=None
            if initiated_by_admin
            else {"type": "conversation", "created_at": created, "url": None},
        )
        conv["statistics"]["count_conversation_parts"] = len(
            history_events(conv, self.admins_by_id)[1]
        )
        self.conversations.append(conv)
        return conv

    def _count_parts(self, conv: dict[str, Any]) -> None:
        events = history_events(conv, self.admins_by_id)[1]
        conv["statistics"]["count_conversation_parts"] = len(events)

    def _team_for(self, coach: dict[str, Any] | None) -> int | None:
        if coach is None or self.rng.random() < 0.3:
            return None
        support = any(coach is s for s in self.support)
        return self.team_ids["support" if support else "coaching"]

    def _plant_conversation(self, conv: dict[str, Any], rng: random.Random) -> None:
        """Dirty kinds on a conversation that is not a qualifying call (so no situation moves)."""
        if self.conversation_plan:
            kind, variant = self.conversation_plan.pop(0)
        else:
            kind = next(
                (k for k in dirty.CONVERSATION_VARIANTS if rng.random() < DIRTY_RATE / 2), ""
            )
            if not kind:
                return
            variant = rng.choice(dirty.CONVERSATION_VARIANTS[kind])
        attrs = conv["custom_attributes"]
        if kind == "unknown_channel":
            attrs["Channel"] = rng.choice(dirty.UNKNOWN_CHANNELS)
        elif kind == "unknown_service_code":
            attrs["Service Code"] = rng.choice(dirty.UNKNOWN_SERVICE_CODES)
        elif kind == "missing_channel":
            attrs.pop(variant, None)
        elif kind == "conversation_without_contact":
            conv["contacts"]["contacts"] = []
        elif kind == "no_coach":
            if variant == "unassigned":
                conv["admin_assignee_id"] = None
                conv["team_assignee_id"] = None
                conv["teammates"]["teammates"] = []
                conv["statistics"].update(
                    last_closed_by_id=None,
                    first_assignment_at=None,
                    last_assignment_at=None,
                    count_assignments=0,
                )
            else:
                conv["admin_assignee_id"] = dirty.NOT_AN_ADMIN_ID
            self._count_parts(conv)
        self.manifest_dirty[kind].append(conv["id"])

    def _track(self, conv: dict[str, Any], by_id: dict[str, Member]) -> None:
        """Update each member's calls from the conversation as finally stored (issue 4 rules:
        Channel and Service Code match exactly after trimming; session time is last_close_at,
        else created_at)."""
        attrs = conv["custom_attributes"]
        channel = attrs.get("Channel")
        channel = channel.strip() if isinstance(channel, str) else None
        code = attrs.get("Service Code")
        closed = conv["state"] == "closed"
        at = conv["statistics"]["last_close_at"] if closed else conv["created_at"]
        qualifying = closed and channel in CALL_CHANNELS and code in QUALIFYING_CODES
        for ref in conv["contacts"]["contacts"]:
            member = by_id.get(ref["id"])
            if member is None:
                continue
            member.conversations += 1
            if qualifying:
                member.first_q = at if member.first_q is None else min(member.first_q, at)
                member.last_q = at if member.last_q is None else max(member.last_q, at)
            if channel == "Phone":
                member.last_phone = at if member.last_phone is None else max(member.last_phone, at)
            if conv["source"]["delivered_as"] == "admin_initiated":
                member.last_contacted = max(member.last_contacted or 0, conv["created_at"])
            else:
                member.last_replied = max(member.last_replied or 0, conv["created_at"])
            if member.live == 0:
                self.manifest_dirty["orphan_contact_reference"].append(conv["id"])

    # ======================================================= finish member
    def _finish_member(self, member: Member) -> None:
        rng = self.rng
        attrs = member.attributes
        far_future = attrs.pop("_far_future_last_session", False)
        enrolled = _valid_date(member.enrolled_value, self.anchor)
        status = expected_status(enrolled, member.last_q, self.as_of)
        desired: dict[str, Any] = {}
        if member.last_q is not None:
            desired["Last Coaching Session"] = member.last_q
            if enrolled or _valid_date(member.registration_value, self.anchor):
                desired["First Session Date"] = member.first_q
        if member.last_phone is not None:
            desired["Last Call"] = member.last_phone
        if status is not None:
            desired["Engagement Status"] = status
            desired["Engagement Status Date"] = self._status_date(member)
        if attrs.get("Referral") == "Counter Health":
            programs = {p for p in str(attrs.get("Eligible Programs", "")).split("; ") if p}
            desired["Eligible Programs"] = "; ".join(sorted(programs | {"Smart Access"}))
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
            self.manifest_dirty["far_future_timestamp"].append(member.contact_id)
        written = [v for k, v in attrs.items() if k in desired and isinstance(v, int)]
        write_time = max([member.created_at, *written, enrolled_ts(enrolled)])
        updated_at = min(self.anchor - 60, write_time + rng.randrange(60, DAY))
        last_seen = None
        if rng.random() < 0.6:
            last_seen = rng.randrange(member.created_at, max(member.created_at + 1, updated_at))
        body = records.contact(
            contact_id=member.contact_id,
            workspace_id=self.workspace_id,
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
            location={"country": "United States", "country_code": "USA", "continent_code": "NA"},
            custom_attributes=attrs,
        )
        if member.live:
            label = self._situation(member, enrolled)
            self.situations[member.contact_id] = label
            self.statuses[member.contact_id] = status
            if label == "late_first_call" or (
                enrolled and member.first_q and (local_date(member.first_q) - enrolled).days > 28
            ):
                self.late_first_call.append(member.contact_id)
        self.contacts.append((body, member.live))

    def _status_date(self, member: Member) -> int:
        base = member.last_q or member.created_at
        return min(self.anchor - 3_600, base + self.rng.randrange(DAY, 30 * DAY))

    def _situation(self, member: Member, enrolled: date | None) -> str:
        if enrolled is None:
            return "no_enrolled_date"
        days_enrolled = (self.as_of - enrolled).days
        if days_enrolled <= 6:
            return "enrolled_this_week"
        if member.last_q is None:
            return "never_called" if days_enrolled > 28 else "new_no_call"
        if (local_date(member.first_q) - enrolled).days > 28:
            return "late_first_call"
        days = (self.as_of - local_date(member.last_q)).days
        return "engaged" if days <= 28 else "at_risk" if days <= 56 else "unengaged"

    # ============================================================== leads
    def _lead(self, index: int) -> None:
        rng = self.rng
        created = rng.randrange(self.anchor - HISTORY_DAYS * DAY, self.anchor - 2 * DAY)
        name = self.faker.name() if rng.random() < 0.4 else None
        email = self._email(name, "mail.example.com") if rng.random() < 0.8 or index == 0 else None
        lead = {
            "id": self._contact_id(created),
            "external_id": None,
            "name": name,
            "email": email,
            "role": "lead",
        }
        attrs: dict[str, Any] = {}
        if rng.random() < 0.3:
            attrs["Referral"] = _weighted(rng, REFERRALS) or "Website"
        last = created
        for _ in range(rng.choice((1, 1, 2, 2, 3))):
            at = rng.randrange(created, self.anchor - DAY // 2)
            conv = self._conversation(
                contacts=[lead],
                created=at,
                state="closed" if rng.random() < 0.8 else "open",
                last_close=None,
                first_close=None,
                channel="Chat",
                code=rng.choice(("Benefits Question 004", "Tech Support 003")),
                coach=rng.choice(self.support),
                initiated_by_admin=False,
            )
            last = max(last, conv["updated_at"])
        if index == 0 or rng.random() < DIRTY_RATE:
            at = rng.randrange(created, self.anchor - DAY)
            coach = rng.choice(self.coaches)
            conv = self._conversation(
                contacts=[lead],
                created=at,
                state="closed",
                last_close=at + 1_800,
                first_close=None,
                channel="Phone",
                code=QUALIFYING_CODES[0],
                coach=coach,
                initiated_by_admin=True,
            )
            self.manifest_dirty["lead_on_session"].append(conv["id"])
        body = records.contact(
            contact_id=lead["id"],
            workspace_id=self.workspace_id,
            role="lead",
            created_at=created,
            updated_at=min(self.anchor - 60, max(created, last)),
            email=email,
            name=name,
            timestamps={"last_seen_at": created},
            custom_attributes=attrs,
        )
        self.contacts.append((body, 1))
        self._flush()


# ================================================================== helpers
def _weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str | None:
    roll = rng.random()
    for value, weight in options:
        if roll < weight:
            return value
        roll -= weight
    return None


def _ascii_slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return ".".join(
        part for part in "".join(c.lower() if c.isalnum() else " " for c in plain).split()
    )


def _email_domain(rng: random.Random, employer: str) -> str:
    if rng.random() < 0.5:
        return rng.choice(("gmail.example.com", "mail.example.com", "inbox.example.net"))
    return (_ascii_slug(employer).replace(".", "") or "work") + ".example.com"


def enrolled_ts(day: date | None) -> int:
    return int(datetime.combine(day, time(0), tzinfo=UTC).timestamp()) if day else 0


def _valid_date(value: Any, anchor: int) -> date | None:
    """A date attribute as issue 4 reads it: unix seconds within [1970, anchor]; else None."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > anchor:
        return None
    return datetime.fromtimestamp(value, UTC).date()


def _stale(rng: random.Random, key: str, value: Any) -> Any:
    if key == "Engagement Status":
        return rng.choice([s for s in ("Engaged", "At Risk", "Unengaged") if s != value])
    if key == "Eligible Programs":
        return rng.choice(OTHER_PROGRAMS)
    return value - rng.randrange(7 * DAY, 60 * DAY)


def generate_workspace(store: Store, size: str, seed: int, now: datetime) -> None:
    WorkspaceGenerator(store, size, seed, now).generate()
