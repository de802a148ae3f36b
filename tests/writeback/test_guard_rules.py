"""The guard rails' boundaries, on plans built in memory (the CLI tests cover the wiring)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from warehouse.build_info import BuildInfo
from warehouse.config import WritebackSettings
from writeback.guards import check_as_of, check_share
from writeback.plan import Plan, PlanRow

BUILD = BuildInfo(
    as_of_date=date(2026, 6, 15),
    program_timezone="America/New_York",
    built_at=datetime(2026, 6, 15, 12, tzinfo=UTC),
    lookback_days=365,
    max_lookback_days=365,
    participants_max_lookback_days=365,
    as_of_month_start=date(2026, 6, 1),
    previous_month_start=date(2026, 5, 1),
)


def plan(contacts: int, members: int = 10, attributes: tuple[str, ...] = ("Last Call",)) -> Plan:
    rows = [
        PlanRow(f"c{i}", None, attribute, "string", None, "x", None, "x", "(none) → x")
        for i in range(contacts)
        for attribute in attributes
    ]
    return Plan(rows, members, BUILD)


def test_share_at_the_limit_passes_and_above_it_stops():
    settings = WritebackSettings(max_share_percent=20, max_attribute_share_percent=20)
    assert check_share(plan(2), settings).passed
    assert not check_share(plan(3), settings).passed
    assert check_share(plan(0), settings).passed


def test_attribute_share_has_its_own_limit():
    settings = WritebackSettings(max_share_percent=50, max_attribute_share_percent=10)
    verdict = check_share(plan(2, attributes=("Last Call", "Engagement Status")), settings)
    assert not verdict.passed and "for one attribute" in verdict.detail


def test_as_of_is_judged_in_the_program_time_zone():
    # 03:00 UTC on the 16th is still the 15th in New York.
    assert check_as_of(plan(1), datetime(2026, 6, 16, 3, tzinfo=UTC)).passed
    assert not check_as_of(plan(1), datetime(2026, 6, 16, 5, tzinfo=UTC)).passed
    assert not check_as_of(plan(1), datetime(2026, 6, 14, 12, tzinfo=UTC)).passed
