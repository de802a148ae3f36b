"""Dates given on the command line."""

from __future__ import annotations

import re
from datetime import date

from warehouse.errors import UsageError, shown

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(text: str, option: str) -> date:
    """`YYYY-MM-DD` to a date, or a one-line UsageError naming the option."""
    if not _ISO_DATE.fullmatch(text.strip()):
        raise UsageError(f"{option} must be a date YYYY-MM-DD, got {shown(text)}.")
    try:
        return date.fromisoformat(text.strip())
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{option} {shown(text)} is not a calendar date: {exc}.") from None


def month_start(year: int, month: int, option: str, text: str) -> date:
    """The first day of a month, or a one-line UsageError (year 0 and the like)."""
    try:
        return date(year, month, 1)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{option} {shown(text)} is not a calendar month: {exc}.") from None
