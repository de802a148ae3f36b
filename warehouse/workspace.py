"""Which Intercom workspace a warehouse holds: claimed by the first ingest, checked by every
later ingest and by write-back, so that one app's token never fills or writes from another's
warehouse. The table keeps its historical place, `ingest.workspace`."""

from __future__ import annotations

import duckdb

from warehouse.errors import ConfigError

SCHEMA = "ingest"
TABLE = f"{SCHEMA}.workspace"


def create_workspace_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(
        f"""create table if not exists {TABLE} (
            app_id varchar not null,
            name varchar,
            timezone varchar,
            api_base varchar not null,
            first_seen_at timestamptz not null
        )"""
    )


def claim_workspace(
    con: duckdb.DuckDBPyConnection,
    app_id: str,
    name: str | None,
    timezone: str | None,
    api_base: str,
    warehouse: str,
) -> None:
    row = con.execute(f"select app_id, name from {TABLE}").fetchone()
    if row is None:
        con.execute(
            f"insert into {TABLE} values (?, ?, ?, ?, now())",
            [app_id, name, timezone, api_base],
        )
    elif row[0] != app_id:
        raise ConfigError(
            f"The warehouse {warehouse} holds Intercom workspace {_label(row[1], row[0])} but "
            f"the token opens {_label(name, app_id)}; use another --warehouse."
        )


def stored_workspace(con: duckdb.DuckDBPyConnection) -> str | None:
    """The app id the warehouse was filled from, or None for a new warehouse."""
    exists = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = ? and table_name = 'workspace'",
        [SCHEMA],
    ).fetchone()[0]
    if not exists:
        return None
    row = con.execute(f"select app_id from {TABLE}").fetchone()
    return None if row is None else row[0]


def _label(name: str | None, app_id: str) -> str:
    """A workspace as people know it, with the id that tells two of the same name apart."""
    return f"{name!r} (app id {app_id})" if name else f"app id {app_id}"
