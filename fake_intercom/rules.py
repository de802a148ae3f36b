"""The program's rules for the fake's ground truth, read from the dbt project.

The generator labels its members and writes the expected Engagement Status into the workspace
manifest with these; the tests' oracle (tests/oracle.py) computes what the marts must hold with
them. Every number and list comes from `dbt_project/dbt_project.yml` (vars) and
`dbt_project/seeds/*.csv`, the places the models read them from, so the models, the fake and the
oracle cannot drift apart: change a var or a seed and all three move. What is written here is how
the glossary combines them (dbt_project/docs/glossary.md), in plain Python over Intercom's
records, without reading any model.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

DBT_PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
ENGAGED, AT_RISK, UNENGAGED = "Engaged", "At Risk", "Unengaged"
ENGAGEMENT_STATUSES = (ENGAGED, AT_RISK, UNENGAGED)


@dataclass(frozen=True)
class Channel:
    """A row of the seed `channels`."""

    name: str
    is_coaching: bool
    is_call: bool
    is_phone: bool


@dataclass(frozen=True)
class Attribute:
    """A row of the seed `intercom_attributes`."""

    model: str
    name: str
    data_type: str
    maintained: bool
    value_kind: str
    earliest_valid: int | None  # unix seconds of earliest_valid_date, for date attributes


@dataclass(frozen=True)
class Activity:
    """What one conversation counts as (int_conversations): the session instant, Channel and
    Service Code as matched against the seeds (after trimming), and the session kinds."""

    conversation_id: str
    at: int
    day: date  # the session's date in the program time zone
    channel: str | None
    service_code: str | None
    is_coaching_session: bool
    is_call_session: bool
    is_qualifying_call: bool
    is_phone_call: bool


@dataclass(frozen=True)
class ProgramRules:
    timezone: ZoneInfo
    lookback_days: int
    recent_days: int
    engaged_days: int
    at_risk_days: int
    no_session_watch_days: int
    no_session_alert_days: int
    timestamp_valid_before: int  # unix seconds; a date attribute at or after it is dirty
    channels: tuple[Channel, ...]
    service_codes: Mapping[str, bool]  # code -> is qualifying, in seed order
    referral_programs: Mapping[str, tuple[str, ...]]
    test_employers: tuple[str, ...]  # sorted
    attributes: tuple[Attribute, ...]

    # ------------------------------------------------------------------ lists
    @property
    def channel_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.channels)

    @property
    def call_channels(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.channels if c.is_call)

    @property
    def qualifying_codes(self) -> tuple[str, ...]:
        return tuple(code for code, qualifying in self.service_codes.items() if qualifying)

    @property
    def caseload_bucket_edges(self) -> tuple[int, int, int]:
        return (self.recent_days, self.engaged_days, self.at_risk_days)

    @property
    def no_session_bucket_edges(self) -> tuple[int, int, int]:
        return (self.no_session_watch_days, self.no_session_alert_days, self.engaged_days)

    def attribute(self, name: str, model: str = "contact") -> Attribute:
        return next(a for a in self.attributes if a.model == model and a.name == name)

    # ------------------------------------------------------------------ values
    def local_date(self, unix_seconds: int) -> date:
        """The date of an instant in the program time zone."""
        return datetime.fromtimestamp(unix_seconds, self.timezone).date()

    def valid_seconds(self, name: str, value: Any) -> int | None:
        """A date attribute's unix seconds if the models take it as valid, else None (missing,
        text, a fraction, before the attribute's earliest valid date, or too far ahead)."""
        if isinstance(value, bool) or not isinstance(value, int):
            return None
        earliest = self.attribute(name).earliest_valid
        if earliest is not None and value < earliest:
            return None
        return value if value < self.timestamp_valid_before else None

    def calendar_date(self, name: str, value: Any) -> date | None:
        """A calendar-date attribute (Enrolled Date, ...): the UTC date of its valid seconds."""
        seconds = self.valid_seconds(name, value)
        return None if seconds is None else datetime.fromtimestamp(seconds, UTC).date()

    # ------------------------------------------------------------ conversations
    def activity(self, conversation: Mapping[str, Any]) -> Activity:
        """A conversation as int_conversations classifies it. Closed: the session is at the
        last close, else at creation; open ones count from creation (phone calls)."""
        attributes = conversation.get("custom_attributes") or {}
        channel = self._channel(attributes.get("Channel"))
        code = _trimmed(attributes.get("Service Code"))
        qualifying_code = self.service_codes.get(code or "", False)
        closed = conversation["state"] == "closed"
        at = (closed and conversation["statistics"]["last_close_at"]) or conversation["created_at"]
        return Activity(
            conversation_id=str(conversation["id"]),
            at=at,
            day=self.local_date(at),
            channel=channel.name if channel else None,
            service_code=code if code in self.service_codes else None,
            is_coaching_session=closed and channel is not None and channel.is_coaching,
            is_call_session=closed and channel is not None and channel.is_call,
            is_qualifying_call=closed
            and channel is not None
            and channel.is_call
            and qualifying_code,
            is_phone_call=channel is not None and channel.is_phone,
        )

    def _channel(self, raw: Any) -> Channel | None:
        name = _trimmed(raw)
        return next((c for c in self.channels if c.name == name), None)

    # ------------------------------------------------------------------ members
    def engagement_status(
        self, enrolled: date | None, last_qualifying_day: date | None, as_of: date
    ) -> str | None:
        """Engagement Status (int_engagement_status): by days since Enrolled Date before the
        first qualifying call, by days since the latest one after it; none without a valid
        Enrolled Date."""
        if enrolled is None:
            return None
        if last_qualifying_day is None:
            return ENGAGED if (as_of - enrolled).days <= self.engaged_days else UNENGAGED
        days = (as_of - last_qualifying_day).days
        if days <= self.engaged_days:
            return ENGAGED
        return AT_RISK if days <= self.at_risk_days else UNENGAGED

    def is_late_first_call(self, enrolled: date | None, first_qualifying_day: date | None) -> bool:
        """A first qualifying call more than engaged_days after enrolment."""
        if enrolled is None or first_qualifying_day is None:
            return False
        return (first_qualifying_day - enrolled).days > self.engaged_days

    def situation(
        self,
        enrolled: date | None,
        first_qualifying_day: date | None,
        last_qualifying_day: date | None,
        as_of: date,
    ) -> str:
        """The generator's label for a member's engagement situation (the manifest's
        `situations`): enrolled within the last recent_days, never called (new or not), a late
        first call, else the Engagement Status the last qualifying call gives."""
        if enrolled is None:
            return "no_enrolled_date"
        days_enrolled = (as_of - enrolled).days
        if days_enrolled < self.recent_days:
            return "enrolled_this_week"
        if last_qualifying_day is None:
            return "never_called" if days_enrolled > self.engaged_days else "new_no_call"
        if self.is_late_first_call(enrolled, first_qualifying_day):
            return "late_first_call"
        status = self.engagement_status(enrolled, last_qualifying_day, as_of)
        return {ENGAGED: "engaged", AT_RISK: "at_risk"}.get(status or "", "unengaged")

    def eligible_programs(self, referral: Any, current: Any) -> str | None:
        """The desired Eligible Programs (int_attribute_desired_values): the programs the
        Referral maps to added to those listed, sorted and "; "-joined; None when the Referral
        maps to nothing or every mapped program is listed already."""
        mapped = set(self.referral_programs.get(_trimmed(referral) or "", ()))
        listed = {p.strip() for p in current.split(";")} if isinstance(current, str) else set()
        listed.discard("")
        if not mapped - listed:
            return None
        return "; ".join(sorted(listed | mapped))

    def bucket(self, days: int, edges: tuple[int, ...]) -> str:
        """The label the macro days_bucket gives (edges 7, 28, 56: ≤7, 8–28, 29–56, >56)."""
        lower = None
        for edge in edges:
            if days <= edge:
                return f"≤{edge}" if lower is None else f"{lower + 1}–{edge}"
            lower = edge
        return f">{edges[-1]}"


def _trimmed(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) else None


# ---------------------------------------------------------------------- loading
def _rows(project: Path, seed: str) -> list[dict[str, str]]:
    with open(project / "seeds" / f"{seed}.csv", encoding="utf-8", newline="") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _flag(text: str) -> bool:
    return text.lower() == "true"


def _unix_day(text: str) -> int:
    return int(datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC).timestamp())


@functools.cache
def load_rules(project: Path = DBT_PROJECT) -> ProgramRules:
    """The rules as the dbt project at `project` states them (read once per process)."""
    variables = yaml.safe_load((project / "dbt_project.yml").read_text())["vars"]
    programs: dict[str, tuple[str, ...]] = {}
    for row in _rows(project, "referral_programs"):
        programs[row["referral"]] = (*programs.get(row["referral"], ()), row["program"])
    return ProgramRules(
        timezone=ZoneInfo(variables["program_timezone"]),
        lookback_days=int(variables["lookback_days"]),
        recent_days=int(variables["recent_days"]),
        engaged_days=int(variables["engaged_days"]),
        at_risk_days=int(variables["at_risk_days"]),
        no_session_watch_days=int(variables["no_session_watch_days"]),
        no_session_alert_days=int(variables["no_session_alert_days"]),
        timestamp_valid_before=_unix_day(str(variables["timestamp_valid_before"])),
        channels=tuple(
            Channel(
                r["channel"],
                _flag(r["is_coaching_channel"]),
                _flag(r["is_call_channel"]),
                _flag(r["is_phone_channel"]),
            )
            for r in _rows(project, "channels")
        ),
        service_codes={
            r["service_code"]: _flag(r["is_qualifying"]) for r in _rows(project, "service_codes")
        },
        referral_programs=programs,
        test_employers=tuple(sorted(r["employer"] for r in _rows(project, "test_employers"))),
        attributes=tuple(
            Attribute(
                model=r["model"],
                name=r["attribute"],
                data_type=r["data_type"],
                maintained=_flag(r["maintained"]),
                value_kind=r["value_kind"],
                earliest_valid=_unix_day(r["earliest_valid_date"])
                if r["earliest_valid_date"]
                else None,
            )
            for r in _rows(project, "intercom_attributes")
        ),
    )
