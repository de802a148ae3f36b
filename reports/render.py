"""Printing a report: a terminal table with what it shows on top (title, as-of date and build
time, every filter in effect), the summary cards, then the rows; or CSV, or JSON carrying the
same heading."""

from __future__ import annotations

from datetime import datetime
from typing import IO, Any
from zoneinfo import ZoneInfo

from rich.columns import Columns
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from output.terminal import safe
from output.writers import dump_json, write_csv
from reports.model import Report
from warehouse.build_info import BuildInfo

# How a filter is named in a heading, in this order.
FILTER_LABELS = (
    ("month", "month"),
    ("lookback", "lookback (days)"),
    ("date_from", "from"),
    ("date_to", "to"),
    ("coaches", "coach"),
    ("employers", "employer"),
    ("exclude_employers", "not employer"),
    ("channels", "channel"),
    ("referral", "referral"),
    ("status", "status"),
)


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


def built_text(info: BuildInfo) -> str:
    return info.built_at.astimezone(info.zone).strftime("%Y-%m-%d %H:%M %Z")


def filters_text(filters: dict[str, Any]) -> str:
    """Every filter in effect, as a reader would say it; 'none' when there is none."""
    parts = []
    for key, label in FILTER_LABELS:
        value = filters.get(key)
        if value in (None, [], ""):
            continue
        values = value if isinstance(value, list) else [value]
        parts.append(f"{label} {', '.join(str(v) for v in values)}")
    return "; ".join(parts) or "none"


def heading(report: Report, info: BuildInfo) -> list[str]:
    return [
        report.title,
        f"As of {info.as_of_date} ({info.program_timezone}); built {built_text(info)}",
        f"Filters: {filters_text(report.filters)}",
    ]


def cards_panel(report: Report) -> Columns:
    return Columns(
        [
            Panel(f"[bold]{value:,}[/bold]", title=safe(label), expand=False, padding=(0, 2))
            for label, value in report.cards
        ]
    )


def print_summary(console: Console, report: Report, info: BuildInfo | None = None) -> None:
    """The heading, cards and breakdowns: what `coach demo` shows, and the top of a table."""
    title, *rest = heading(report, info) if info is not None else [report.title]
    console.print(f"[bold]{safe(title)}[/bold]")
    for line in rest:
        console.print(safe(line), highlight=False)
    console.print(cards_panel(report))
    for breakdown in report.breakdowns:
        if not breakdown.rows:
            continue
        table = Table(title=safe(breakdown.title), title_justify="left")
        for i, column in enumerate(breakdown.columns):
            table.add_column(safe(column), justify="left" if i == 0 else "right")
        for row in breakdown.rows:
            table.add_row(*(safe(v) for v in row))
        console.print(table)


def _narrowest(name: str, values: list[Any], zone: ZoneInfo) -> int:
    """The least width a column takes: its longest word, header included (a table wraps at
    spaces but never cuts a word, so a date or an instant stays whole)."""
    texts = [name, *(_text(v, zone) for v in values)]
    return max(len(word) for text in texts for word in (text.split() or [""]))


def column_widths(
    report: Report, width: int, zone: ZoneInfo, rows: list[tuple[Any, ...]]
) -> dict[str, int]:
    """The display columns, most important first, that fit `width`, each with its width: first
    its longest word (nothing is cut), then the room left shared out in proportion to what each
    would need on one line. Columns that do not fit are left out of the table (CSV and JSON
    carry every column)."""
    chosen: dict[str, tuple[int, int]] = {}
    used = 1  # the table's left border; each column adds its padding and right border
    for column in report.display_columns or report.columns:
        name = column.replace("_", " ")
        values = [row[report.columns.index(column)] for row in rows]
        least = _narrowest(name, values, zone)
        most = max(len(name), *(len(_text(v, zone)) for v in values))
        if chosen and used + least + 3 > width:
            break
        chosen[column] = (least, most)
        used += least + 3
    room = max(0, width - used)
    wants = {column: most - least for column, (least, most) in chosen.items()}
    total = sum(wants.values()) or 1
    return {
        column: least + min(wants[column], room * wants[column] // total)
        for column, (least, _) in chosen.items()
    }


def print_table(
    console: Console, report: Report, info: BuildInfo, max_rows: int | None = None
) -> None:
    """The summary, then the rows: at most `max_rows` (None: all), with a note saying how to
    get the rest, in the columns that fit the terminal."""
    print_summary(console, report, info)
    if not report.rows:
        console.print(safe(report.empty_message))
        return
    zone = info.zone
    rows = report.rows if max_rows is None else report.rows[:max_rows]
    widths = column_widths(report, console.width, zone, rows)
    shown = list(widths)
    index = [report.columns.index(c) for c in shown]
    table = Table(show_lines=False)
    for column, room in widths.items():
        table.add_column(column.replace("_", " "), width=room, overflow="fold")
    for row in rows:
        # Names and employers come from Intercom: shown as text, never markup or control codes.
        table.add_row(*(safe(_text(row[i], zone)) for i in index))
    console.print(table)
    left_out = [c for c in (report.display_columns or report.columns) if c not in shown]
    if left_out:
        console.print(
            safe(
                f"Columns left out for width: {', '.join(left_out)} (a wider terminal or "
                "--format csv shows them)."
            ),
            highlight=False,
        )
    if len(rows) < len(report.rows):
        console.print(
            f"Showing {len(rows):,} of {len(report.rows):,} rows; --rows 0 shows them all, "
            "--format csv or json gives every row.",
            highlight=False,
        )


def write_json(stream: IO[str], report: Report, info: BuildInfo) -> None:
    document = {
        "report": report.name,
        "title": report.title,
        "as_of_date": info.as_of_date,
        "built_at": info.built_at,
        "program_timezone": info.program_timezone,
        "filters": report.filters,
        "cards": dict(report.cards),
        "rows": report.records(),
    }
    dump_json(stream, document, info.zone)


def write_report(stream: IO[str], report: Report, info: BuildInfo, fmt: str) -> None:
    if fmt == "csv":
        write_csv(stream, report.columns, report.rows, info.zone)
    elif fmt == "json":
        write_json(stream, report, info)
    else:
        raise ValueError(f"unknown format {fmt!r}")
