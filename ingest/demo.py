"""Ingest's part of `coach demo` (the fake Intercom itself is started by `cli.py`)."""

from __future__ import annotations

import duckdb

from ingest.state import stored_workspace
from warehouse.errors import CoachError, ConfigError
from warehouse.store import WarehousePaths, connect_working, discard, pipeline_lock


def fresh_demo_warehouse(paths: WarehousePaths, demo_app_id: str) -> None:
    """Start the demo from an empty warehouse: each demo generates its workspace anew, so an
    old demo's rows would only be stale. Only a warehouse the demo itself filled is removed."""
    if not (paths.working.exists() or paths.published.exists()):
        return
    with pipeline_lock(paths, command="coach demo"):
        found = set()
        for path in (paths.working, paths.published):
            if path.exists():
                try:
                    con = (
                        connect_working(paths)
                        if path == paths.working
                        else duckdb.connect(str(path), read_only=True)
                    )
                except (duckdb.Error, CoachError):
                    raise ConfigError(
                        f"{path} is not a warehouse the demo can use; give the demo another "
                        "--warehouse."
                    ) from None
                try:
                    found.add(stored_workspace(con))
                finally:
                    con.close()
        if found != {demo_app_id}:
            raise ConfigError(
                f"The warehouse {paths.published} was not made by the demo; give the demo "
                "another --warehouse (or remove that file)."
            )
        discard(paths)
