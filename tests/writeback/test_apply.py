"""Dry run and apply against the fake Intercom: what is planned is exactly what differs on the
fake, apply writes exactly that (one PUT per changed contact), and the next plan is empty."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest

from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse
from tests.writeback.conftest import LET_THROUGH, Copy, canonical, fake_contacts, fake_value


@dataclass
class Applied:
    copy: Copy
    desired: dict[tuple[str, str], str]  # every (contact, attribute) the rules give a value
    before: dict[str, dict[str, Any]]  # the fake's contacts before
    plan: list[dict[str, Any]]
    dry_run_requests: int
    output: str
    exit_code: int
    puts: int
    after: dict[str, dict[str, Any]]


@pytest.fixture(scope="module")
def applied(pipeline: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Applied]:
    pipeline.fake.reset()
    copy = Copy(pipeline, copy_warehouse(pipeline.paths, tmp_path_factory.mktemp("apply")))
    desired = copy.desired()
    before = fake_contacts(pipeline)
    requests = pipeline.fake.stats()["requests"]
    plan = copy.plan()
    table = copy.coach("writeback")
    assert table.exit_code == 0, table.output
    dry_run_requests = pipeline.fake.stats()["requests"] - requests
    result = copy.coach("writeback", "--apply", *LET_THROUGH)
    try:
        yield Applied(
            copy=copy,
            desired=desired,
            before=before,
            plan=plan,
            dry_run_requests=dry_run_requests,
            output=result.output,
            exit_code=result.exit_code,
            puts=copy.puts(),
            after=fake_contacts(pipeline),
        )
    finally:
        pipeline.fake.reset()


def test_dry_run_sends_nothing_and_plans_exactly_what_differs_on_the_fake(applied: Applied):
    assert applied.dry_run_requests == 0
    differs = {
        (contact, attribute)
        for (contact, attribute), value in applied.desired.items()
        if canonical(fake_value(applied.before[contact], attribute)) != value
    }
    planned = {(row["contact_id"], row["attribute"]) for row in applied.plan}
    assert differs, "the tiny workspace should need some updates"
    assert planned == differs


def test_plan_values_are_in_the_declared_types(applied: Applied):
    for row in applied.plan:
        if row["data_type"] == "date":
            assert isinstance(row["value"], int) and str(row["value"]) == row["desired_value"]
        else:
            assert row["value"] == row["desired_value"]
    programs = [r for r in applied.plan if r["attribute"] == "Eligible Programs"]
    assert programs and all(isinstance(r["value"], str) for r in programs)


def test_apply_puts_once_per_changed_contact_and_leaves_the_fake_at_the_desired_values(
    applied: Applied,
):
    assert applied.exit_code == 0, applied.output
    changed = {row["contact_id"] for row in applied.plan}
    assert applied.puts == len(changed)
    for (contact, attribute), value in applied.desired.items():
        assert canonical(fake_value(applied.after[contact], attribute)) == value
    for contact, body in applied.after.items():
        if contact not in changed:
            assert body == applied.before[contact]
            continue
        # Only the planned attributes changed; every other attribute is as it was.
        expected = dict(applied.before[contact]["custom_attributes"])
        expected.update(
            {r["attribute"]: r["value"] for r in applied.plan if r["contact_id"] == contact}
        )
        assert body["custom_attributes"] == expected


def test_the_plan_right_after_apply_is_empty_and_the_marts_show_what_was_written(
    applied: Applied,
):
    assert applied.copy.plan() == []
    statuses = dict(applied.copy.query("select contact_id, engagement_status from members"))
    for row in applied.plan:
        if row["attribute"] == "Engagement Status":
            assert statuses[row["contact_id"]] == row["value"]
    current = {
        (c, a): v
        for c, a, v in applied.copy.query(
            "select contact_id, attribute, current_value from contact_attribute_targets"
        )
    }
    for row in applied.plan:
        assert current[(row["contact_id"], row["attribute"])] == row["desired_value"]


def test_the_returned_contacts_are_landed_by_the_run(applied: Applied):
    (run_id,) = applied.copy.query("select run_id from writeback.runs")[0]
    landed = applied.copy.query(
        f"select id from raw.intercom_contacts where run_id = '{run_id}' order by id",
        working=True,  # the raw contacts are not published (issue 15)
    )
    assert [r[0] for r in landed] == sorted({row["contact_id"] for row in applied.plan})


def test_audit_export_lists_every_planned_change_as_applied(applied: Applied, tmp_path):
    result = applied.copy.coach("writeback", "audit", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = orjson.loads(result.stdout)
    assert {(r["contact_id"], r["attribute"], r["old_value"], r["new_value"]) for r in rows} == {
        (r["contact_id"], r["attribute"], r["current_value"], r["desired_value"])
        for r in applied.plan
    }
    assert {r["outcome"] for r in rows} == {"applied"}
    assert all(r["intent_at"] <= r["outcome_at"] for r in rows)
    assert all("@" in r["started_by"] for r in rows)
    (counts,) = applied.copy.query("select plan_counts, status, applied from writeback.runs")
    assert orjson.loads(counts[0])["contacts"] == len({r["contact_id"] for r in applied.plan})
    assert counts[1:] == ("succeeded", len({r["contact_id"] for r in applied.plan}))

    target = tmp_path / "audit.csv"
    result = applied.copy.coach("writeback", "audit", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert len(target.read_text().splitlines()) == len(applied.plan) + 1


def test_a_second_apply_writes_nothing(applied: Applied):
    puts = applied.copy.puts()
    result = applied.copy.coach("writeback", "--apply", *LET_THROUGH)
    assert result.exit_code == 0, result.output
    assert "0 contacts applied" in result.output
    assert applied.copy.puts() == puts


def test_dry_run_table_shows_counts_per_transition(pipeline: Pipeline, copy: Copy):
    result = copy.coach("writeback")
    assert result.exit_code == 0, result.output
    assert "Engagement Status" in result.output and " → " in result.output
    assert "Dry run: nothing was written" in result.output
    csv_lines = copy.coach("writeback", "--format", "csv").stdout.splitlines()
    assert csv_lines[0].startswith("contact_id,external_id,attribute")
    assert len(csv_lines) == len(copy.plan()) + 1
