"""Ingest's own tables in schema `ingest`: cursors, resumable backfills, the run log, and which
workspace the warehouse holds.

* `cursors`: per stream, the `updated_at` the next incremental run reads from (minus the
  overlap). It is a run's start time, saved in the transaction that lands the run's last batch.
* `backfills` / `backfill_slices`: a sliced read in progress. Each slice is recorded when it is
  planned and marked done in the transaction that lands its last records, so a killed run
  resumes with the slices (and unplanned gaps) that are left. When every slice is done the
  cursor becomes the backfill's start time and the plan is deleted, in one transaction.
* `run_log`: one row per run and stream.

Every function takes the DuckDB connection; the caller owns transactions.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from ingest.slicing import Bound, Slice
from intercom.client import CallStats
from warehouse.workspace import create_workspace_table

SCHEMA = "ingest"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.cursors (
    stream varchar primary key,
    cursor_at bigint not null,
    run_id varchar not null,
    saved_at timestamptz not null
);
create table if not exists {SCHEMA}.backfills (
    stream varchar primary key,
    run_id varchar not null,
    started_at bigint not null,
    lower_bound bigint,
    created_at timestamptz not null
);
create table if not exists {SCHEMA}.backfill_slices (
    stream varchar not null,
    lo bigint,
    hi bigint,
    expected bigint not null,
    done_at timestamptz,
    run_id varchar
);
create table if not exists {SCHEMA}.run_log (
    run_id varchar not null,
    stream varchar not null,
    mode varchar not null,
    started_at timestamptz not null,
    ended_at timestamptz,
    records_received bigint not null default 0,
    records_new bigint not null default 0,
    pages bigint not null default 0,
    api_calls bigint not null default 0,
    retries bigint not null default 0,
    rate_limited bigint not null default 0,
    deletions_noticed bigint not null default 0,
    final_cursor bigint,
    outcome varchar not null,
    error varchar,
    primary key (run_id, stream)
);
-- added since: warehouses made before have them added here
alter table {SCHEMA}.backfill_slices add column if not exists created_lo bigint;
alter table {SCHEMA}.backfill_slices add column if not exists created_hi bigint;
alter table {SCHEMA}.run_log add column if not exists duckdb_peak_mb double;
"""


def create_state_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)
    create_workspace_table(con)


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> int:
    """Runs still 'running' were killed: we hold the writer lock, so none is alive."""
    rows = con.execute(
        f"""update {SCHEMA}.run_log set outcome = 'interrupted', ended_at = now()
        where outcome = 'running' returning run_id"""
    ).fetchall()
    return len(rows)


def fail_running(con: duckdb.DuckDBPyConnection, error: str) -> int:
    """After a run failed without closing its rows (its connection was lost): mark them failed
    with the run's error. We hold the writer lock, so no other run is alive."""
    rows = con.execute(
        f"""update {SCHEMA}.run_log set outcome = 'failed', ended_at = now(),
        error = coalesce(error, ?) where outcome = 'running' returning run_id""",
        [error],
    ).fetchall()
    return len(rows)


def load_cursor(con: duckdb.DuckDBPyConnection, stream: str) -> int | None:
    row = con.execute(
        f"select cursor_at from {SCHEMA}.cursors where stream = ?", [stream]
    ).fetchone()
    return None if row is None else int(row[0])


def save_cursor(con: duckdb.DuckDBPyConnection, stream: str, at: int, run_id: str) -> None:
    con.execute(
        f"""insert or replace into {SCHEMA}.cursors (stream, cursor_at, run_id, saved_at)
        values (?, ?, ?, now())""",
        [stream, at, run_id],
    )


@dataclass
class Backfill:
    stream: str
    run_id: str
    started_at: int
    lower: Bound
    slices: list[Slice] = field(default_factory=list)  # planned, not done
    done: list[Slice] = field(default_factory=list)


def load_backfill(con: duckdb.DuckDBPyConnection, stream: str) -> Backfill | None:
    row = con.execute(
        f"select run_id, started_at, lower_bound from {SCHEMA}.backfills where stream = ?",
        [stream],
    ).fetchone()
    if row is None:
        return None
    backfill = Backfill(stream, row[0], int(row[1]), row[2])
    for lo, hi, expected, done_at, created_lo, created_hi in con.execute(
        f"""select lo, hi, expected, done_at, created_lo, created_hi
        from {SCHEMA}.backfill_slices where stream = ?
        order by lo nulls first, created_lo nulls first""",
        [stream],
    ).fetchall():
        (backfill.done if done_at is not None else backfill.slices).append(
            Slice(lo, hi, int(expected), created_lo, created_hi)
        )
    return backfill


def start_backfill(
    con: duckdb.DuckDBPyConnection, stream: str, run_id: str, started_at: int, lower: Bound
) -> Backfill:
    discard_backfill(con, stream)
    con.execute(
        f"insert into {SCHEMA}.backfills values (?, ?, ?, ?, now())",
        [stream, run_id, started_at, lower],
    )
    return Backfill(stream, run_id, started_at, lower)


def discard_backfill(con: duckdb.DuckDBPyConnection, stream: str) -> None:
    con.execute(f"delete from {SCHEMA}.backfill_slices where stream = ?", [stream])
    con.execute(f"delete from {SCHEMA}.backfills where stream = ?", [stream])


def add_slices(con: duckdb.DuckDBPyConnection, stream: str, pieces: list[Slice]) -> None:
    """Record planned slices in one statement: the parts of a day cut by `created_at` are
    recorded all or none, so a resumed run never takes a part for the whole day."""
    con.execute(
        f"""insert into {SCHEMA}.backfill_slices
            (stream, lo, hi, expected, done_at, run_id, created_lo, created_hi)
        select ?, unnest(?::bigint[]), unnest(?::bigint[]), unnest(?::bigint[]), null, null,
               unnest(?::bigint[]), unnest(?::bigint[])""",
        [
            stream,
            [p.lo for p in pieces],
            [p.hi for p in pieces],
            [p.expected for p in pieces],
            [p.created_lo for p in pieces],
            [p.created_hi for p in pieces],
        ],
    )


def finish_slice(con: duckdb.DuckDBPyConnection, stream: str, piece: Slice, run_id: str) -> None:
    con.execute(
        f"""update {SCHEMA}.backfill_slices set done_at = now(), run_id = ?
        where stream = ? and lo is not distinct from ? and hi is not distinct from ?
          and created_lo is not distinct from ? and created_hi is not distinct from ?""",
        [run_id, stream, piece.lo, piece.hi, piece.created_lo, piece.created_hi],
    )


def finish_backfill(con: duckdb.DuckDBPyConnection, backfill: Backfill, run_id: str) -> None:
    """Every slice is landed: the cursor becomes the backfill's start and the plan goes."""
    save_cursor(con, backfill.stream, backfill.started_at, run_id)
    discard_backfill(con, backfill.stream)


@dataclass
class StreamLog:
    """A run-log row as the run fills it in."""

    run_id: str
    stream: str
    mode: str
    records_received: int = 0
    records_new: int = 0
    pages: int = 0
    calls: CallStats = field(default_factory=CallStats)
    deletions_noticed: int = 0
    final_cursor: int | None = None
    outcome: str = "running"
    error: str | None = None
    duckdb_peak_mb: float | None = None  # the most DuckDB held during the run, up to the end


def open_log(con: duckdb.DuckDBPyConnection, log: StreamLog) -> None:
    con.execute(
        f"""insert into {SCHEMA}.run_log (run_id, stream, mode, started_at, outcome)
        values (?, ?, ?, now(), 'running')""",
        [log.run_id, log.stream, log.mode],
    )


def close_log(con: duckdb.DuckDBPyConnection, log: StreamLog) -> None:
    con.execute(
        f"""update {SCHEMA}.run_log set mode = ?, ended_at = now(), records_received = ?,
        records_new = ?, pages = ?, api_calls = ?, retries = ?, rate_limited = ?,
        deletions_noticed = ?, final_cursor = ?, outcome = ?, error = ?, duckdb_peak_mb = ?
        where run_id = ? and stream = ?""",
        [
            log.mode,
            log.records_received,
            log.records_new,
            log.pages,
            log.calls.calls,
            log.calls.retries,
            log.calls.rate_limited,
            log.deletions_noticed,
            log.final_cursor,
            log.outcome,
            log.error,
            log.duckdb_peak_mb,
            log.run_id,
            log.stream,
        ],
    )
