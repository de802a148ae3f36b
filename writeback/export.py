"""Plan and audit rows as CSV or JSON (stdout or an owner-only file)."""

from __future__ import annotations

import csv
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import IO, Any

import orjson

from reports.csv_files import neutralise

FORMATS = ("csv", "json")


def _cell(value: Any) -> Any:
    """Text cells are neutralised against formula injection: contact values come from Intercom,
    where anyone who can edit a contact can start one with `=`."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
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
