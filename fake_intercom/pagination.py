"""Opaque, stateless cursors and the `pages` object of list and search responses.

A cursor is base64 of the JSON array `[sort_value, rowid, next_page]`, the shape observed on the
real API (reference §1.1): the sort value of the last record on the page (milliseconds when the
sort field is a timestamp), that record's internal row id, and the number of the next page. The
server keeps no state, so a record updated between two page requests may show up twice or move
behind the cursor, as it can on Intercom.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass
from typing import Any

import orjson

from fake_intercom.errors import parameter_invalid

MAX_PER_PAGE = 150


@dataclass(frozen=True)
class Cursor:
    sort_value: Any
    rowid: int
    page: int


def encode_cursor(sort_value: Any, rowid: int, page: int) -> str:
    return base64.b64encode(orjson.dumps([sort_value, rowid, page])).decode()


def decode_cursor(text: Any) -> Cursor | None:
    if text is None or text == "":
        return None
    if not isinstance(text, str):
        raise parameter_invalid("starting_after must be a string", "starting_after")
    try:
        value = orjson.loads(base64.b64decode(text.encode(), validate=True))
    except (binascii.Error, orjson.JSONDecodeError, ValueError):
        raise parameter_invalid("Invalid starting_after cursor", "starting_after") from None
    if (
        not isinstance(value, list)
        or len(value) != 3
        or not isinstance(value[1], int)
        or not isinstance(value[2], int)
        or isinstance(value[2], bool)
        or value[2] < 2
    ):
        raise parameter_invalid("Invalid starting_after cursor", "starting_after")
    return Cursor(value[0], value[1], value[2])


def per_page(raw: Any, default: int) -> int:
    """The page size asked for, clamped to 150 as Intercom does; nonsense is a 400."""
    if raw is None or raw == "":
        return default
    if isinstance(raw, str):
        try:
            raw = int(raw)
        except ValueError:
            raise parameter_invalid("per_page must be an integer", "per_page") from None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw < 1:
        raise parameter_invalid("per_page must be a positive integer", "per_page")
    return min(raw, MAX_PER_PAGE)


def pages_object(page: int, size: int, total_count: int, next_cursor: str | None) -> dict:
    pages: dict[str, Any] = {
        "type": "pages",
        "page": page,
        "per_page": size,
        "total_pages": math.ceil(total_count / size) if total_count else 0,
    }
    if next_cursor is not None:
        # Real responses carry {page, starting_after}; the 2.11 schema's {per_page, ...} is
        # wrong (reference §1.1). `next` is absent on the last page.
        pages["next"] = {"page": page + 1, "starting_after": next_cursor}
    return pages
