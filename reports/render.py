"""Printing a report: a terminal table with the summary cards on top, or CSV, or JSON."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from rich.columns import Columns
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from output.writers import dump_json, write_csv
from reports.model import Report


def _text(value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return str(value)


def cards_panel(report: Report) -> Columns:
    return Columns(
        [
            Panel(f"[bold]{value:,}[/bold]", title=label, expand=False, padding=(0, 2))
            for label, value in report.cards
        ]
    )


def print_summary(console: Console, report: Report) -> None:
    """The cards and breakdowns: what `coach demo` shows, and the top of the table format."""
    console.print(f"[bold]{report.title}[/bold]")
    console.print(cards_panel(report))
    for breakdown in report.breakdowns:
        if not breakdown.rows:
            continue
        table = Table(title=breakdown.title, title_justify="left")
        for i, column in enumerate(breakdown.columns):
            table.add_column(column, justify="left" if i == 0 else "right")
        for row in breakdown.rows:
            table.add_row(*(_escape(str(v)) for v in row))
        console.print(table)


def print_table(console: Console, report: Report, zone: ZoneInfo) -> None:
    print_summary(console, report)
    if not report.rows:
        console.print(report.empty_message)
        return
    shown = report.display_columns or report.columns
    index = [report.columns.index(c) for c in shown]
    table = Table(show_lines=False)
    for column in shown:
        table.add_column(column)
    for row in report.rows:
        # Names and employers come from Intercom: print them as text, never as rich markup.
        table.add_row(*(_escape(_text(row[i], zone)) for i in index))
    console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def write_json(stream: IO[str], report: Report, zone: ZoneInfo) -> None:
    document = {
        "report": report.name,
        "filters": report.filters,
        "cards": dict(report.cards),
        "rows": report.records(),
    }
    dump_json(stream, document, zone)


def write_report(stream: IO[str], report: Report, zone: ZoneInfo, fmt: str) -> None:
    if fmt == "csv":
        write_csv(stream, report.columns, report.rows, zone)
    elif fmt == "json":
        write_json(stream, report, zone)
    else:
        raise ValueError(f"unknown format {fmt!r}")
