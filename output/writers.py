"""CSV and JSON writers over the cell conventions of `output.cells`, to a stream or to an
owner-only file written atomically (temporary file beside it, then rename)."""

from __future__ import annotations

import csv
import errno
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar
from zoneinfo import ZoneInfo

from output.cells import csv_cell, json_value, neutralise
from warehouse.errors import CoachError
from warehouse.files import atomic_private_file

FORMATS = ("csv", "json")
T = TypeVar("T")


def csv_chunks(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    zone: ZoneInfo,
    rows_per_chunk: int = 1_000,
) -> Iterator[str]:
    """The CSV text (a header, then one CRLF line per row, as RFC 4180 and spreadsheets expect)
    in pieces of `rows_per_chunk` rows, for streaming a large table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(c) for c in columns])
    pending = 0
    for row in rows:
        writer.writerow([csv_cell(value, zone) for value in row])
        pending += 1
        if pending == rows_per_chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield buffer.getvalue()


def write_csv(
    stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]], zone: ZoneInfo
) -> int:
    """A header and one line per row; the number of data rows written."""
    count = 0

    def counted() -> Iterator[Sequence[Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for chunk in csv_chunks(columns, counted(), zone):
        stream.write(chunk)
    return count


def json_default(zone: ZoneInfo) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        converted = json_value(value, zone)
        return str(value) if converted is value else converted

    return convert


def dump_json(stream: IO[str], document: Any, zone: ZoneInfo) -> None:
    """Any document (objects, lists, values) with dates, instants and decimals converted."""
    json.dump(document, stream, ensure_ascii=False, indent=2, default=json_default(zone))
    stream.write("\n")


def write_json(
    stream: IO[str], columns: Sequence[str], rows: Iterable[Sequence[Any]], zone: ZoneInfo
) -> int:
    """A JSON array with one object per row, keys in `columns` order."""
    records = [dict(zip(columns, row, strict=True)) for row in rows]
    dump_json(stream, records, zone)
    return len(records)


def write_rows(
    stream: IO[str],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    zone: ZoneInfo,
    fmt: str,
) -> int:
    if fmt == "csv":
        return write_csv(stream, columns, rows, zone)
    if fmt == "json":
        return write_json(stream, columns, rows, zone)
    raise ValueError(f"unknown format {fmt!r}")


def write_records(
    stream: IO[str],
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[str],
    zone: ZoneInfo,
    fmt: str,
) -> int:
    """Mappings (e.g. audit rows) in `columns` order; a missing key is an empty cell."""
    rows = ([record.get(name) for name in columns] for record in records)
    return write_rows(stream, columns, rows, zone, fmt)


def save(target: Path, write: Callable[[IO[str]], T], *, force: bool = False) -> T:
    """`write(handle)` into `target`, owner-only and atomic; an existing file is refused unless
    `force`. Returns what `write` returns."""
    try:
        with atomic_private_file(Path(target), force=force) as handle:
            return write(handle)
    except OSError as exc:
        code = 1 if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO) else 2
        raise CoachError(
            f"Cannot write {target}: {exc.strerror or type(exc).__name__}; nothing was written.",
            exit_code=code,
        ) from None


def export_csv(
    target: Path,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    zone: ZoneInfo,
    *,
    force: bool = False,
) -> int:
    """A CSV file of `rows` (see `save`); the number of data rows."""
    return save(target, lambda handle: write_csv(handle, columns, rows, zone), force=force)
