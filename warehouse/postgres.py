"""Moving the raw landing tables from the DuckDB working file to PostgreSQL.

When one DuckDB file is no longer enough (several analysts writing, a BI server, more data than
one machine should hold), the same dbt models build on PostgreSQL: ingest keeps landing into
DuckDB, `copy_raw_to_postgres` appends every raw row landed since the last copy to the
PostgreSQL schema `raw` (or `<schema>_raw`, see `PostgresSettings.raw_schema`), and
`coach build --target postgres` runs dbt there. Rows keep their `loaded_at`, so the incremental
models behave exactly as on DuckDB.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb

from warehouse.config import DEFAULT_PG_SCHEMA, PostgresSettings
from warehouse.errors import CoachError, ConfigError
from warehouse.files import PRIVATE_FILE
from warehouse.raw_tables import DELETIONS_TABLE, STREAMS, table_name

_RECORD_TABLE_DDL = """
    id text not null,
    updated_at bigint,
    record jsonb not null,
    record_hash text not null,
    run_id text not null,
    loaded_at timestamptz not null,
    primary key (id, record_hash)
"""
_DELETIONS_DDL = """
    stream text not null,
    id text not null,
    noticed_at timestamptz not null,
    run_id text not null
"""


@dataclass(frozen=True)
class _RawTable:
    duckdb_name: str
    ddl: str
    watermark_column: str

    @property
    def bare_name(self) -> str:
        return self.duckdb_name.split(".", 1)[1]


_RAW_TABLES = (
    *(_RawTable(table_name(stream), _RECORD_TABLE_DDL, "loaded_at") for stream in STREAMS),
    _RawTable(DELETIONS_TABLE, _DELETIONS_DDL, "noticed_at"),
)


@contextlib.contextmanager
def connect(settings: PostgresSettings) -> Iterator[object]:
    """A psycopg2 connection (psycopg2 comes with dbt-postgres), committed on success."""
    try:
        import psycopg2
    except ImportError:
        raise ConfigError(
            "PostgreSQL support is not installed: pip install 'coach-warehouse[postgres]'."
        ) from None

    try:
        con = psycopg2.connect(
            host=settings.host,
            port=settings.port,
            user=settings.user,
            dbname=settings.database,
            password=settings.password.reveal() if settings.password else None,
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else "no answer"
        raise CoachError(
            f"Cannot connect to PostgreSQL at {settings.host}:{settings.port} "
            f"(database {settings.database}): {first_line}"
        ) from None
    try:
        with con:
            yield con
    finally:
        con.close()


def copy_raw_to_postgres(working: Path, settings: PostgresSettings) -> dict[str, int]:
    """Append the raw rows landed since the last copy; returns rows copied per table."""
    copied: dict[str, int] = {}
    source = duckdb.connect(str(working), read_only=True)
    try:
        with connect(settings) as pg, pg.cursor() as cur:
            cur.execute(f'create schema if not exists "{settings.raw_schema}"')
            for table in _RAW_TABLES:
                target = f'"{settings.raw_schema}"."{table.bare_name}"'
                cur.execute(f"create table if not exists {target} ({table.ddl})")
                cur.execute(f"select max({table.watermark_column}) from {target}")
                watermark = cur.fetchone()[0]
                copied[table.bare_name] = _copy_rows(source, cur, table, target, watermark)
    finally:
        source.close()
    return copied


def _copy_rows(source, cur, table: _RawTable, target: str, watermark: datetime | None) -> int:
    where = (
        f"where {table.watermark_column} > cast('{watermark.isoformat()}' as timestamptz)"
        if watermark is not None
        else ""
    )
    count = source.execute(f"select count(*) from {table.duckdb_name} {where}").fetchone()[0]
    if count == 0:
        return 0
    # DuckDB writes the CSV (nulls unquoted and empty, JSON quoted), PostgreSQL's COPY reads it.
    # The file holds health data: owner-only, beside nothing else, removed at once.
    fd, name = tempfile.mkstemp(prefix="coach-raw-", suffix=".csv")
    os.close(fd)
    os.chmod(name, PRIVATE_FILE)
    try:
        source.execute(
            f"copy (select * from {table.duckdb_name} {where}) to '{name}' "
            "(format csv, header false)"
        )
        with open(name, encoding="utf-8") as handle:
            cur.copy_expert(f"copy {target} from stdin with (format csv)", handle)
    finally:
        Path(name).unlink(missing_ok=True)
    return count


def drop_schemas(settings: PostgresSettings) -> None:
    """Drop the warehouse's schemas (marts, raw, staging, intermediate): for tests and clean-ups."""
    if settings.schema == DEFAULT_PG_SCHEMA:
        raise CoachError(f"Refusing to drop the default schema {DEFAULT_PG_SCHEMA!r}.")
    names = [settings.schema] + [
        f"{settings.schema_prefix}{suffix}" for suffix in ("raw", "staging", "intermediate")
    ]
    with connect(settings) as pg, pg.cursor() as cur:
        for name in names:
            cur.execute(f'drop schema if exists "{name}" cascade')
