"""The raw landing tables: their DDL and the one function that lands records into them.

Ingest and write-back both land through `land_records`, so a record is stored the same way
whichever path brought it. See docs/architecture.md for the columns.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb
import orjson

RAW_SCHEMA = "raw"
STREAMS = ("contacts", "conversations", "admins", "teams", "data_attributes")


def table_name(stream: str) -> str:
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}")
    return f"{RAW_SCHEMA}.intercom_{stream}"


DELETIONS_TABLE = f"{RAW_SCHEMA}.intercom_deletions"


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for stream in STREAMS:
        con.execute(
            f"""
            create table if not exists {table_name(stream)} (
                id varchar not null,
                updated_at bigint,
                record json not null,
                record_hash varchar not null,
                run_id varchar not null,
                loaded_at timestamptz not null,
                primary key (id, record_hash)
            )
            """
        )
    con.execute(
        f"""
        create table if not exists {DELETIONS_TABLE} (
            stream varchar not null,
            id varchar not null,
            noticed_at timestamptz not null,
            run_id varchar not null
        )
        """
    )


def record_id(stream: str, record: Mapping[str, Any]) -> str:
    if stream == "data_attributes":
        return f"{record['model']}.{record['name']}"
    return str(record["id"])


def _updated_at(record: Mapping[str, Any]) -> int | None:
    value = record.get("updated_at")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class LandResult:
    received: int
    new: int


def land_records(
    con: duckdb.DuckDBPyConnection,
    stream: str,
    records: Iterable[Mapping[str, Any]],
    run_id: str,
) -> LandResult:
    """Insert records as received; an identical (id, content) already landed adds nothing.

    Call with batches of a few hundred to a few thousand records: DuckDB inserts through one
    statement per batch, which is orders of magnitude faster than a row at a time. The keys
    already present are looked up first (a scan of the `id` column) and only new rows are
    inserted: `insert or ignore` would do the same but its conflict path is about twice as slow.
    """
    ids: list[str] = []
    updated: list[int | None] = []
    bodies: list[str] = []
    hashes: list[str] = []
    seen: set[tuple[str, str]] = set()
    received = 0
    for record in records:
        received += 1
        body = orjson.dumps(record).decode()
        digest = hashlib.sha256(orjson.dumps(record, option=orjson.OPT_SORT_KEYS)).hexdigest()
        key = (record_id(stream, record), digest)
        if key in seen:
            continue
        seen.add(key)
        ids.append(key[0])
        updated.append(_updated_at(record))
        bodies.append(body)
        hashes.append(digest)
    if not ids:
        return LandResult(received=received, new=0)
    table = table_name(stream)
    landed = set(
        con.execute(
            f"select id, record_hash from {table} where id in (select unnest($ids))",
            {"ids": ids},
        ).fetchall()
    )
    if landed:
        fresh = [i for i, key in enumerate(zip(ids, hashes, strict=True)) if key not in landed]
        ids, updated, bodies, hashes = (
            [column[i] for i in fresh] for column in (ids, updated, bodies, hashes)
        )
    if ids:
        con.execute(
            f"""
            insert into {table}
            select id, updated_at, record::json, record_hash, $run_id, now()
            from (
                select unnest($ids) as id, unnest($updated) as updated_at,
                       unnest($bodies) as record, unnest($hashes) as record_hash
            )
            """,
            {"ids": ids, "updated": updated, "bodies": bodies, "hashes": hashes,
             "run_id": run_id},
        )  # fmt: skip
    return LandResult(received=received, new=len(ids))


def current_records_sql(stream: str) -> str:
    """The newest landed version of every record of `stream` that has not since been noticed
    deleted: per id the greatest `updated_at`, then the latest `loaded_at` (as staging picks);
    deleted when a deletion row is newer than the id's newest landed row."""
    table = table_name(stream)
    return f"""
        select id, updated_at, record, record_hash, run_id, loaded_at
        from (
            select *,
                row_number() over (
                    partition by id order by updated_at desc nulls last, loaded_at desc
                ) as version_rank,
                max(loaded_at) over (partition by id) as last_loaded_at
            from {table}
        ) versions
        where version_rank = 1
          and not exists (
            select 1 from {DELETIONS_TABLE} d
            where d.stream = '{stream}' and d.id = versions.id
              and d.noticed_at > versions.last_loaded_at
          )
    """


def current_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """How many current (latest, not deleted) records each stream holds."""
    return {
        stream: con.execute(f"select count(*) from ({current_records_sql(stream)})").fetchone()[0]
        for stream in STREAMS
    }
