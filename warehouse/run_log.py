"""Reading the ingest run log (`ingest.run_log`, written by `ingest.state`) without depending
on ingest: what write-back's guard rail, `coach doctor` and the web app's health need to know."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
