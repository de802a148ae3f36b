"""The raw landing tables: their DDL and the one function that lands records into them.

Ingest and write-back both land through `land_records`, so a record is stored the same way
whichever path brought it. See docs/architecture.md for the columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import duckdb

from warehouse.records import STREAMS, PreparedRecords, record_id

RAW_SCHEMA = "raw"
__all__ = ["STREAMS", "PreparedRecords", "land_prepared", "land_records", "record_id"]


def table_name(stream: str) -> str:
    if stream not in STREAMS:
        raise ValueError(f"unknown stream {stream!r}")
    return f"{RAW_SCHEMA}.intercom_{stream}"


DELETIONS_TABLE = f"{RAW_SCHEMA}.intercom_deletions"


_RECORD_COLUMNS = """
    id varchar not null,
    updated_at bigint,
    record json not null,
    record_hash varchar not null,
    run_id varchar not null,
    loaded_at timestamptz not null
"""


def create_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, or bring older ones up to date (see `_drop_primary_key`)."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    for stream in STREAMS:
        con.execute(f"create table if not exists {table_name(stream)} ({_RECORD_COLUMNS})")
        _drop_primary_key(con, stream)
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


def _drop_primary_key(con: duckdb.DuckDBPyConnection, stream: str) -> None:
    """Rebuild a raw table made with the old `primary key (id, record_hash)` without it.

    DuckDB keeps a key's index (an ART) in memory that it cannot spill while rows go in: a
    landing into a table of 2M conversations needed the whole 264 MB index and failed under
    ingest's 256 MB limit (issue 16; bench/landing_memory.py). `land_prepared` keeps the same
    guarantee by looking the keys up first. DuckDB cannot drop a key, so the table is copied, in
    one transaction: a run killed meanwhile leaves the old table as it was.
    """
    bare = table_name(stream).split(".", 1)[1]
    keyed = con.execute(
        "select count(*) from duckdb_constraints() where schema_name = ? and table_name = ?"
        " and constraint_type = 'PRIMARY KEY'",
        [RAW_SCHEMA, bare],
    ).fetchone()[0]
    if not keyed:
        return
    table, copy = table_name(stream), f"{RAW_SCHEMA}.{bare}__unkeyed"
    con.execute("begin transaction")
    try:
        con.execute(f"create table {copy} ({_RECORD_COLUMNS})")
        con.execute(f"insert into {copy} select * from {table}")
        con.execute(f"drop table {table}")
        con.execute(f"alter table {copy} rename to {bare}")
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


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
    statement per batch, which is orders of magnitude faster than a row at a time.
    """
    batch = PreparedRecords(stream)
    batch.add(records)
    return land_prepared(con, batch, run_id)


def land_prepared(
    con: duckdb.DuckDBPyConnection, batch: PreparedRecords, run_id: str
) -> LandResult:
    """Land a prepared batch: only the (id, record_hash) pairs not already in the table go in,
    so re-landing an identical record adds nothing.

    The pairs present are looked up first, a scan of the `id` column joined to the batch's ids:
    its memory depends on the batch, not on the table (a key index, whose memory grows with
    the table, is what this replaced; see `_drop_primary_key`). Lookup and insert run back to
    back on the one writing connection (ingest's warehouse thread, or write-back, under the
    pipeline lock), so nothing lands in between.
    """
    if not batch.ids:
        return LandResult(received=batch.received, new=0)
    table = table_name(batch.stream)
    columns = (batch.ids, batch.updated, batch.bodies, batch.hashes)
    landed = set(
        con.execute(
            f"select id, record_hash from {table} where id in (select unnest($ids))",
            {"ids": batch.ids},
        ).fetchall()
    )
    if landed:
        fresh = [
            i
            for i, key in enumerate(zip(batch.ids, batch.hashes, strict=True))
            if key not in landed
        ]
        columns = tuple([column[i] for i in fresh] for column in columns)
    ids, updated, bodies, hashes = columns
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
            {"ids": ids, "updated": updated, "bodies": bodies, "hashes": hashes, "run_id": run_id},
        )
    return LandResult(received=batch.received, new=len(ids))


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


def has_records(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether anything at all has been landed (a cheap look, whatever the size)."""
    return any(
        con.execute(f"select exists (select 1 from {table_name(stream)})").fetchone()[0]
        for stream in STREAMS
    )
