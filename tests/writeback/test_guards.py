"""Each guard rail stops `coach writeback --apply` before any write, with a message naming its
override, and the override lets the run through. Overridden runs write one contact (`--limit 1`)."""

from __future__ import annotations

import duckdb
import pytest

from tests.writeback.conftest import Copy
from warehouse.raw_tables import current_records_sql, land_records
from warehouse.store import WarehousePaths, pipeline_lock

SHARE_OFF = ("--max-share", "100", "--max-attribute-share", "100")


def refused(copy: Copy, *args: str, flag: str, says: str, exit_code: int = 1) -> None:
    result = copy.coach("writeback", "--apply", *args)
    assert result.exit_code == exit_code, result.output
    assert result.output.startswith("Error: Refusing to apply:"), result.output
    assert says in result.output
    assert flag in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert copy.puts() == 0
    status = copy.query("select status, error from writeback.runs order by started_at")
    assert status[-1][0] == "refused" and says in status[-1][1]
    assert copy.query("select count(*) from writeback.writes") == [(0,)]


def let_through(copy: Copy, *args: str) -> None:
    result = copy.coach("writeback", "--apply", "--limit", "1", *args)
    assert result.exit_code == 0, result.output
    assert "1 contacts applied" in result.output
    assert copy.puts() == 1


def test_as_of_date_other_than_today(copy: Copy):
    # The session warehouse is built as of the fake's 2026-06-15, which is not today.
    refused(copy, *SHARE_OFF, flag="--allow-other-as-of", says="built as of 2026-06-15")
    let_through(copy, *SHARE_OFF, "--allow-other-as-of")


def test_plan_share_overall_and_per_attribute(copy: Copy):
    refused(copy, "--allow-other-as-of", flag="--allow-large-plan", says="more than the 20%")
    refused(
        copy,
        "--allow-other-as-of",
        "--max-share",
        "100",
        "--max-attribute-share",
        "30",
        flag="--allow-large-plan",
        says="allowed for one attribute",
    )
    # A limit shortens the run; the guard still judges the whole plan.
    refused(copy, "--allow-other-as-of", "--limit", "1", flag="--allow-large-plan", says="50%")
    let_through(copy, "--allow-other-as-of", "--allow-large-plan")


def _in_working(paths: WarehousePaths, sql: str) -> None:
    with pipeline_lock(paths), duckdb.connect(str(paths.working)) as con:
        con.execute(sql)


@pytest.mark.parametrize(
    ("setup", "says"),
    [
        (None, "more than the 0 allowed"),
        (
            "update ingest.run_log set outcome = 'failed' where stream = 'contacts'",
            "did not complete: contacts failed",
        ),
        (
            "update main.build_info set built_at = built_at - interval 1 day",
            "built before the last ingest",
        ),
    ],
    ids=["too-old", "incomplete", "built-before"],
)
def test_stale_or_incomplete_ingest(copy: Copy, setup: str | None, says: str):
    age = ("--max-ingest-age-hours", "0") if setup is None else ()
    if setup is not None:
        _in_working(copy.paths, setup)
    refused(
        copy,
        *SHARE_OFF,
        "--allow-other-as-of",
        *age,
        flag="--allow-stale-ingest",
        says=says,
    )
    if setup is None:
        let_through(copy, *SHARE_OFF, "--allow-other-as-of", *age, "--allow-stale-ingest")


def test_declared_type_mismatch_refuses_before_any_write(copy: Copy):
    with pipeline_lock(copy.paths), duckdb.connect(str(copy.paths.working)) as con:
        (record,) = con.execute(
            f"select record from ({current_records_sql('data_attributes')}) "
            "where id = 'contact.Last Call'"
        ).fetchone()
        import orjson

        changed = orjson.loads(record) | {"data_type": "string"}
        land_records(con, "data_attributes", [changed], "test-retyped")
    refused(
        copy,
        *SHARE_OFF,
        "--allow-other-as-of",
        "--allow-stale-ingest",
        "--allow-large-plan",
        flag="'Last Call'",
        says="is a string, but the product needs a date",
        exit_code=2,
    )


def test_refusals_are_published_with_the_audit(copy: Copy):
    result = copy.coach("writeback", "--apply")
    assert result.exit_code == 1
    (row,) = copy.query("select status, overrides, planned_contacts from writeback.runs")
    assert row[0] == "refused" and row[1] is None and row[2] > 0
