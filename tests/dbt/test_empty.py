"""A build before any ingest is refused (a mistyped --warehouse must not publish an empty
warehouse that reports show as "0 members"); a workspace with no contacts or conversations yet
builds every mart, empty."""

from __future__ import annotations

import duckdb
import pytest

from tests.dbt.conftest import coach
from tests.dbt.workspace import admins, data_attributes, teams
from warehouse.dbt import PROJECT_DIR
from warehouse.raw_tables import create_raw_tables, land_records
from warehouse.store import WarehousePaths, connect_working


@pytest.mark.parametrize("target", ["duckdb", "postgres"])
def test_a_build_before_any_ingest_is_refused(tmp_path, monkeypatch, target):
    monkeypatch.chdir(tmp_path)
    result = coach("build", "--warehouse", "data/typo.duckdb", "--target", target)
    assert result.exit_code == 1
    assert "Nothing has been ingested into data/typo.duckdb yet" in result.output
    assert "run `coach ingest` first" in result.output
    assert not (tmp_path / "data" / "typo.duckdb").exists()  # nothing published


def test_build_with_no_contacts_or_conversations_given_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    con = connect_working(WarehousePaths(tmp_path / "data" / "w.duckdb"))
    try:
        create_raw_tables(con)
        for stream, records in (
            ("admins", admins()),
            ("teams", teams()),
            ("data_attributes", data_attributes()),
        ):
            land_records(con, stream, records, run_id="fixture")
    finally:
        con.close()
    result = coach("build", "--warehouse", "data/w.duckdb", "--as-of", "2026-06-15")
    assert result.exit_code == 0, result.output
    # dbt's artefacts stay beside the warehouse even for a relative path.
    assert (tmp_path / "data" / "w.dbt" / "duckdb" / "target" / "manifest.json").is_file()
    assert not (PROJECT_DIR / "data").exists()
    con = duckdb.connect(str(tmp_path / "data" / "w.duckdb"), read_only=True)
    try:
        for mart in ("members", "coaching_sessions", "billing_cohort", "data_quality_issues"):
            assert con.execute(f"select count(*) from {mart}").fetchone() == (0,)
        assert con.execute("select as_of_date::varchar from build_info").fetchone() == (
            "2026-06-15",
        )
    finally:
        con.close()
