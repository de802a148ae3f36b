"""CSV for spreadsheets: neutralised against formula injection, written atomically, owner-only.

These files hold health-related personal data and are opened in Excel, LibreOffice or Google
Sheets, which run a cell beginning with `=`, `+`, `-`, `@` (or a tab or carriage return
before one) as a formula. Such a cell gets a leading apostrophe, which the spreadsheet shows as
text (OWASP's advice for CSV injection).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from warehouse.files import atomic_private_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def cell(value: Any, zone: ZoneInfo) -> str:
    """One value as CSV text: instants in the program time zone, dates ISO, booleans lowercase."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        value = value.astimezone(zone).isoformat() if value.tzinfo else value.isoformat()
    elif isinstance(value, date):
        value = value.isoformat()
    return neutralise(str(value))


def write_csv(
    stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]], zone: ZoneInfo
) -> int:
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    count = 0
    for row in rows:
        writer.writerow([cell(value, zone) for value in row])
        count += 1
    return count


def export_csv(
    target: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    zone: ZoneInfo,
    *,
    force: bool = False,
) -> int:
    """Write `target` atomically (temporary file beside it, then rename), mode 0600; an
    existing file is refused unless `force`. Returns the number of data rows."""
    with atomic_private_file(Path(target), force=force) as handle:
        return write_csv(handle, columns, rows, zone)
