"""The same models on PostgreSQL: every public mart equals the DuckDB build of the same workspace.

Skipped with a message when no server answers at COACH_PG_HOST:COACH_PG_PORT; a failure instead
when COACH_REQUIRE_POSTGRES=1 (as in .ci/run). Each run builds in a schema of its own and drops it.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.dbt.conftest import duckdb_rows, table_rows
from tests.dbt.workspace import AS_OF
from warehouse.postgres import connect, copy_raw_to_postgres

pytestmark = pytest.mark.postgres

PUBLIC_MARTS = (
    "members",
    "coaching_sessions",
    "caseload",
    "enrolled_participants",
    "billing_cohort",
    "engagement_export",
    "contact_attribute_targets",
    "engagement_status_history",
    "data_quality_issues",
    "build_info",
    "coaches",
    "employers",
    "coaching_channels",
    "day_buckets",
    "engagement_statuses",
)
BUILD_SPECIFIC = ("built_at", "warehouse_type")


def test_postgres_build_passes_its_tests(postgres_built):
    assert "dbt build:" in postgres_built.result.output
    assert " pass" in postgres_built.result.output


@pytest.mark.parametrize("table", PUBLIC_MARTS)
def test_postgres_mart_equals_duckdb(postgres_built, marts, table):
    pg_columns, pg_rows = postgres_built.rows(table)
    duck_columns, duck_rows = duckdb_rows(marts, table)
    assert pg_columns == duck_columns
    assert pg_rows, f"{table} is empty on PostgreSQL"
    assert table_rows(pg_columns, pg_rows, without=BUILD_SPECIFIC) == table_rows(
        duck_columns, duck_rows, without=BUILD_SPECIFIC
    )


def test_copy_to_postgres_only_sends_new_rows(postgres_built, built):
    # The raw rows were copied by the build; a second copy finds nothing new.
    copied = copy_raw_to_postgres(postgres_built.working, postgres_built.settings)
    assert set(copied.values()) == {0}


def _function_calls(marts) -> dict[str, list]:
    """A call of each table function with every kind of filter, on values of this workspace."""
    coach = marts.execute(
        "select coach_id from coaches order by session_count desc, coach_id limit 1"
    ).fetchone()[0]
    employer = marts.execute(
        "select employer from employers order by member_count desc, employer limit 1"
    ).fetchone()[0]
    sessions = [None, date(AS_OF.year - 1, 1, 1), AS_OF, None, ["Phone", "Email"], None, [employer]]
    return {
        "caseload_for": [90, [coach], ["Phone", "Video Conference", "Chat"]],
        "sessions_window": [None, None, None],
        "sessions_for": sessions,
        "session_counts_for": sessions,
    }


def test_postgres_table_functions_equal_duckdb(postgres_built, marts):
    """The PostgreSQL functions (typed `language sql` functions) give the rows of DuckDB's table
    macros for the same call: one SQL body, two databases."""
    for function, arguments in _function_calls(marts).items():
        marks = ", ".join("?" for _ in arguments)
        cursor = marts.execute(f"select * from main.{function}({marks})", arguments)
        duck_columns, duck_rows = [d[0] for d in cursor.description], cursor.fetchall()
        marks = ", ".join("%s" for _ in arguments)
        with connect(postgres_built.settings) as pg, pg.cursor() as cur:
            cur.execute(
                f'select * from "{postgres_built.settings.schema}".{function}({marks})', arguments
            )
            pg_columns, pg_rows = [d[0] for d in cur.description], cur.fetchall()
        assert pg_columns == duck_columns, function
        assert duck_rows, f"{function} gave no row: a weak comparison"
        assert table_rows(pg_columns, pg_rows) == table_rows(duck_columns, duck_rows), function
