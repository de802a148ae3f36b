"""Session-scoped builds of the hand-written workspace: dbt starts slowly, so each build runs once
and many tests assert against it."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner, Result

from cli import main
from tests.dbt.workspace import AS_OF, land_workspace
from warehouse.config import PostgresSettings, postgres_settings
from warehouse.errors import CoachError
from warehouse.postgres import connect, drop_schemas
from warehouse.store import WarehousePaths, connect_working

# Builds run with a session time zone far from both UTC and New York, so that any conversion
# that leans on the session's zone instead of naming one shows up as a wrong date.
FOREIGN_TZ = "Pacific/Kiritimati"


@dataclass
class Built:
    paths: WarehousePaths
    result: Result

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.paths.published), read_only=True)


def coach(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def new_warehouse(directory: Path) -> WarehousePaths:
    """A warehouse whose working file holds the hand-written workspace, as ingest leaves it."""
    paths = WarehousePaths(directory / "warehouse.duckdb")
    con = connect_working(paths)
    try:
        land_workspace(con)
    finally:
        con.close()
    return paths


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    paths = new_warehouse(tmp_path_factory.mktemp("duckdb"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TZ", FOREIGN_TZ)
        result = coach("build", "--warehouse", str(paths.published), "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    return Built(paths, result)


@pytest.fixture(scope="session")
def marts(built: Built) -> Iterator[duckdb.DuckDBPyConnection]:
    con = built.connect()
    yield con
    con.close()


def _postgres_or_skip() -> PostgresSettings:
    settings = postgres_settings()
    try:
        with connect(settings):
            pass
    except CoachError as exc:
        message = (
            f"{exc} To run the PostgreSQL tests, start a server or point COACH_PG_HOST, "
            "COACH_PG_PORT, COACH_PG_USER and COACH_PG_DATABASE at one."
        )
        if os.environ.get("COACH_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"COACH_REQUIRE_POSTGRES=1 but {message}")
        pytest.skip(message)
    return settings


@dataclass
class PostgresBuilt:
    settings: PostgresSettings
    result: Result
    working: Path

    def rows(self, table: str) -> tuple[list[str], list[tuple]]:
        with connect(self.settings) as pg, pg.cursor() as cur:
            cur.execute(f'select * from "{self.settings.schema}".{table}')
            return [d[0] for d in cur.description], cur.fetchall()


@pytest.fixture(scope="session")
def postgres_built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresBuilt]:
    base = _postgres_or_skip()
    schema = f"coach_test_{uuid.uuid4().hex[:10]}"
    settings = PostgresSettings(
        host=base.host,
        port=base.port,
        user=base.user,
        database=base.database,
        schema=schema,
        password=base.password,
    )
    paths = new_warehouse(tmp_path_factory.mktemp("postgres"))
    env = {"COACH_PG_SCHEMA": schema, "PGTZ": FOREIGN_TZ}
    try:
        result = coach(
            "build",
            "--warehouse",
            str(paths.published),
            "--as-of",
            AS_OF.isoformat(),
            "--target",
            "postgres",
            env=env,
        )
        assert result.exit_code == 0, result.output
        yield PostgresBuilt(settings, result, paths.working)
    finally:
        drop_schemas(settings)


def comparable(value: object) -> object:
    """One representation per value across DuckDB and PostgreSQL drivers."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def table_rows(
    columns: list[str], rows: list[tuple], *, without: tuple[str, ...] = ()
) -> list[tuple]:
    keep = [i for i, name in enumerate(columns) if name not in without]
    return sorted(
        (tuple(comparable(row[i]) for i in keep) for row in rows),
        key=repr,
    )


def duckdb_rows(con: duckdb.DuckDBPyConnection, table: str) -> tuple[list[str], list[tuple]]:
    cursor = con.execute(f"select * from main.{table}")
    return [d[0] for d in cursor.description], cursor.fetchall()
