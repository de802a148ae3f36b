"""Reports and exports through the CLI, on the session's fixed-as-of warehouse (tiny workspace).

Expected values come from the fake's ground truth through the end-to-end test's Oracle and the
helpers below (plain Python over Intercom's records, straight from the glossary), never from the
marts the commands read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

import pytest
from click.testing import Result

from tests.e2e.test_pipeline import Oracle, Session, attribute
from tests.pipeline import Pipeline

BUCKETS = (("≤7", 7), ("8–28", 28), ("29–56", 56))
NO_SESSION_BUCKETS = (("≤14", 14), ("15–21", 21), ("22–28", 28))


def bucket(days: int, edges=BUCKETS) -> str:
    for label, edge in edges:
        if days <= edge:
            return label
    return f">{edges[-1][1]}"


@dataclass(frozen=True)
class CoachedSession:
    session: Session
    coach_id: str | None


class ReportOracle(Oracle):
    """The e2e Oracle, plus what the reports need: coaches, employers, days since."""

    @cached_property
    def admins(self) -> dict[str, str]:
        return {str(a["id"]): a["name"] for a in self.truth["admins"]}

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

    def employer(self, member: str) -> str | None:
        value = attribute(self.members[member], "Employer")
        return value if isinstance(value, str) and value else None

    def days_since(self, day: date) -> int:
        return (self.as_of - day).days

    def coached(self, member: str) -> list[CoachedSession]:
        return [CoachedSession(s, self.coach_of[s.conversation_id]) for s in self.sessions[member]]

    def caseload(
        self, lookback: int = 365, keep: Callable[[str, CoachedSession], bool] = lambda m, s: True
    ) -> dict[str, dict[str, Any]]:
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
                "recency_bucket": bucket(days),
                "session_count": len({c.session.conversation_id for c in window}),
                "channel_combination": " + ".join(sorted({c.session.channel for c in window})),
            }
        return rows


@pytest.fixture(scope="session")
def oracle(pipeline: Pipeline) -> ReportOracle:
    return ReportOracle(pipeline.truth)


def run(pipeline: Pipeline, *args: str) -> Result:
    result = pipeline.coach(*args)
    assert result.exit_code == 0, result.output
    return result


def as_json(pipeline: Pipeline, *args: str) -> dict[str, Any]:
    return json.loads(run(pipeline, "report", *args, "--format", "json").stdout)


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def local_day(ts: int) -> date:
    from tests.e2e.test_pipeline import local_date

    return local_date(ts)


def utc_day(ts: int) -> date:
    return datetime.fromtimestamp(ts, UTC).date()
