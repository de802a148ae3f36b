"""A build before any ingest: the raw tables are created empty and every mart builds, empty."""

from __future__ import annotations

import duckdb

from tests.dbt.conftest import coach
from warehouse.dbt import PROJECT_DIR


def test_build_of_an_empty_warehouse_given_a_relative_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
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
