"""The audit log, in schema `writeback` of the warehouse.

* `writeback.runs`: one row per `coach writeback --apply`: who started it where (user@host), when,
  the plan's counts, the overrides given, the outcome and the HTTP cost.
* `writeback.writes`: one row per run, contact and attribute: old value, new value (as sent),
  outcome `pending` (intent recorded, answer not yet), `applied`, `failed` (with the error) or
  `skipped` (with the reason), and when the intent and the outcome were recorded.

An intent is committed before its PUT is sent; the outcome is committed together with the
returned contact's landing. A run killed in between leaves `pending` rows, which the next run
settles by reading the contact back (`writeback.apply.settle_in_doubt`).

Every function takes the DuckDB connection; the caller owns transactions.
"""

from __future__ import annotations

import getpass
import json
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

from warehouse.raw_tables import land_records
from writeback.plan import ContactChange

SCHEMA = "writeback"

DDL = f"""
create schema if not exists {SCHEMA};
create table if not exists {SCHEMA}.runs (
    run_id varchar primary key,
    started_by varchar not null,
    started_at timestamptz not null,
    ended_at timestamptz,
    warehouse varchar not null,
    as_of_date date,
    members bigint,
    planned_contacts bigint,
    planned_changes bigint,
    plan_counts json,
    overrides varchar,
    status varchar not null,
    applied bigint not null default 0,
    failed bigint not null default 0,
    skipped bigint not null default 0,
    http_calls bigint not null default 0,
    retries bigint not null default 0,
    rate_limited bigint not null default 0,
    error varchar,
    refreshed boolean not null default false
);
create table if not exists {SCHEMA}.writes (
    run_id varchar not null,
    contact_id varchar not null,
    external_id varchar,
    attribute varchar not null,
    data_type varchar not null,
    old_value varchar,
    new_value varchar not null,
    outcome varchar not null,
    error varchar,
    intent_at timestamptz not null,
    outcome_at timestamptz,
    primary key (run_id, contact_id, attribute)
);
"""


def create_audit_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(DDL)


def who() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no login name (e.g. a container without a passwd entry)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def mark_interrupted(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Runs still 'running' were killed: the caller holds the writer lock, so none is alive.
    Their counts are taken from their rows, which are all that a killed run left."""
    rows = con.execute(
        f"""update {SCHEMA}.runs set status = 'interrupted', ended_at = coalesce(ended_at, now())
        where status = 'running' returning run_id"""
    ).fetchall()
    interrupted = [row[0] for row in rows]
    recount(con, interrupted)
    return interrupted


def recount(con: duckdb.DuckDBPyConnection, run_ids: Sequence[str]) -> None:
    """Set each run's applied, failed and skipped to what its rows say (contacts per outcome),
    so that a run's summary always equals its rows: when it ends, when it was killed, and again
    when a later run settles the writes it left pending."""
    if not run_ids:
        return
    con.execute(
        f"""update {SCHEMA}.runs as r
        set applied = c.applied, failed = c.failed, skipped = c.skipped
        from (
            select run_id,
                count(distinct contact_id) filter (where outcome = 'applied') as applied,
                count(distinct contact_id) filter (where outcome = 'failed') as failed,
                count(distinct contact_id) filter (where outcome = 'skipped') as skipped
            from {SCHEMA}.writes
            where run_id in (select unnest($runs))
            group by run_id
        ) as c
        where r.run_id = c.run_id""",
        {"runs": list(run_ids)},
    )


@dataclass
class RunRecord:
    run_id: str
    warehouse: str
    as_of_date: Any = None
    counts: Mapping[str, Any] = field(default_factory=dict)
    overrides: Sequence[str] = ()
    status: str = "running"
    applied: int = 0
    failed: int = 0
    skipped: int = 0
    http_calls: int = 0
    retries: int = 0
    rate_limited: int = 0
    error: str | None = None


def open_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    con.execute(
        f"""insert into {SCHEMA}.runs (run_id, started_by, started_at, warehouse, as_of_date,
        members, planned_contacts, planned_changes, plan_counts, overrides, status, error,
        ended_at)
        values (?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?,
                case when ? = 'running' then null else now() end)""",
        [
            run.run_id,
            who(),
            run.warehouse,
            run.as_of_date,
            run.counts.get("members"),
            run.counts.get("contacts"),
            run.counts.get("changes"),
            json.dumps(run.counts),
            " ".join(run.overrides) or None,
            run.status,
            run.error,
            run.status,
        ],
    )


def close_run(con: duckdb.DuckDBPyConnection, run: RunRecord) -> None:
    """End a run; its counts are then taken from its rows (`recount`)."""
    con.execute(
        f"""update {SCHEMA}.runs set ended_at = now(), status = ?, applied = ?, failed = ?,
        skipped = ?, http_calls = ?, retries = ?, rate_limited = ?, error = ?
        where run_id = ?""",
        [
            run.status,
            run.applied,
            run.failed,
            run.skipped,
            run.http_calls,
            run.retries,
            run.rate_limited,
            run.error,
            run.run_id,
        ],
    )
    recount(con, [run.run_id])


def record_intents(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    changes: Iterable[ContactChange],
    outcome: str = "pending",
    reason: str | None = None,
) -> None:
    """One row per attribute of each change; `pending` before its PUT, or `skipped`."""
    rows = [row for change in changes for row in change.rows]
    if not rows:
        return
    con.execute(
        f"""insert into {SCHEMA}.writes
        select $run_id, unnest($contact), unnest($external), unnest($attribute), unnest($type),
               unnest($old), unnest($new), $outcome, $reason, now(),
               case when $outcome = 'pending' then null else now() end""",
        {
            "run_id": run_id,
            "contact": [r.contact_id for r in rows],
            "external": [r.external_id for r in rows],
            "attribute": [r.attribute for r in rows],
            "type": [r.data_type for r in rows],
            "old": [r.current_value for r in rows],
            "new": [r.desired_value for r in rows],
            "outcome": outcome,
            "reason": reason,
        },
    )


@dataclass(frozen=True)
class Outcome:
    """What became of one contact's PUT (or of an interrupted one, read back)."""

    run_id: str
    contact_id: str
    outcome: str  # applied | failed
    error: str | None = None
    record: Mapping[str, Any] | None = None  # the contact as Intercom returned it


def record_outcomes(
    con: duckdb.DuckDBPyConnection, outcomes: Sequence[Outcome], landing_run_id: str
) -> None:
    """Land the returned contacts and settle their audit rows (call inside one transaction)."""
    records = [o.record for o in outcomes if o.record is not None]
    if records:
        land_records(con, "contacts", records, landing_run_id)
    con.execute(
        f"""update {SCHEMA}.writes as w
        set outcome = u.outcome, error = u.error, outcome_at = now()
        from (
            select unnest($run) as run_id, unnest($contact) as contact_id,
                   unnest($outcome) as outcome, unnest($error) as error
        ) as u
        where w.run_id = u.run_id and w.contact_id = u.contact_id and w.outcome = 'pending'""",
        {
            "run": [o.run_id for o in outcomes],
            "contact": [o.contact_id for o in outcomes],
            "outcome": [o.outcome for o in outcomes],
            "error": [o.error for o in outcomes],
        },
    )


@dataclass(frozen=True)
class PendingWrite:
    run_id: str
    contact_id: str
    attribute: str
    data_type: str
    new_value: str


def pending_writes(con: duckdb.DuckDBPyConnection) -> list[PendingWrite]:
    """Intents whose PUT may or may not have reached Intercom (their run was killed)."""
    rows = con.execute(
        f"""select run_id, contact_id, attribute, data_type, new_value from {SCHEMA}.writes
        where outcome = 'pending' order by run_id, contact_id, attribute"""
    ).fetchall()
    return [PendingWrite(*row) for row in rows]


def needs_refresh(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether contacts landed by write-back are not yet reflected in the marts."""
    return bool(
        con.execute(
            f"""select count(*) from {SCHEMA}.runs r
            where not r.refreshed and exists (
                select 1 from {SCHEMA}.writes w
                where w.run_id = r.run_id and w.outcome = 'applied')"""
        ).fetchone()[0]
    )


def applied_not_refreshed(
    con: duckdb.DuckDBPyConnection, built_at: Any
) -> set[tuple[str, str, str]]:
    """(contact, attribute, new value) applied by runs whose landed contacts the marts do not
    reflect yet: killed before their refresh, and no full build since."""
    rows = con.execute(
        f"""select w.contact_id, w.attribute, w.new_value
        from {SCHEMA}.writes w join {SCHEMA}.runs r using (run_id)
        where not r.refreshed and w.outcome = 'applied' and w.outcome_at > ?""",
        [built_at],
    ).fetchall()
    return {(c, a, v) for c, a, v in rows}


def mark_refreshed(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"update {SCHEMA}.runs set refreshed = true where not refreshed")


# -- export ----------------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "run_id",
    "started_by",
    "run_started_at",
    "run_status",
    "contact_id",
    "external_id",
    "attribute",
    "data_type",
    "old_value",
    "new_value",
    "outcome",
    "error",
    "intent_at",
    "outcome_at",
)


def has_audit(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether this warehouse has had a write-back (the audit tables exist)."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name in ('runs', 'writes')",
        [SCHEMA],
    ).fetchone()[0]
    return found == 2


def last_run_id(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        f"select run_id from {SCHEMA}.runs order by started_at desc, run_id desc limit 1"
    ).fetchone()
    return None if row is None else row[0]


def export_rows(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[dict[str, Any]]:
    """Audit rows (one per run, contact and attribute), of one run or of all when None."""
    where, params = ("where r.run_id = ?", [run_id]) if run_id else ("", [])
    cursor = con.execute(
        f"""select r.run_id, r.started_by, r.started_at as run_started_at, r.status as run_status,
               w.contact_id, w.external_id, w.attribute, w.data_type, w.old_value, w.new_value,
               w.outcome, w.error, w.intent_at, w.outcome_at
        from {SCHEMA}.runs r join {SCHEMA}.writes w using (run_id)
        {where}
        order by r.started_at, w.contact_id, w.attribute""",
        params,
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run_summaries(con: duckdb.DuckDBPyConnection, run_id: str | None) -> list[dict[str, Any]]:
    where, params = ("where run_id = ?", [run_id]) if run_id else ("", [])
    cursor = con.execute(
        f"""select run_id, started_by, started_at, ended_at, warehouse, as_of_date, members,
               planned_contacts, planned_changes, plan_counts, overrides, status, applied,
               failed, skipped, http_calls, retries, rate_limited, error
        from {SCHEMA}.runs {where} order by started_at""",
        params,
    )
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
