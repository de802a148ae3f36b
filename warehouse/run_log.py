"""Reading the ingest run log (`ingest.run_log`, one row per run and stream, written by
`ingest.state`) without depending on ingest: what write-back's guard rail, `coach doctor`
and the web app's health need to know.

`failure_streak` answers "has the refresh been failing, and since when?": the runs since the
last one that succeeded, newest first. `coach ingest`/`coach run` add it to their error line and
`coach doctor` shows it, so an hourly job that fails every time says so instead of repeating one
line per run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

RUN_LOG = "ingest.run_log"


@dataclass(frozen=True)
class StreamOutcome:
    stream: str
    outcome: str
    ended_at: datetime | None


@dataclass(frozen=True)
class IngestRun:
    """One ingest run as the run log holds it: one outcome per stream it read."""

    run_id: str
    streams: tuple[StreamOutcome, ...]

    @property
    def unfinished(self) -> list[StreamOutcome]:
        return [s for s in self.streams if s.outcome != "succeeded"]

    @property
    def ended_at(self) -> datetime | None:
        ends = [s.ended_at for s in self.streams if s.ended_at is not None]
        return max(ends) if ends else None


def last_ingest(con: duckdb.DuckDBPyConnection) -> IngestRun | None:
    """The most recently started ingest run, or None when the warehouse records none."""
    try:
        rows = con.execute(
            f"""select run_id, stream, outcome, ended_at from {RUN_LOG}
            where run_id = (select run_id from {RUN_LOG} order by started_at desc limit 1)
            order by stream"""
        ).fetchall()
    except duckdb.CatalogException:
        return None
    if not rows:
        return None
    return IngestRun(rows[0][0], tuple(StreamOutcome(*row[1:]) for row in rows))


@dataclass(frozen=True)
class FailureStreak:
    """The latest runs that did not succeed, up to the last one that did."""

    runs: int
    since: datetime  # when the first of them started
    last_error: str | None
    last_success: datetime | None  # when the last successful run ended; None if none ever did

    def describe(self) -> str:
        """E.g. "the last 3 runs failed since 2026-06-15 09:15 UTC (last success ...)"."""
        if self.runs == 1:
            line = f"the last run failed ({_stamp(self.since)})"
        else:
            line = f"the last {self.runs} runs failed since {_stamp(self.since)}"
        if self.last_success is None:
            return f"{line}; no run has succeeded yet"
        return f"{line}; the last successful run ended {_stamp(self.last_success)}"


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def has_run_log(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables"
            " where table_schema = 'ingest' and table_name = 'run_log'"
        ).fetchone()[0]
    )


def failure_streak(con: duckdb.DuckDBPyConnection) -> FailureStreak | None:
    """The runs since the last successful one, or None when the latest run succeeded (or there
    is no run log). A run succeeded when every stream it ran succeeded; a run still marked
    `running` counts as not succeeded (read it while no ingest is running: under the writer
    lock, or after the run ended)."""
    if not has_run_log(con):
        return None
    runs = con.execute(
        f"""
        select run_id, min(started_at) as started_at, max(ended_at) as ended_at,
               bool_and(outcome = 'succeeded') as succeeded,
               max(error) filter (where error is not null) as error
        from {RUN_LOG}
        group by run_id
        order by started_at desc, run_id desc
        """
    ).fetchall()
    streak = []
    last_success = None
    for run in runs:
        if run[3]:
            last_success = run[2]
            break
        streak.append(run)
    if not streak:
        return None
    newest_error = next((run[4] for run in streak if run[4]), None)
    return FailureStreak(len(streak), streak[-1][1], newest_error, last_success)


def refresh_health(con: duckdb.DuckDBPyConnection) -> tuple[bool, str]:
    """One line on the refresh for `coach doctor`: whether the latest ingest run succeeded, and
    if not, how many in a row failed, since when, and the latest error."""
    if not has_run_log(con):
        return True, "no ingest run yet"
    streak = failure_streak(con)
    if streak is None:
        ended = con.execute(f"select max(ended_at) from {RUN_LOG}").fetchone()[0]
        if ended is None:
            return True, "no ingest run yet"
        return True, f"the last run succeeded, ended {_stamp(ended)}"
    error = f": {streak.last_error}" if streak.last_error else ""
    return False, f"{streak.describe()}{error}"


@dataclass(frozen=True)
class StreamRun:
    """One stream of one ingest run, as the run log holds it."""

    stream: str
    mode: str
    started_at: datetime
    ended_at: datetime | None
    records_received: int
    records_new: int
    api_calls: int
    outcome: str
    error: str | None


def last_ingest_streams(con: duckdb.DuckDBPyConnection) -> list[StreamRun]:
    """The streams of the most recently started ingest run (empty when none is recorded)."""
    try:
        rows = con.execute(
            f"""select stream, mode, started_at, ended_at, records_received, records_new,
                   api_calls, outcome, error from {RUN_LOG}
            where run_id = (select run_id from {RUN_LOG} order by started_at desc limit 1)
            order by stream"""
        ).fetchall()
    except duckdb.CatalogException:
        return []
    return [StreamRun(*row) for row in rows]


@dataclass(frozen=True)
class IngestHealth:
    """Whether the last ingest is recent and complete; `warning` says why not."""

    run: IngestRun | None
    age_hours: float | None
    warning: str | None


def ingest_health(
    con: duckdb.DuckDBPyConnection, now: datetime, max_age_hours: float
) -> IngestHealth:
    run = last_ingest(con)
    if run is None:
        return IngestHealth(None, None, "The warehouse records no ingest run.")
    ended = run.ended_at
    age = None if ended is None else (now - ended).total_seconds() / 3600
    if run.unfinished:
        first = run.unfinished[0]
        warning = (
            f"The last ingest ({run.run_id}) did not complete: {first.stream} {first.outcome}."
        )
    elif age is None:
        warning = f"The last ingest ({run.run_id}) records no end."
    elif age > max_age_hours:
        warning = (
            f"The last ingest ended {age:.1f} hours ago, more than the {max_age_hours:g} hours "
            "allowed: the reports may be stale."
        )
    else:
        warning = None
    return IngestHealth(run, age, warning)
