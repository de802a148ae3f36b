"""The tests' oracle: what the warehouse must hold, from the fake's ground truth.

Expected values are computed in plain Python from Intercom's records as a perfect ingest would
hold them (`fake.backend.ground_truth()`) with the program's rules as the dbt project states them
(fake_intercom/rules.py reads the vars and seeds), without reading any model. So a rule broken in
SQL, a record lost on ingest or a value mangled between the two shows up as a difference. The
end-to-end, report and generator tests (and later the web app's) all judge by this one module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Any

from fake_intercom.rules import Activity, load_rules

RULES = load_rules()
CASELOAD_BUCKETS = RULES.caseload_bucket_edges  # 7, 28, 56
NO_SESSION_BUCKETS = RULES.no_session_bucket_edges  # 14, 21, 28
bucket = RULES.bucket


def attribute(record: Mapping[str, Any], name: str) -> Any:
    """A custom attribute as the models read it: strings trimmed, anything else as stored."""
    value = (record.get("custom_attributes") or {}).get(name)
    return value.strip() if isinstance(value, str) else value


def utc_day(ts: int) -> date:
    return datetime.fromtimestamp(ts, UTC).date()


local_day = RULES.local_date


@dataclass(frozen=True)
class Session:
    """A coaching session (a closed conversation on a coaching channel) up to the as-of date."""

    activity: Activity

    @property
    def conversation_id(self) -> str:
        return self.activity.conversation_id

    @property
    def at(self) -> int:
        return self.activity.at

    @property
    def day(self) -> date:
        return self.activity.day

    @property
    def channel(self) -> str:
        return self.activity.channel or ""

    @property
    def service_code(self) -> str | None:
        return self.activity.service_code

    @property
    def is_call(self) -> bool:
        return self.activity.is_call_session

    @property
    def is_qualifying(self) -> bool:
        return self.activity.is_qualifying_call


@dataclass(frozen=True)
class CoachedSession:
    session: Session
    coach_id: str | None


class Oracle:
    def __init__(self, truth: Mapping[str, Any]) -> None:
        self.truth = truth
        self.as_of = date.fromisoformat(truth["manifest"]["as_of"])

    # ------------------------------------------------------------- records
    @cached_property
    def members(self) -> dict[str, dict[str, Any]]:
        return {c["id"]: c for c in self.truth["contacts"] if c["role"] == "user"}

    @cached_property
    def admins(self) -> dict[str, str]:
        return {str(a["id"]): a["name"] for a in self.truth["admins"]}

    @cached_property
    def activities(self) -> list[tuple[Activity, list[str]]]:
        """Each conversation as the rules classify it, with the members it lists."""
        found = []
        for conversation in self.truth["conversations"]:
            listed = [c["id"] for c in conversation["contacts"]["contacts"]]
            members = [m for m in dict.fromkeys(listed) if m in self.members]
            found.append((RULES.activity(conversation), members))
        return found

    @cached_property
    def coach_of(self) -> dict[str, str | None]:
        """Coach of a conversation: its admin assignee, else the first teammate listed."""
        coaches: dict[str, str | None] = {}
        for conversation in self.truth["conversations"]:
            assignee = conversation.get("admin_assignee_id")
            teammates = (conversation.get("teammates") or {}).get("teammates") or []
            if assignee is not None and str(assignee) in self.admins:
                coaches[conversation["id"]] = str(assignee)
            else:
                coaches[conversation["id"]] = str(teammates[0]["id"]) if teammates else None
        return coaches

    # ------------------------------------------------------------ sessions
    @cached_property
    def sessions(self) -> dict[str, list[Session]]:
        """Coaching sessions per member, up to the as-of date."""
        by_member: dict[str, list[Session]] = {m: [] for m in self.members}
        for activity, members in self.activities:
            if activity.is_coaching_session and activity.day <= self.as_of:
                for member in members:
                    by_member[member].append(Session(activity))
        return by_member

    @cached_property
    def last_call(self) -> dict[str, int]:
        """The latest phone call per member (any state), up to the as-of date."""
        latest: dict[str, int] = {}
        for activity, members in self.activities:
            if activity.is_phone_call and activity.day <= self.as_of:
                for member in members:
                    latest[member] = max(latest.get(member, activity.at), activity.at)
        return latest

    def qualifying(self, member: str) -> list[Session]:
        return [s for s in self.sessions[member] if s.is_qualifying]

    def coached(self, member: str) -> list[CoachedSession]:
        return [CoachedSession(s, self.coach_of[s.conversation_id]) for s in self.sessions[member]]

    # ------------------------------------------------------------- members
    def enrolled(self, member: str) -> date | None:
        return RULES.calendar_date(
            "Enrolled Date", attribute(self.members[member], "Enrolled Date")
        )

    def employer(self, member: str) -> str | None:
        value = attribute(self.members[member], "Employer")
        return value if isinstance(value, str) and value else None

    def days_since(self, day: date) -> int:
        return (self.as_of - day).days

    def _qualifying_days(self, member: str) -> tuple[date | None, date | None]:
        days = [s.day for s in self.qualifying(member)]
        return (min(days), max(days)) if days else (None, None)

    def engagement_status(self, member: str) -> str | None:
        last = self._qualifying_days(member)[1]
        return RULES.engagement_status(self.enrolled(member), last, self.as_of)

    def situation(self, member: str) -> str:
        """The generator's situation label, recomputed from the records."""
        first, last = self._qualifying_days(member)
        return RULES.situation(self.enrolled(member), first, last, self.as_of)

    def eligible_programs(self, member: str) -> Any:
        """Eligible Programs as the warehouse shows it: the desired list if the Referral adds a
        program, else the value as stored."""
        record = self.members[member]
        current = attribute(record, "Eligible Programs")
        return RULES.eligible_programs(attribute(record, "Referral"), current) or current

    # -------------------------------------------------------------- reports
    def billing(self, month_start: date) -> dict[str, tuple[bool, bool]]:
        """Per member in the month's cohort: (is new participant, is engaged)."""
        next_month = (month_start + timedelta(days=32)).replace(day=1)
        engaged_from = month_start - timedelta(days=RULES.at_risk_days)
        cohort = {}
        for member, record in self.members.items():
            if attribute(record, "Employer") in RULES.test_employers:
                continue
            enrolled = self.enrolled(member)
            new = enrolled is not None and month_start <= enrolled < next_month
            engaged = any(
                s.is_call and engaged_from <= s.day < next_month for s in self.sessions[member]
            )
            if new or engaged:
                cohort[member] = (new, engaged)
        return cohort

    def caseload(
        self,
        lookback: int = RULES.lookback_days,
        keep: Callable[[str, CoachedSession], bool] = lambda m, s: True,
    ) -> dict[str, dict[str, Any]]:
        """Per member with a kept coaching session in the window: the caseload mart's row."""
        rows = {}
        for member in self.members:
            window = [
                c
                for c in self.coached(member)
                if self.days_since(c.session.day) <= lookback and keep(member, c)
            ]
            if not window:
                continue
            days = min(self.days_since(c.session.day) for c in window)
            rows[member] = {
                "last_session_date": max(c.session.day for c in window).isoformat(),
                "days_since_last_session": days,
                "recency_bucket": bucket(days, CASELOAD_BUCKETS),
                "session_count": len({c.session.conversation_id for c in window}),
                "channel_combination": " + ".join(sorted({c.session.channel for c in window})),
            }
        return rows
