"""A refresh costs what changed (issue 15): the publish writes what readers need and not the raw
JSON, `coach run` publishes once, and a run with nothing new to read skips the build while
publishing its ingest's log on the same marts."""

from __future__ import annotations

import json
from datetime import date, timedelta

import duckdb

from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse
from warehouse.dbt import artifacts_dir
from warehouse.raw_tables import land_records
from warehouse.store import UNPUBLISHED_SCHEMAS, UNPUBLISHED_TABLES, WarehousePaths, connect_working


def _tables(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, str], int]:
    rows = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = "
        "current_database()"
    ).fetchall()
    return {
        (schema, table): con.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
        for schema, table in rows
    }


def _marts(paths: WarehousePaths) -> dict[str, list[tuple]]:
    with duckdb.connect(str(paths.published), read_only=True) as con:
        names = [
            name
            for (name,) in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'main' "
                "and database_name = current_database() order by 1"
            ).fetchall()
        ]
        return {name: sorted(con.execute(f'select * from "{name}"').fetchall()) for name in names}


def _run_ids(paths: WarehousePaths) -> set[str]:
    with duckdb.connect(str(paths.published), read_only=True) as con:
        return {row[0] for row in con.execute("select run_id from ingest.run_log").fetchall()}


def test_the_published_file_holds_every_table_but_the_raw_json(pipeline: Pipeline):
    with duckdb.connect(str(pipeline.paths.working), read_only=True) as con:
        working = _tables(con)
    with pipeline.connect() as con:
        published = _tables(con)
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
        assert views, "the staging views are published"
        for schema, view in views:
            con.execute(f'select count(*) from "{schema}"."{view}"').fetchone()
        macros = {
            name
            for (name,) in con.execute(
                "select function_name from duckdb_functions() where function_type = 'table_macro'"
            ).fetchall()
        }
        assert {"caseload_for", "sessions_for", "session_counts_for", "sessions_window"} <= macros
        assert con.execute("select count(*) from caseload_for(90, null, null)").fetchone()[0] > 0
    expected = {
        key: rows
        for key, rows in working.items()
        if key[0] not in UNPUBLISHED_SCHEMAS and key not in UNPUBLISHED_TABLES
    }
    assert published == expected
    assert ("raw", "intercom_conversations") in working
    assert ("ingest", "run_log") in published and ("main", "caseload") in published
    assert pipeline.paths.published.stat().st_size < pipeline.paths.working.stat().st_size


def test_a_run_with_nothing_new_skips_the_build_and_publishes_its_log(pipeline: Pipeline, tmp_path):
    copy = copy_warehouse(pipeline.paths, tmp_path / "again")
    marts, runs = _marts(copy), _run_ids(copy)
    run = ("run", "--warehouse", str(copy.published))
    same = pipeline.coach(*run, "--as-of", pipeline.as_of)
    assert same.exit_code == 0, same.output
    assert "dbt build: skipped, nothing new to read since the build of" in same.output
    assert " publish " in same.output.split("Took", 1)[1]
    assert _marts(copy) == marts
    assert len(_run_ids(copy) - runs) == 1, "the run's ingest is in the published run log"

    # Another as-of date is another build; back to the first date, the marts are the same again.
    later = (date.fromisoformat(pipeline.as_of) + timedelta(days=1)).isoformat()
    moved = pipeline.coach(*run, "--as-of", later)
    assert moved.exit_code == 0, moved.output
    assert "skipped" not in moved.output
    with duckdb.connect(str(copy.published), read_only=True) as con:
        assert con.execute("select as_of_date::varchar from build_info").fetchone() == (later,)
    assert _marts(copy)["build_info"] != marts["build_info"]
    back = pipeline.coach(*run, "--as-of", pipeline.as_of)
    assert "skipped" not in back.output, "the previous build was as of another day"
    # The date changed again without dbt parsing the project again (the build before parsed in
    # full: the copy's path is in dbt's profile).
    log = (artifacts_dir(copy, "duckdb", None) / "logs" / "dbt.log").read_text()
    assert "Unable to do partial parsing" not in log[log.rfind("Running with dbt=") :]
    # (the status history keeps the later day's rows; build_info has the new build's clock)
    clocked = {"build_info", "engagement_status_history"}
    assert {k: v for k, v in _marts(copy).items() if k not in clocked} == {
        k: v for k, v in marts.items() if k not in clocked
    }

    # A record landed since (as a write-back or a killed ingest leaves one): the build runs.
    con = connect_working(copy)
    try:
        record = con.execute(
            "select record from raw.intercom_contacts order by loaded_at desc limit 1"
        ).fetchone()[0]
        land_records(con, "contacts", [json.loads(record) | {"updated_at": 1}], run_id="later")
    finally:
        con.close()
    landed = pipeline.coach(*run, "--as-of", pipeline.as_of)
    assert landed.exit_code == 0, landed.output
    assert "skipped" not in landed.output
