"""Dates given on the command line."""

from __future__ import annotations

import re
from datetime import date

from warehouse.errors import UsageError

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(text: str, option: str) -> date:
    """`YYYY-MM-DD` to a date, or a one-line UsageError naming the option."""
    if not _ISO_DATE.fullmatch(text.strip()):
        raise UsageError(f"{option} must be a date YYYY-MM-DD, got {text!r}.")
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise UsageError(f"{option} {text!r} is not a calendar date: {exc}.") from None
