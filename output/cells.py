"""How one value is written, the same way in every CSV and JSON the product produces.

* `None` is an empty CSV cell and JSON `null`; booleans are `true`/`false` in both.
* Instants are ISO 8601 in the program time zone (with its offset); dates are ISO dates.
* CSV text is neutralised against formula injection: Excel, LibreOffice and Google Sheets run a
  cell beginning with `=`, `+`, `-`, `@` (or a tab or carriage return before one) as a formula,
  and contact values come from Intercom, where anyone who can edit a contact can start one with
  `=`. Such a cell gets a leading apostrophe, which the spreadsheet shows as text (OWASP's advice
  for CSV injection). Numbers are left alone: a negative number is a number, not a formula.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def iso(value: date | datetime, zone: ZoneInfo) -> str:
    """A date as YYYY-MM-DD; an instant in the program time zone (a naive one as it is)."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(zone).isoformat()
    return value.isoformat()


def csv_cell(value: Any, zone: ZoneInfo) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    if isinstance(value, date | datetime):
        return iso(value, zone)
    return neutralise(str(value))


def json_value(value: Any, zone: ZoneInfo) -> Any:
    if isinstance(value, date | datetime):
        return iso(value, zone)
    if isinstance(value, Decimal):
        return float(value)
    return value
