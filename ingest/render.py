"""How an ingest run's result looks on the terminal: one row per stream."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from ingest.runner import RunResult

COLUMNS = ("stream", "mode", "read", "new", "calls", "retries", "429s", "deleted", "outcome")


def run_table(result: RunResult, published: Path) -> Table:
    table = Table(title=f"{result.run_id} \u2192 {published}")
    for column in COLUMNS:
        table.add_column(column, justify="left" if column in ("stream", "mode") else "right")
    for log in result.logs:
        table.add_row(
            log.stream,
            log.mode,
            f"{log.records_received:,}",
            f"{log.records_new:,}",
            f"{log.calls.calls:,}",
            str(log.calls.retries),
            str(log.calls.rate_limited),
            str(log.deletions_noticed),
            log.outcome,
        )
    return table
