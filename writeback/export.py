"""Plan and audit rows as CSV or JSON (stdout or an owner-only file)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any

import orjson

FORMATS = ("csv", "json")


def _cell(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return "" if value is None else value


def write_rows(
    rows: Sequence[Mapping[str, Any]], columns: Sequence[str], fmt: str, handle: IO[str]
) -> None:
    """Every row, in `columns` order: a CSV with a header, or a JSON array of objects."""
    if fmt == "json":
        data = [{name: row.get(name) for name in columns} for row in rows]
        handle.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(name)) for name in columns])
