"""A failing refresh says so: how many runs in a row have failed and since when, in the error
line of `coach ingest` (and so in the cron log). A fatal DuckDB error, which invalidates the
run's connection, is recorded as a failure, and the next run uses the file as it was."""

from __future__ import annotations

import random
import re

import duckdb
import pytest
from click.testing import CliRunner, Result

from cli import main
from ingest.failures import record_failure
from ingest.runner import IngestFailed
from ingest.state import StreamLog, open_log
from tests.ingest.conftest import assert_matches_truth, env_for, ingest, mutate
from warehouse.raw_tables import land_records
from warehouse.run_log import failure_streak
from warehouse.store import connect_working

STREAK = re.compile(r"the last (\d+) runs failed since \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def coach_ingest(base_url: str, paths) -> Result:
    env = env_for(base_url, COACH_WAREHOUSE=str(paths.published), COACH_HTTP_MAX_ATTEMPTS="1")
    return CliRunner().invoke(main, ["ingest"], env=env)


def coach_doctor(base_url: str, paths) -> Result:
    env = env_for(base_url, COACH_WAREHOUSE=str(paths.published))
    return CliRunner().invoke(main, ["doctor"], env=env)


def error_line(result: Result) -> str:
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    return lines[0]


def test_each_failed_run_in_a_row_is_counted_in_the_error(fake, paths):
    with fake.serve_in_thread() as base_url:
        assert coach_ingest(base_url, paths).exit_code == 0
        fake.configure(fault_rate=1.0, fault_kinds=("503",))
        counts = []
        for _ in range(3):
            result = coach_ingest(base_url, paths)
            assert result.exit_code == 1
            found = STREAK.search(error_line(result))
            counts.append(int(found[1]) if found else 1)
        assert counts == [1, 2, 3]
        assert "the last successful run ended" in error_line(result)
        with duckdb.connect(str(paths.working), read_only=True) as con:
            streak = failure_streak(con)
        assert streak is not None and streak.runs == 3 and "503" in (streak.last_error or "")
        fake.configure(fault_rate=0.0)
        # `coach doctor` reads the working file (failed runs publish nothing): the
        # configuration is fine, the refresh is not.
        doctor = coach_doctor(base_url, paths)
        assert doctor.exit_code == 1
        assert STREAK.search(error_line(doctor))[1] == "3"
        assert error_line(doctor).startswith("Error: Ingest is failing: the last 3 runs failed")
        assert coach_ingest(base_url, paths).exit_code == 0
        healthy = coach_doctor(base_url, paths)
        assert healthy.exit_code == 0 and "the last run succeeded" in healthy.output
    with duckdb.connect(str(paths.working), read_only=True) as con:
        assert failure_streak(con) is None


def _keyed(con: duckdb.DuckDBPyConnection) -> None:
    """The conversations table as warehouses made before issue 16 have it: keyed."""
    con.execute(
        "create table raw.keyed as select * from raw.intercom_conversations;"
        "drop table raw.intercom_conversations;"
        """create table raw.intercom_conversations (
            id varchar not null, updated_at bigint, record json not null,
            record_hash varchar not null, run_id varchar not null,
            loaded_at timestamptz not null, primary key (id, record_hash));"""
        "insert into raw.intercom_conversations select * from raw.keyed; drop table raw.keyed"
    )


def test_after_the_fatal_error_of_issue_16_the_next_run_carries_on(fake, paths):
    ingest(fake, paths)
    with connect_working(paths) as con:
        _keyed(con)
    con = connect_working(paths)
    # What the first failure of issue 16 did: a run lands a batch into the keyed table and its
    # commit cannot get memory for the key index.
    failing = StreamLog("ingest-failing", "conversations", "incremental")
    open_log(con, failing)
    con.execute("begin transaction")
    versions = [{"id": f"9{n:05d}", "updated_at": 1_700_000_000 + n} for n in range(2000)]
    land_records(con, "conversations", versions, run_id=failing.run_id)
    held = con.execute("select sum(memory_usage_bytes) from duckdb_memory()").fetchone()[0]
    con.execute(f"set memory_limit = '{held // 1024}KB'")
    with pytest.raises(duckdb.Error):
        con.execute("commit")
    with pytest.raises(duckdb.FatalException, match="invalidated"):
        con.execute("select 1")

    con = record_failure(paths, con, IngestFailed("Ingest of conversations failed: memory"))
    try:
        rows = con.execute(
            "select outcome, error from ingest.run_log where run_id = ?", [failing.run_id]
        ).fetchall()
        assert rows == [("failed", "Ingest of conversations failed: memory")]
        # The failed batch never reached the file.
        assert (
            con.execute(
                "select count(*) from raw.intercom_conversations where run_id = ?", [failing.run_id]
            ).fetchone()[0]
            == 0
        )
    finally:
        con.close()

    mutate(fake, random.Random(3))
    result = ingest(fake, paths)
    assert all(log.outcome == "succeeded" for log in result.logs)
    assert_matches_truth(paths, fake, deletions_noticed=False)
    with duckdb.connect(str(paths.working), read_only=True) as con:
        keys = con.execute(
            "select count(*) from duckdb_constraints() where constraint_type = 'PRIMARY KEY'"
            " and schema_name = 'raw'"
        ).fetchone()[0]
    assert keys == 0
