"""Incremental rebuilds: new, changed and deleted records are picked up, the result equals a
full refresh, and the engagement status history is idempotent per as-of date, untouched by a
build for a past date, and kept through --full-refresh."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pytest

from tests.dbt.conftest import Built, coach, duckdb_rows, table_rows
from tests.dbt.test_postgres import PUBLIC_MARTS
from tests.dbt.workspace import (
    AS_OF,
    ENGAGED,
    LATE,
    NEW,
    UNICODE,
    WAITING,
    contact,
    contacts,
    conversation,
    conversations,
    unix,
)
from tests.warehouse_copy import copy_warehouse
from warehouse.dbt import artifacts_dir
from warehouse.raw_tables import DELETIONS_TABLE, land_records
from warehouse.store import WarehousePaths, connect_working

PAST = date(2026, 5, 1)


@dataclass
class Rebuilt:
    incremental: WarehousePaths
    full: WarehousePaths
    snapshot: dict[str, tuple[list[str], list[tuple]]]
    # After the as-of date moved back to PAST (incremental), and a full build of it.
    past_snapshot: dict[str, tuple[list[str], list[tuple]]]
    past_full: WarehousePaths
    # Whether the data tests of the incremental build read every row of int_contacts and ran the
    # test of whole tables; the same of the build for PAST (the as-of date moved).
    incremental_tests_read_all: tuple[bool, bool]
    past_tests_read_all: tuple[bool, bool]
    # Whether the incremental build and the full one loaded the seeds and wrote dbt's manifest.
    incremental_rewrote: tuple[bool, bool]
    full_rewrote: tuple[bool, bool]


def land_changes(paths: WarehousePaths) -> None:
    """A later ingest: a new call, a changed contact, a re-closed conversation, a conversation
    whose contact list changed and a deletion."""
    con = connect_working(paths)
    try:
        land_records(
            con,
            "conversations",
            [conversation("120", [WAITING], created="2026-06-14 14:00", closed="2026-06-14 15:00")],
            run_id="second",
        )
        reclosed = next(c for c in conversations() if c["id"] == "101")
        reclosed = {
            **reclosed,
            "updated_at": unix("2026-06-11 15:00"),
            "statistics": {
                "type": "conversation_statistics",
                "last_close_at": unix("2026-06-11 15:00"),
            },
        }
        land_records(con, "conversations", [reclosed], run_id="second")
        # LATE is taken off a coaching call: its member rows must be recomputed from the list the
        # conversation had before (base_intercom__conversation_contacts keeps it).
        relisted = conversation(
            "102",
            [ENGAGED],
            channel="Video Conference",
            service_code="Disease Management 002",
            created="2026-05-20 14:00",
            closed="2026-05-20 15:00",
            updated_at=unix("2026-06-12 09:00"),
        )
        land_records(con, "conversations", [relisted], run_id="second")
        new = next(c for c in contacts() if c["id"] == NEW)
        changed = contact(
            NEW,
            new["external_id"],
            new["name"],
            {**new["custom_attributes"], "Employer": "Globex"},
            updated_at=unix("2026-06-14 12:00"),
        )
        land_records(con, "contacts", [changed], run_id="second")
        con.execute(
            f"insert into {DELETIONS_TABLE} values ('conversations', '104', now(), 'second')"
        )
    finally:
        con.close()


def snapshot(paths: WarehousePaths) -> dict[str, tuple[list[str], list[tuple]]]:
    con = duckdb.connect(str(paths.published), read_only=True)
    try:
        return {table: duckdb_rows(con, table) for table in PUBLIC_MARTS}
    finally:
        con.close()


def build(paths: WarehousePaths, as_of: date, *extra: str) -> None:
    result = coach(
        "build", "--warehouse", str(paths.published), "--as-of", as_of.isoformat(), *extra
    )
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def rebuilt(built: Built, tmp_path_factory: pytest.TempPathFactory) -> Rebuilt:
    incremental = copy_warehouse(built.paths, tmp_path_factory.mktemp("incremental"))
    land_changes(incremental)
    # A duplicate row planted for a contact that did not change, nor did its conversations: the
    # incremental build's tests read only the rows it rewrote
    # (macros/tests_of_rewritten_rows.sql), so it passes.
    _plant_duplicate(incremental, UNICODE)
    incremental_rewrote = _seeds_and_manifest_rewritten(incremental, AS_OF)
    incremental_read_all = _unique_test_reads_all(incremental)
    _remove_duplicates(incremental)
    after_changes = snapshot(incremental)
    build(incremental, PAST)
    past_read_all = _unique_test_reads_all(incremental)
    past_snapshot = snapshot(incremental)
    past_full = copy_warehouse(incremental, tmp_path_factory.mktemp("past-full-refresh"))
    build(past_full, PAST, "--full-refresh")
    full = copy_warehouse(incremental, tmp_path_factory.mktemp("full-refresh"))
    full_rewrote = _seeds_and_manifest_rewritten(full, AS_OF, "--full-refresh")
    return Rebuilt(
        incremental, full, after_changes, past_snapshot, past_full, incremental_read_all,
        past_read_all, incremental_rewrote, full_rewrote,
    )  # fmt: skip


def _target(paths: WarehousePaths) -> Path:
    return artifacts_dir(paths, "duckdb", None) / "target"


def _seeds_and_manifest_rewritten(
    paths: WarehousePaths, as_of: date, *extra: str
) -> tuple[bool, bool]:
    """Build; whether dbt loaded a seed (run_results.json) and wrote its manifest again."""
    manifest = _target(paths) / "manifest.json"
    before = manifest.stat().st_mtime_ns if manifest.exists() else None
    build(paths, as_of, *extra)
    results = json.loads((_target(paths) / "run_results.json").read_text())["results"]
    seeded = any(r["unique_id"].startswith("seed.") for r in results)
    return seeded, manifest.stat().st_mtime_ns != before


def _plant_duplicate(paths: WarehousePaths, contact_id: str) -> None:
    con = connect_working(paths)
    try:
        con.execute(
            "insert into intermediate.int_contacts select * from intermediate.int_contacts "
            "where contact_id = ?",
            [contact_id],
        )
        count = con.execute(
            "select count(*) from intermediate.int_contacts where contact_id = ?", [contact_id]
        ).fetchone()[0]
        assert count == 2
    finally:
        con.close()


def _remove_duplicates(paths: WarehousePaths) -> None:
    con = connect_working(paths)
    try:
        con.execute(
            "create or replace table intermediate.int_contacts as "
            "select distinct * from intermediate.int_contacts"
        )
    finally:
        con.close()


def _unique_test_reads_all(paths: WarehousePaths) -> tuple[bool, bool]:
    """Whether the last build's uniqueness test of int_contacts read every row (from its SQL),
    and whether it ran the test tagged whole_tables (from run_results.json)."""
    target = _target(paths)
    (compiled,) = (target / "run").rglob("unique_int_contacts_contact_id.sql")
    sql = compiled.read_text()
    assert "int_contacts" in sql
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {r["unique_id"].split(".")[2] for r in results}  # test.coach.<name>[.<hash>]
    assert "unique_int_contacts_contact_id" in ran
    whole = "assert_caseload_for_at_the_build_window_is_the_caseload" in ran
    return "stg_intercom__changed_keys" not in sql, whole


def rows(snapshot: dict, table: str, sql_filter=lambda row: True) -> list[dict]:
    columns, values = snapshot[table]
    return [
        dict(zip(columns, row, strict=True))
        for row in values
        if sql_filter(dict(zip(columns, row, strict=True)))
    ]


def test_incremental_build_picks_up_changes(rebuilt):
    members = {r["contact_id"]: r for r in rows(rebuilt.snapshot, "members")}
    assert members[WAITING]["engagement_status"] == "Engaged"  # new call yesterday
    assert members[NEW]["employer"] == "Globex"
    sessions = rows(rebuilt.snapshot, "coaching_sessions")
    assert "104" not in {s["conversation_id"] for s in sessions}  # deleted since
    reclosed = [s for s in sessions if s["conversation_id"] == "101"]
    assert [s["session_date"] for s in reclosed] == [date(2026, 6, 11)]


def assert_same_marts(built: dict, full: dict) -> None:
    for table in PUBLIC_MARTS:
        if table == "engagement_status_history":
            continue  # holds the past date too; checked below
        columns, values = built[table]
        assert table_rows(columns, values, without=("built_at",)) == table_rows(
            *full[table], without=("built_at",)
        ), table


def test_tests_of_an_incremental_build_read_the_rows_it_rewrote(rebuilt):
    """The build after the changes passed with a duplicate planted in a row it did not rewrite
    (the fixture), because its tests read the rewritten rows; the build for another as-of date
    reads every row, as a full build does, and runs the test tagged whole_tables, which the
    incremental build left out. The first build ran in another time zone (TZ), which
    does not make the next one a full build."""
    assert rebuilt.incremental_tests_read_all == (False, False)
    assert rebuilt.past_tests_read_all == (True, True)


def test_an_incremental_build_leaves_the_seeds_and_the_manifest_as_they_are(rebuilt):
    """The last build was of the same project: its seeds and its manifest are this one's. The
    run results are this build's all the same (the helper read them), and its marts are a full
    build's (test_incremental_result_equals_full_refresh)."""
    assert rebuilt.incremental_rewrote == (False, False)
    assert rebuilt.full_rewrote == (True, True)


def test_incremental_result_equals_full_refresh(rebuilt):
    assert_same_marts(rebuilt.snapshot, snapshot(rebuilt.full))
    late = rows(rebuilt.snapshot, "coaching_sessions", lambda r: r["contact_id"] == LATE)
    assert "102" not in {s["conversation_id"] for s in late}


def test_a_moved_as_of_date_rebuilds_the_dated_models(rebuilt):
    """The as-of date moved (to PAST) with nothing new landed: the models that depend on it
    replace every row, and equal a full build for that date."""
    assert_same_marts(rebuilt.past_snapshot, snapshot(rebuilt.past_full))


def history(paths: WarehousePaths) -> dict[tuple[date, str], str]:
    con = duckdb.connect(str(paths.published), read_only=True)
    try:
        return {
            (as_of, contact_id): status
            for as_of, contact_id, status in con.execute(
                "select as_of_date, contact_id, engagement_status from engagement_status_history"
            ).fetchall()
        }
    finally:
        con.close()


def test_history_rebuild_of_a_date_replaces_it(rebuilt):
    statuses = {
        (r["as_of_date"], r["contact_id"]): r["engagement_status"]
        for r in rows(rebuilt.snapshot, "engagement_status_history")
    }
    # Built twice for AS_OF (before and after the changes): one row per member, the newest status.
    assert {as_of for as_of, _ in statuses} == {AS_OF}
    members = rows(rebuilt.snapshot, "members", lambda r: r["engagement_status"] is not None)
    assert len(statuses) == len(members)
    assert statuses[(AS_OF, WAITING)] == "Engaged"


def test_history_past_date_leaves_later_dates_alone(rebuilt):
    later = {k: v for k, v in history(rebuilt.incremental).items() if k[0] == AS_OF}
    before = {
        (r["as_of_date"], r["contact_id"]): r["engagement_status"]
        for r in rows(rebuilt.snapshot, "engagement_status_history")
    }
    assert later == before
    past = {k[1]: v for k, v in history(rebuilt.incremental).items() if k[0] == PAST}
    # On 2026-05-01 the last qualifying call was 2026-01-20: 101 days.
    assert past[ENGAGED] == "Unengaged"
    assert past[WAITING] == "Unengaged"  # enrolled 2026-04-01: 30 days, no call


def test_full_refresh_keeps_history(rebuilt):
    dates = {as_of for as_of, _ in history(rebuilt.full)}
    assert dates == {PAST, AS_OF}
