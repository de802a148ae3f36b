"""`coach build` on DuckDB over the hand-written workspace: dbt's own tests pass, and the marts hold
what the glossary says. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import stat
from datetime import UTC, date, datetime

import duckdb

from fake_intercom.dirty import DIRTY_KINDS
from tests.dbt.conftest import Built
from tests.dbt.workspace import (
    AS_OF,
    DIRTY,
    ENGAGED,
    GONE,
    LATE,
    LEAD,
    NEW,
    NO_ENROLMENT,
    NO_NAME,
    ONE_WORD,
    TWIN_A,
    TWIN_B,
    UNICODE,
    WAITING,
    unix,
)
from warehouse.dbt import PROJECT_DIR
from warehouse.raw_tables import current_records_sql


def scalar(con, sql: str, *params):
    return con.execute(sql, list(params)).fetchone()[0]


def test_build_reports_and_publishes(built):
    assert "dbt build:" in built.result.output
    assert "error" not in built.result.output.split("Published")[0]
    assert "fail" not in built.result.output
    assert stat.S_IMODE(built.paths.published.stat().st_mode) == 0o600
    # dbt's artefacts live beside the warehouse, never in the shared project directory.
    assert (built.paths.directory / "warehouse.dbt" / "duckdb" / "target").is_dir()
    assert not (PROJECT_DIR / "target").exists()


def test_build_info(marts):
    row = marts.execute(
        "select as_of_date, as_of_instant, as_of_unix_seconds, program_timezone from build_info"
    ).fetchone()
    # Midnight of the as-of date in New York (EDT) is 04:00 UTC.
    assert row == (
        AS_OF,
        datetime(2026, 6, 15, 4, tzinfo=UTC),
        unix("2026-06-15 04:00"),
        "America/New_York",
    )


def test_engagement_status(marts):
    status = dict(marts.execute("select contact_id, engagement_status from members").fetchall())
    assert status[ENGAGED] == "Engaged"  # last qualifying call 5 days ago
    assert status[LATE] == "Engaged"  # first call late (80 days), 26 days ago: recency alone
    assert status[WAITING] == "Unengaged"  # enrolled 75 days ago, no call (reopened one ignored)
    assert status[NEW] == "Engaged"  # enrolled 14 days ago, no call yet
    assert status[ONE_WORD] == "Engaged"
    assert status[NO_NAME] == "Engaged"  # newest version of conversation 119 is a closed call
    for skipped in (NO_ENROLMENT, DIRTY, UNICODE):  # no valid Enrolled Date
        assert status[skipped] is None
    assert LEAD not in status and GONE not in status


def test_sessions_credit_members_and_skip_what_does_not_count(marts):
    sessions = set(
        marts.execute("select conversation_id, contact_id from coaching_sessions").fetchall()
    )
    assert {("102", ENGAGED), ("102", LATE)} <= sessions  # both members of a shared call
    conversations = {conversation for conversation, _ in sessions}
    # 103 reopened, 107/108/110 unknown or missing Channel, 111 no contact, 115 after the
    # as-of date, 117 deleted: none is a coaching session of a member.
    assert conversations.isdisjoint({"103", "107", "108", "110", "111", "115", "117"})
    assert ("112", LEAD) not in sessions and ("113", GONE) not in sessions
    assert ("106", NO_ENROLMENT) in sessions  # " Phone " is Phone after trimming
    # 101 102 104 105 106 109 112 113 114 116 118 119: closed, known coaching Channel, a member.
    assert scalar(marts, "select count(distinct conversation_id) from coaching_sessions") == 12
    coach = marts.execute(
        "select conversation_id, coach_id, coach_name from coaching_sessions "
        "where conversation_id in ('104', '105', '114') order by 1"
    ).fetchall()
    assert coach == [("104", "991267702", "Ben Coach"), ("105", None, None), ("114", None, None)]


def test_caseload(marts):
    row = marts.execute(
        "select days_since_last_session, recency_bucket, channel_combination, coach_names "
        "from caseload where contact_id = ?",
        [ENGAGED],
    ).fetchone()
    assert row == (5, "≤7", "Phone + Video Conference", "Ana Coach")
    assert marts.execute(
        "select recency_bucket from caseload where contact_id = ?", [LATE]
    ).fetchone() == ("8–28",)


def test_enrolled_participants(marts):
    rows = dict(
        marts.execute(
            "select contact_id, days_without_session from enrolled_participants"
        ).fetchall()
    )
    assert rows[WAITING] == 75  # no coaching session: days since Enrolled Date
    assert rows[NEW] == 9  # last coaching session (chat) on 2026-06-06
    assert DIRTY not in rows and NO_ENROLMENT not in rows


def test_billing_cohort(marts):
    months = marts.execute(
        "select month, is_new_participant, is_engaged from billing_cohort "
        "where contact_id = ? order by month",
        [ENGAGED],
    ).fetchall()
    # New in January; calls 2026-01-20 (Jan-Mar), 05-20 and 06-10 (May-Jun, not after June).
    assert months == [
        ("2026-01", True, True),
        ("2026-02", False, True),
        ("2026-03", False, True),
        ("2026-05", False, True),
        ("2026-06", False, True),
    ]
    assert scalar(marts, "select count(*) from billing_cohort where contact_id = ?", ONE_WORD) == 0
    assert (
        scalar(marts, "select count(*) from billing_cohort where employer = 'Test Users Inc'") == 0
    )


def test_data_quality_lists_every_dirty_kind(marts):
    kinds = {
        row[0] for row in marts.execute("select issue_kind from data_quality_issues").fetchall()
    }
    assert kinds >= set(DIRTY_KINDS)  # the kinds of docs/architecture.md
    issues = set(
        marts.execute("select issue_kind, object_id, field from data_quality_issues").fetchall()
    )
    assert {
        ("date_as_string", DIRTY, "Enrolled Date"),
        ("date_as_string", UNICODE, "Enrolled Date"),
        ("negative_timestamp", DIRTY, "Registration Date"),
        ("far_future_timestamp", DIRTY, "Last Call"),
        ("missing_attribute", NO_ENROLMENT, "Enrolled Date"),
        ("missing_attribute", NO_NAME, "name"),
        ("unusual_name", ONE_WORD, "name"),
        ("duplicate_looking_member", TWIN_A, "name"),
        ("duplicate_looking_member", TWIN_B, "name"),
        ("lead_on_session", "112", "contacts"),
        ("orphan_contact_reference", "113", "contacts"),
        ("unknown_channel", "107", "Channel"),
        ("unknown_channel", "108", "Channel"),
        ("unknown_service_code", "109", "Service Code"),
        ("missing_channel", "110", "Channel"),
        ("conversation_without_contact", "111", "contacts"),
        ("no_coach", "105", "admin_assignee_id"),
        ("no_coach", "114", "admin_assignee_id"),
    } <= issues
    assert scalar(marts, "select count(*) from data_quality_issues where reason is null") == 0
    # ' Phone ' (padded) is valid; the unicode name is not an issue.
    assert ("unknown_channel", "106", "Channel") not in issues
    assert not any(obj == UNICODE and kind == "unusual_name" for kind, obj, _ in issues)


def targets(marts, contact_id: str) -> dict[str, tuple]:
    rows = marts.execute(
        "select attribute, desired_value, needs_update, change_label "
        "from contact_attribute_targets where contact_id = ?",
        [contact_id],
    ).fetchall()
    return {attribute: rest for attribute, *rest in rows}


def test_attribute_targets(marts):
    engaged = targets(marts, ENGAGED)
    assert engaged["Engagement Status"] == ["Engaged", True, "At Risk → Engaged"]
    assert engaged["Engagement Status Date"][:2] == [str(unix("2026-06-15 04:00")), True]
    assert engaged["Last Coaching Session"][:2] == [str(unix("2026-06-10 15:00")), True]
    assert engaged["Last Call"][:2] == [str(unix("2026-06-10 15:00")), True]
    assert engaged["First Session Date"] == [None, False, None]  # set already: never changed
    assert engaged["Eligible Programs"][:2] == ["Beta; Smart Access", True]

    late = targets(marts, LATE)
    assert late["First Session Date"][:2] == [str(unix("2026-05-20 15:00")), True]
    assert late["Eligible Programs"] == [None, False, None]  # no referral rule for "Web"

    waiting = targets(marts, WAITING)
    assert waiting["Last Call"][:2] == [str(unix("2026-06-01 14:00")), True]  # open call
    assert waiting["Last Coaching Session"] == [None, False, None]  # never cleared
    assert waiting["Eligible Programs"] == [None, False, None]  # already listed

    no_enrolment = targets(marts, NO_ENROLMENT)
    assert no_enrolment["First Session Date"][:2] == [str(unix("2026-03-03 14:00")), True]
    assert no_enrolment["Engagement Status"] == [None, False, None]


def test_dirty_values_never_feed_a_write(marts):
    dirty = targets(marts, DIRTY)
    assert dirty["Engagement Status"] == [None, False, None]  # Enrolled Date is text
    # Last Call holds a far-future value: treated as missing, replaced by the real phone call.
    assert dirty["Last Call"][:2] == [str(unix("2026-06-04 15:00")), True]
    assert dirty["Last Coaching Session"] == [None, False, None]  # no qualifying call
    dirty_values = {
        row[0] for row in marts.execute("select value from data_quality_issues").fetchall()
    }
    desired = {
        row[0]
        for row in marts.execute(
            "select desired_value from contact_attribute_targets where needs_update"
        ).fetchall()
    }
    assert None not in desired
    assert not desired & (dirty_values - {None})
    assert (
        scalar(marts, "select count(*) from contact_attribute_targets where contact_id = ?", LEAD)
        == 0
    )


def test_engagement_export(marts):
    rows = {
        row[0]: row[1:]
        for row in marts.execute(
            "select employee_id, name_first, name_last, member_dob, group_description, "
            "last_coaching_session, program_status, status_date, eligible_programs, "
            "registration_code from engagement_export"
        ).fetchall()
    }
    assert rows["1001"] == (
        "Ava",
        "Stone",
        "1985-04-12",
        "Acme",
        "2026-06-10",
        "Engaged",
        "2026-06-15",
        "Beta; Smart Access",
        "RC-1",
    )
    assert rows["1002"][:2] == ("Ben", "Jr")  # middle word dropped, spaces collapsed
    assert rows["1007"][:2] == ("Zoë", "Ağaoğlu-Nguyễn")
    assert rows["1008"][:2] == ("Cher", None)
    assert rows["1006"][2] == "1955-06-27"  # a Date of Birth before 1970 is negative, and valid


def test_history_holds_the_as_of_date(marts):
    assert marts.execute(
        "select distinct as_of_date from engagement_status_history"
    ).fetchall() == [(date(2026, 6, 15),)]
    assert scalar(marts, "select count(*) from engagement_status_history") == scalar(
        marts, "select count(*) from members where engagement_status is not null"
    )


def test_staging_and_ingest_agree_on_current_records(built: Built):
    # Ingest counts records with warehouse.raw_tables.current_records_sql; staging picks them
    # with the latest_versions macro: both must keep the same ids (versions and deletions).
    staged = {
        "contacts": "select contact_id from staging.stg_intercom__contacts",
        "conversations": "select conversation_id from staging.stg_intercom__conversations",
        "admins": "select admin_id from staging.stg_intercom__admins",
        "teams": "select team_id from staging.stg_intercom__teams",
        "data_attributes": "select data_attribute_id from staging.stg_intercom__data_attributes",
    }
    # (the raw contacts and conversations are in the working file only, issue 15)
    with duckdb.connect(str(built.paths.working), read_only=True) as marts:
        for stream, sql in staged.items():
            current = marts.execute(f"select id from ({current_records_sql(stream)})").fetchall()
            assert sorted(current) == sorted(marts.execute(sql).fetchall()), stream
        assert (GONE,) not in marts.execute(staged["contacts"]).fetchall()
