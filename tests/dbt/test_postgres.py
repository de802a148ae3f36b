"""The same models on PostgreSQL: every public mart equals the DuckDB build of the same workspace.

Skipped with a message when no server answers at COACH_PG_HOST:COACH_PG_PORT; a failure instead
when COACH_REQUIRE_POSTGRES=1 (as in .ci/run). Each run builds in a schema of its own and drops it.
"""

from __future__ import annotations

import pytest

from tests.dbt.conftest import duckdb_rows, table_rows
from warehouse.postgres import copy_raw_to_postgres

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
