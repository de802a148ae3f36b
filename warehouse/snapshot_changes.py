"""Publishing an incremental build by its changes (issue 15).

After an incremental dbt build, most rows of the published snapshot are those of the previous one.
So the new snapshot starts as a byte copy of the previous published file (no decompression, no
compression) and takes from the working file only:

* for every incremental model that follows changed keys, the rows of the keys this build changed
  (its dbt config `meta.changed_keys`, {key column: kind}, the declaration its pre-hook deletes
  by; the keys of each kind are in the working file's `stg_intercom__changed_keys`): those rows
  are deleted from the copy and the working file's rows of the same keys inserted;
* every other table whole (the models rebuilt in full, seeds, the small raw tables, the logs).

It applies only when the copy is exactly the snapshot of the build the changes were counted from
(`applies`); otherwise, and after the as-of date moved (the dated models replaced every row, and a
whole snapshot once a day keeps the file compact), the publish writes a whole snapshot.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

# The kind of key whose rows are this build's as-of date (engagement_status_history).
AS_OF_KIND = "as_of_date"
CHANGES_MODEL = "stg_intercom__changed_keys"


class NotApplicable(Exception):
    """The previous snapshot cannot be brought up to date by the changes: write a whole one."""


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def changed_rows(manifest: Path) -> dict[tuple[str, str], str]:
    """Per (schema, table) of an incremental model that follows changed keys, an SQL predicate
    over its columns selecting the rows of the keys this build changed (read against the working
    file, attached as `working`). Only for a build with the as-of date of the one before: when
    the date moved, the dated models replaced every row."""
    nodes = json.loads(manifest.read_text())["nodes"]
    changes = next(
        (n for n in nodes.values() if n["resource_type"] == "model" and n["name"] == CHANGES_MODEL),
        None,
    )
    if changes is None:
        raise NotApplicable(f"the project has no {CHANGES_MODEL} model")
    keys_table = f"working.{_quote(changes['schema'])}.{_quote(changes['alias'])}"
    predicates = {}
    for node in nodes.values():
        config = node.get("config", {})
        meta = config.get("meta") or {}
        if node["resource_type"] != "model" or config.get("materialized") != "incremental":
            continue
        if not meta.get("changed_keys"):
            continue
        conditions = []
        for column, kind in meta["changed_keys"].items():
            if kind == AS_OF_KIND:
                as_of = "(select as_of_date from working.main.build_info)"
                conditions.append(f"{_quote(column)} = {as_of}")
            else:
                conditions.append(
                    f"{_quote(column)} in (select key_value from {keys_table} "
                    f"where key_kind = '{kind}')"
                )
        predicates[(node["schema"], node["alias"])] = " or ".join(conditions)
    return predicates


def _tables(con: duckdb.DuckDBPyConnection, database: str) -> set[tuple[str, str]]:
    return set(
        con.execute(
            "select schema_name, table_name from duckdb_tables() where database_name = ?",
            [database],
        ).fetchall()
    )


def write_changes(
    con: duckdb.DuckDBPyConnection,
    previous: Path,
    target: Path,
    *,
    working: Path,
    changed: Mapping[tuple[str, str], str],
    published: Callable[[str, str], bool],
) -> None:
    """Write the snapshot `target`: a copy of `previous` brought up to the working file's state
    by the rows `changed` selects and by every other published table whole (`published` tells
    which of the working file's tables are). `con` is an in-memory connection."""
    shutil.copyfile(previous, target)
    con.execute("attach ? as working (read_only)", [str(working)])
    con.execute("attach ? as snapshot", [str(target)])
    tables = {table for table in _tables(con, "working") if published(*table)}
    if tables != _tables(con, "snapshot"):
        raise NotApplicable("the tables differ from the previous snapshot's")
    for schema, table in sorted(tables):
        name = f"{_quote(schema)}.{_quote(table)}"
        predicate = changed.get((schema, table))
        if predicate is None:
            con.execute(f"create or replace table snapshot.{name} as select * from working.{name}")
            continue
        con.execute(f"delete from snapshot.{name} where {predicate}")
        con.execute(f"insert into snapshot.{name} select * from working.{name} where {predicate}")
    con.execute("detach snapshot")  # checkpoints: the file is complete, with no WAL
