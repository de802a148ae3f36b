"""What the last successful DuckDB build read, so that a build with nothing new to read is skipped.

A `dbt build` is a function of the raw rows landed, the project (models, macros, seeds, tests,
vars) and the as-of date. After each successful build, `raw.build_state` (in the working file,
never published) holds a key of all three: per raw table its row count and newest `loaded_at`
(`noticed_at` for deletion notices; rows are only ever appended), a hash of the project's files
and dbt's version, and the as-of date. A scheduled `coach run` whose key equals the stored one,
on a published file holding that build's marts (the same `build_info.built_at`), publishes the
new ingest and write-back logs on those marts instead of building them again: they would come
out the same, except for the build's clock (`built_at`, and `as_of_instant` when the as-of date
is today, which only dates a status change detected by that build). A run that builds leaves
out dbt's unit tests while the project is that of the last successful build (they test the
models' code on fixed rows, whatever the data).

The stored key also tells the next build what changed since (`changed_since`): the raw contacts
and conversations landed, and the deletions noticed, after its watermarks. dbt's incremental
models replace the rows of those records only (dbt_project/macros/incremental.sql); the models
that depend on the as-of date replace every row when the date moved. Anything the watermarks
cannot describe (no successful build recorded, which includes one killed midway; another project
or dbt version; changed admins, teams or data attributes) makes the build a full one.
"""

from __future__ import annotations

import functools
import hashlib
import json
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from warehouse.raw_tables import DELETIONS_TABLE, STREAMS, table_name

PROJECT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
PROJECT_PARTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
STATE_TABLE = "raw.build_state"


@functools.cache
def project_fingerprint() -> str:
    """A hash of every file dbt reads from the project, and of dbt's version."""
    from dbt.version import __version__

    digest = hashlib.sha256(__version__.encode())
    for part in PROJECT_PARTS:
        root = PROJECT_DIR / part
        files = sorted(root.rglob("*")) if root.is_dir() else [root]
        for path in files:
            if path.is_file():
                digest.update(str(path.relative_to(PROJECT_DIR)).encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_key(con: duckdb.DuckDBPyConnection, as_of: date) -> str:
    """The key of a build of the working file `con` as of `as_of`."""
    landed = {}
    tables = [(table_name(stream), "loaded_at") for stream in STREAMS]
    for table, column in [*tables, (DELETIONS_TABLE, "noticed_at")]:
        count, newest = con.execute(f"select count(*), max({column}) from {table}").fetchone()
        # In UTC: the same instants give the same key whatever the process's time zone (TZ).
        landed[table] = [count, None if newest is None else newest.astimezone(UTC).isoformat()]
    key = {"raw": landed, "project": project_fingerprint(), "as_of": as_of.isoformat()}
    return json.dumps(key, sort_keys=True)


def stored_key(con: duckdb.DuckDBPyConnection) -> tuple[str, object] | None:
    """The key and `built_at` of the last successful build recorded in `con`, if any."""
    try:
        return con.execute(f"select build_key, built_at from {STATE_TABLE}").fetchone()
    except duckdb.CatalogException:
        return None


# The raw streams followed record by record; a change to any other raw table rebuilds everything.
FOLLOWED = {"contacts": table_name("contacts"), "conversations": table_name("conversations")}


def changed_since(stored: tuple[str, object] | None, key: str) -> dict[str, object] | None:
    """What a build of `key` can take as its last successful build's state (`stored`): the
    watermarks of the followed raw tables and the deletions, and whether the as-of date is the
    same; None when the build must be a full one."""
    if stored is None:
        return None
    before, now = json.loads(stored[0]), json.loads(key)
    if before.get("project") != now["project"] or set(before.get("raw", {})) != set(now["raw"]):
        return None
    followed = {*FOLLOWED.values(), DELETIONS_TABLE}
    for table, (count, newest) in now["raw"].items():
        old_count, old_newest = before["raw"][table]
        if table not in followed and (count, newest) != (old_count, old_newest):
            return None
        if count < old_count or _instant(newest) < _instant(old_newest):
            return None  # rows are only ever appended: this file is not the one built
    watermarks: dict[str, object] = {
        stream: before["raw"][table][1] for stream, table in FOLLOWED.items()
    }
    watermarks["deletions"] = before["raw"][DELETIONS_TABLE][1]
    watermarks["same_as_of"] = before.get("as_of") == now["as_of"]
    return watermarks


def _instant(stamp: str | None) -> datetime:
    return datetime.fromisoformat(stamp) if stamp else datetime.min.replace(tzinfo=UTC)


def same_project(stored: tuple[str, object] | None) -> bool:
    """Whether the last successful build (`stored_key`) was of the project as it is now."""
    return stored is not None and json.loads(stored[0]).get("project") == project_fingerprint()


def record(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """After a successful build: its key, with the `built_at` of the build_info it made."""
    built_at = con.execute("select built_at from main.build_info").fetchone()[0]
    con.execute(f"create or replace table {STATE_TABLE} (build_key varchar, built_at timestamptz)")
    con.execute(f"insert into {STATE_TABLE} values (?, ?)", [key, built_at])


def forget(con: duckdb.DuckDBPyConnection) -> None:
    """Before a build: a build killed midway leaves no key, so the next one runs in full."""
    con.execute(f"drop table if exists {STATE_TABLE}")


def published_built_at(published: Path) -> object | None:
    """The `build_info.built_at` of the published file (None without one)."""
    if not published.exists():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return con.execute("select built_at from main.build_info").fetchone()[0]
    except (duckdb.Error, TypeError):
        return None
