"""`coach export engagement|billing|participants`: exact columns, values against the ground truth,
filters, and the file's safety (owner-only, atomic, never overwritten without --force)."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.oracle import RULES, Oracle, attribute, local_day
from tests.pipeline import Pipeline
from tests.reports.conftest import as_json, read_csv, run

ENGAGEMENT_COLUMNS = [
    "employee_id",
    "name_first",
    "name_last",
    "member_dob",
    "group_description",
    "last_coaching_session",
    "program_status",
    "status_date",
    "eligible_programs",
    "registration_code",
]


def text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def expected_engagement_row(oracle: Oracle, member: str) -> dict[str, str]:
    """One CSV row of the engagement export, from Intercom's record and the glossary."""
    record = oracle.members[member]
    words = (record.get("name") or "").split()
    calls = oracle.qualifying(member)
    status = oracle.engagement_status(member)
    current_status = attribute(record, "Engagement Status")
    status_at = attribute(record, "Engagement Status Date")
    if status is not None and status != current_status:
        status_date = oracle.as_of.isoformat()
    elif RULES.valid_seconds("Engagement Status Date", status_at) is not None:
        status_date = local_day(status_at).isoformat()
    else:
        status_date = ""
    dob = RULES.calendar_date("Date of Birth", attribute(record, "Date of Birth"))
    return {
        "employee_id": record.get("external_id") or "",
        "name_first": words[0] if words else "",
        "name_last": words[-1] if len(words) > 1 else "",
        "member_dob": dob.isoformat() if dob else "",
        "group_description": oracle.employer(member) or "",
        "last_coaching_session": max(s.day for s in calls).isoformat() if calls else "",
        "program_status": status or "",
        "status_date": status_date,
        "eligible_programs": text(oracle.eligible_programs(member)),
        "registration_code": text(attribute(record, "Registration Code")),
    }


def export(pipeline: Pipeline, tmp_path: Path, kind: str, *args: str) -> list[dict[str, str]]:
    out = tmp_path / f"{kind}.csv"
    out.unlink(missing_ok=True)
    result = run(pipeline, "export", kind, "--out", str(out), *args)
    header, rows = read_csv(out.read_text(encoding="utf-8"))
    assert f"{len(rows):,} rows to {out}" in result.output or "Wrote only the header" in (
        result.output
    )
    if kind == "engagement":
        assert header == ENGAGEMENT_COLUMNS
    return rows


def by_employee(rows: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {row["employee_id"]: row for row in rows}


def test_engagement_export_every_column(pipeline: Pipeline, oracle: Oracle, tmp_path):
    rows = export(pipeline, tmp_path, "engagement")
    expected = [expected_engagement_row(oracle, m) for m in oracle.members]
    assert len(rows) == len(expected) == len(oracle.members)
    assert by_employee(rows) == by_employee(expected)
    # The values the export exists for are present, not all empty.
    for column in ENGAGEMENT_COLUMNS:
        assert any(row[column] for row in rows), column


@pytest.mark.parametrize(
    ("args", "keep"),
    [
        (("--status", "engaged"), lambda r, m, o: r["program_status"] == "Engaged"),
        (
            ("--status", "At Risk", "--status", "Unengaged"),
            lambda r, m, o: r["program_status"] in {"At Risk", "Unengaged"},
        ),
        (
            ("--referral", "Counter Health"),
            lambda r, m, o: attribute(o.members[m], "Referral") == "Counter Health",
        ),
        (
            ("--enrolled-from", "2026-01-01", "--enrolled-to", "2026-04-30"),
            lambda r, m, o: (
                o.enrolled(m) is not None and date(2026, 1, 1) <= o.enrolled(m) <= date(2026, 4, 30)
            ),
        ),
        (
            ("--last-session-from", "2026-05-18", "--last-session-to", "2026-06-14"),
            lambda r, m, o: (
                "2026-05-18" <= r["last_coaching_session"] <= "2026-06-14"
                and r["last_coaching_session"] != ""
            ),
        ),
        (
            ("--employer", "Acme Manufacturing", "--status", "Unengaged"),
            lambda r, m, o: (
                r["group_description"] == "Acme Manufacturing"
                and r["program_status"] == "Unengaged"
            ),
        ),
    ],
)
def test_engagement_export_filters(pipeline, oracle: Oracle, tmp_path, args, keep):
    rows = export(pipeline, tmp_path, "engagement", *args)
    expected = [
        row for m in oracle.members if keep(row := expected_engagement_row(oracle, m), m, oracle)
    ]
    assert expected, f"{args} should match someone in the tiny workspace"
    assert len(expected) < len(oracle.members)
    assert by_employee(rows) == by_employee(expected)


def test_billing_export(pipeline: Pipeline, oracle: Oracle, tmp_path):
    rows = export(pipeline, tmp_path, "billing", "--month", "2026-05")
    expected = oracle.billing(date(2026, 5, 1))
    assert list(rows[0]) == [
        "month", "external_id", "contact_id", "name", "email", "employer", "enrolled_date",
        "last_call_session_date", "is_new_participant", "is_engaged",
    ]  # fmt: skip
    assert {r["contact_id"]: (r["is_new_participant"], r["is_engaged"]) for r in rows} == {
        m: (str(new).lower(), str(engaged).lower()) for m, (new, engaged) in expected.items()
    }
    month_end = date(2026, 5, 31)
    for row in rows:
        member = oracle.members[row["contact_id"]]
        assert row["month"] == "2026-05"
        assert row["external_id"] == member["external_id"]
        assert row["email"] == (member.get("email") or "")
        assert row["employer"] == (oracle.employer(row["contact_id"]) or "")
        enrolled = oracle.enrolled(row["contact_id"])
        assert row["enrolled_date"] == (enrolled.isoformat() if enrolled else "")
        calls = [
            s.day for s in oracle.sessions[row["contact_id"]] if s.is_call and s.day <= month_end
        ]
        assert row["last_call_session_date"] == (max(calls).isoformat() if calls else "")


def test_participants_export(pipeline: Pipeline, tmp_path):
    rows = export(pipeline, tmp_path, "participants", "--lookback", "90")
    document = as_json(pipeline, "participants", "--lookback", "90")
    assert list(rows[0]) == list(document["rows"][0])
    assert [r["contact_id"] for r in rows] == [r["contact_id"] for r in document["rows"]]
    assert [int(r["days_without_session"]) for r in rows] == [
        r["days_without_session"] for r in document["rows"]
    ]


def test_export_file_is_owner_only_and_not_overwritten(pipeline: Pipeline, tmp_path):
    out = tmp_path / "sub" / "engagement.csv"
    run(pipeline, "export", "engagement", "--out", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert sorted(p.name for p in out.parent.iterdir()) == ["engagement.csv"]  # no temp left
    out.write_text("keep me\n", encoding="utf-8")
    refused = pipeline.coach("export", "engagement", "--out", str(out))
    assert refused.exit_code == 2
    assert refused.output.strip() == f"Error: {out} already exists; pass --force to overwrite it."
    assert out.read_text(encoding="utf-8") == "keep me\n"
    run(pipeline, "export", "engagement", "--out", str(out), "--force")
    assert out.read_text(encoding="utf-8").startswith("employee_id,")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_an_export_matching_nothing_says_so(pipeline: Pipeline, tmp_path):
    out = tmp_path / "none.csv"
    result = run(pipeline, "export", "billing", "--month", "2019-01", "--out", str(out))
    assert "No member is billable in 2019-01" in result.output
    assert read_csv(out.read_text(encoding="utf-8")) == (
        ["month", "external_id", "contact_id", "name", "email", "employer", "enrolled_date",
         "last_call_session_date", "is_new_participant", "is_engaged"],
        [],
    )  # fmt: skip
