"""Noticing records that vanished from Intercom (deleted, or contacts merged away).

Search and incremental reads cannot see a record that is gone, so `coach ingest --full` lists
contacts and conversations to the end through the list endpoints (current data, deleted and
merged-away records excluded), landing every record as it goes (so anything missing from the
warehouse is fetched) and noting each id seen. A warehouse record whose id was not listed and
whose newest version predates the listing is then asked for by id: only a 404/410 makes it a
soft delete, a row in `raw.intercom_deletions`. Records never vanish from the raw tables.

The small whole streams (admins, teams, data attributes) are complete on every run, so their
missing ids are recorded directly.
"""

from __future__ import annotations

import asyncio
from urllib.parse import quote

import duckdb

from ingest.sink import StreamSink
from ingest.state import StreamLog
from ingest.streams import SearchStream
from intercom.client import IntercomClient
from intercom.errors import IntercomNotFound
from intercom.pagination import Decoder, list_pages
from warehouse.raw_tables import DELETIONS_TABLE, current_records_sql
from warehouse.writer import Database


def create_seen_table(con: duckdb.DuckDBPyConnection, stream: str) -> str:
    name = f"seen_{stream}"
    con.execute(f"create or replace temp table {name} (id varchar)")
    return name


def missing_ids(
    con: duckdb.DuckDBPyConnection, stream: str, seen: str, until: int | None = None
) -> list[str]:
    """Current (not deleted) warehouse ids absent from `seen`, last updated no later than the
    second `until` (the listing's start). A record updated in that very second is a candidate
    too: `updated_at` has whole seconds, and each candidate is asked for by id before it counts
    as deleted, so including it costs one call, while leaving it out missed a deletion that
    followed an update in the same second until the next `--full`."""
    rows = con.execute(
        f"""select id from ({current_records_sql(stream)}) current_records
        where id not in (select id from {seen})
          and ($until is null or updated_at is null or updated_at <= $until)
        order by id""",
        {"until": until},
    ).fetchall()
    return [row[0] for row in rows]


def record_deletions(
    con: duckdb.DuckDBPyConnection, stream: str, ids: list[str], run_id: str
) -> None:
    if ids:
        con.execute(
            f"insert into {DELETIONS_TABLE} select $stream, unnest($ids), now(), $run_id",
            {"stream": stream, "ids": ids, "run_id": run_id},
        )


def delete_unseen(con: duckdb.DuckDBPyConnection, stream: str, seen: str, run_id: str) -> None:
    record_deletions(con, stream, missing_ids(con, stream, seen), run_id)


def count_deletions(con: duckdb.DuckDBPyConnection, stream: str, run_id: str) -> int:
    return con.execute(
        f"select count(*) from {DELETIONS_TABLE} where stream = ? and run_id = ?",
        [stream, run_id],
    ).fetchone()[0]


async def read_list(
    client: IntercomClient,
    stream: SearchStream,
    log: StreamLog,
    sink: StreamSink,
    decode: Decoder,
    per_page: int,
) -> None:
    """Every record the list endpoint has, landed, and its id noted in the sink's seen table."""
    async for page in list_pages(
        client, stream.list_path, decode, per_page=per_page, stats=log.calls
    ):
        log.pages += 1
        await sink.add(page)
    await sink.drain()


async def reconcile(
    client: IntercomClient,
    db: Database,
    stream: SearchStream,
    log: StreamLog,
    seen: str,
    listed_from: int,
) -> int:
    """Soft-delete what Intercom no longer has; returns how many deletions were noticed."""
    candidates = await db.run(missing_ids, stream.name, seen, listed_from)
    gone: list[str] = []

    async def check(record_id: str) -> None:
        try:
            await client.get(stream.item_path(quote(record_id, safe="")), stats=log.calls)
        except IntercomNotFound:
            gone.append(record_id)

    await asyncio.gather(*(check(record_id) for record_id in candidates))
    await db.run(record_deletions, stream.name, sorted(gone), log.run_id)
    return len(gone)
