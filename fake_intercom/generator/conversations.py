"""Conversations as the generator makes them: timing and statistics, who started it, Channel and
Service Code, and the dirty kinds planted on conversations that are never qualifying calls."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fake_intercom import dirty, records
from fake_intercom.generator.catalog import DAY, DIRTY_RATE, EMAIL, PHONE, QUALIFYING_CODES, TOPICS
from fake_intercom.generator.draft import Draft
from fake_intercom.generator.people import Member
from fake_intercom.generator.staff import Staff
from fake_intercom.history import history_events
from fake_intercom.records import CONVERSATION_ID_BASE, SOURCE_ID_BASE

BOT = records.author("bot", "0", "Operator", "operator@intercom.io")


@dataclass(frozen=True)
class Timeline:
    created: int
    reply_delay: int
    admin_reply: int | None
    first_close: int | None
    last_close: int | None
    count_reopens: int


class Conversations:
    def __init__(self, draft: Draft, staff: Staff) -> None:
        self.draft = draft
        self.staff = staff
        self.sequence = 0
        self.plan = list(dirty.CONVERSATION_PLAN)

    def make(
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
        """A conversation (buffered for the store) listing `contacts`. A closed one without
        `last_close` closes a little after it starts (sometimes closed, reopened, closed)."""
        rng, anchor = self.draft.rng, self.draft.anchor
        refs, people = _references(contacts)
        times = self._timeline(
            min(created, anchor - 3_600),
            state,
            last_close,
            first_close,
            has_coach=coach is not None,
            by_admin=initiated_by_admin,
            reopen_chance=reopen_chance,
        )
        snoozed_until = anchor + rng.randrange(DAY, 7 * DAY) if state == "snoozed" else None
        self.sequence += 1
        source = self._source(people, coach, channel, code, initiated_by_admin)
        latest = max(times.created, times.last_close or 0, times.admin_reply or 0)
        updated_at = min(latest + rng.randrange(0, 120), anchor)
        team = self.staff.team_for(coach, rng)
        conv = records.conversation(
            conversation_id=str(CONVERSATION_ID_BASE + self.sequence),
            created_at=times.created,
            updated_at=updated_at,
            source=source,
            contacts=refs,
            state=state,
            admin_assignee_id=int(coach["id"]) if coach else None,
            team_assignee_id=team,
            teammate_ids=[coach["id"]]
            if (coach and (times.admin_reply or times.last_close))
            else [],
            stats=_statistics(times, coach, initiated_by_admin),
            custom_attributes=_attributes(channel, code),
            snoozed_until=snoozed_until,
            waiting_since=times.created
            if (not initiated_by_admin and not times.admin_reply and state != "closed")
            else None,
            read=state == "closed" or rng.random() < 0.5,
            first_contact_reply=None
            if initiated_by_admin
            else {"type": "conversation", "created_at": times.created, "url": None},
        )
        self.count_parts(conv)
        self.draft.conversations.append(conv)
        return conv

    def _timeline(
        self,
        created: int,
        state: str,
        last_close: int | None,
        first_close: int | None,
        *,
        has_coach: bool,
        by_admin: bool,
        reopen_chance: float,
    ) -> Timeline:
        rng, anchor = self.draft.rng, self.draft.anchor
        reply_delay = 0 if by_admin else rng.randrange(300, 4 * 3_600)
        admin_reply = created + reply_delay if has_coach else None
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
        return Timeline(created, reply_delay, admin_reply, first_close, last_close, count_reopens)

    def _source(
        self,
        people: list[dict[str, Any]],
        coach: dict[str, Any] | None,
        channel: str | None,
        code: str | None,
        by_admin: bool,
    ) -> dict[str, Any]:
        """The message that started it: the coach's (or a bot's), else the first contact's."""
        person = people[0] if people else None
        if by_admin or person is None:
            author = (
                records.author("admin", coach["id"], coach["name"], coach["email"])
                if coach
                else BOT
            )
            delivered = "admin_initiated"
        else:
            author = records.author(person["role"], person["id"], person["name"], person["email"])
            delivered = "customer_initiated"
        kind = {PHONE: "phone_call", EMAIL: "email"}.get(channel or "", "conversation")
        topic = self.draft.rng.choice(TOPICS.get(code or "", TOPICS[QUALIFYING_CODES[0]]))
        return records.source(
            kind=kind,
            source_id=str(SOURCE_ID_BASE + self.sequence),
            delivered_as=delivered,
            body=f"<p>{(channel or 'Session').strip()} about {topic}</p>",
            source_author=author,
            subject=f"Re: {topic}" if channel == EMAIL else "",
        )

    def count_parts(self, conv: dict[str, Any]) -> None:
        """`count_conversation_parts` as GET /conversations/{id} will list them."""
        events = history_events(conv, self.staff.admins_by_id)[1]
        conv["statistics"]["count_conversation_parts"] = len(events)

    def plant_dirty(self, conv: dict[str, Any]) -> None:
        """Dirty kinds on a conversation that is not a qualifying call (so no situation moves):
        each kind once on the first ones, then at random at a low rate."""
        rng = self.draft.rng
        if self.plan:
            kind, variant = self.plan.pop(0)
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
            _remove_coach(conv, unassigned=variant == "unassigned")
            self.count_parts(conv)
        self.draft.manifest.dirty[kind].append(conv["id"])


def _references(
    contacts: Iterable[Member | dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The contact list of a conversation, and each contact as a possible author."""
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
    return refs, people


def _attributes(channel: str | None, code: str | None) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    if channel is not None:
        attributes["Channel"] = channel
    if code is not None:
        attributes["Service Code"] = code
    return attributes


def _statistics(times: Timeline, coach: dict[str, Any] | None, by_admin: bool) -> dict[str, Any]:
    replied = times.admin_reply
    return records.statistics(
        time_to_assignment=0 if coach else None,
        time_to_admin_reply=times.reply_delay if replied else None,
        time_to_first_close=((times.first_close or times.last_close) - times.created)
        if times.last_close
        else None,
        time_to_last_close=(times.last_close - times.created) if times.last_close else None,
        median_time_to_reply=times.reply_delay if replied else None,
        first_contact_reply_at=None if by_admin else times.created,
        first_assignment_at=times.created if coach else None,
        first_admin_reply_at=replied,
        first_close_at=times.first_close or times.last_close,
        last_assignment_at=times.created if coach else None,
        last_assignment_admin_reply_at=replied,
        last_contact_reply_at=None if by_admin else times.created,
        last_admin_reply_at=replied,
        last_close_at=times.last_close,
        last_closed_by_id=coach["id"] if (coach and times.last_close) else None,
        count_reopens=times.count_reopens,
        count_assignments=1 if coach else 0,
    )


def _remove_coach(conv: dict[str, Any], *, unassigned: bool) -> None:
    """no_coach: nobody assigned and no teammates, or an assignee id that is not an admin."""
    if not unassigned:
        conv["admin_assignee_id"] = dirty.NOT_AN_ADMIN_ID
        return
    conv["admin_assignee_id"] = None
    conv["team_assignee_id"] = None
    conv["teammates"]["teammates"] = []
    conv["statistics"].update(
        last_closed_by_id=None,
        first_assignment_at=None,
        last_assignment_at=None,
        count_assignments=0,
    )
