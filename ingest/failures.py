"""What a failed ingest run leaves behind: a run log that says it failed, and an error that says
how many runs in a row have failed."""

from __future__ import annotations

import contextlib
from typing import Any

import duckdb

from ingest.state import fail_running
from warehouse.errors import CoachError
from warehouse.run_log import failure_streak
from warehouse.store import WarehousePaths, connect_working


def record_failure(paths: WarehousePaths, con: Any, exc: CoachError) -> Any:
    """After a failed run: make sure the run log says so, and say in the error when the runs
    before it failed too. Returns the connection to close.

    A fatal DuckDB error (the raw tables' old key index running out of memory during a commit
    did this) invalidates the connection: nothing more can be written through it, so the run
    log would still say `running`. The file itself is sound (the failed transaction never
    reached the write-ahead log): it is opened again, which replays the log.
    """
    try:
        con.execute("select 1")
    except duckdb.Error:
        with contextlib.suppress(duckdb.Error):
            con.close()
        try:
            con = connect_working(paths)
        except CoachError:
            return duckdb.connect()  # the next run reports what is wrong with the file
    with contextlib.suppress(duckdb.Error):
        fail_running(con, str(exc))
        streak = failure_streak(con)
        if streak is not None and streak.runs > 1:
            exc.args = (f"{exc} ({streak.describe()})", *exc.args[1:])
    return con
