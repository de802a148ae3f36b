"""A page of an Intercom list or search, decoded.

`decode_page` either keeps the records as parsed JSON (the small streams) or keeps them only
serialised and hashed, ready to land, so that buffers hold compact strings rather than trees of
parsed JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from ingest.errors import IntercomError, MalformedBody
from warehouse.records import PreparedRecords, updated_at


@dataclass(frozen=True)
class Page:
    total_count: int | None
    next_cursor: str | None
    count: int
    first_updated: int | None  # of the first record, and the least on the page
    least_updated: int | None
    records: list[dict[str, Any]] | None = None  # parsed, when asked for
    prepared: PreparedRecords | None = None  # serialised and hashed, otherwise


def decode_page(body: bytes, *, records_key: str, where: str, stream: str | None = None) -> Page:
    """Parse a page. With `stream`, its records are prepared for landing instead of kept, and
    each must carry an integer `updated_at`."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise MalformedBody(f"a {len(body)}-byte body that is not valid JSON") from None
    if not isinstance(data, Mapping) or not isinstance(data.get(records_key), list):
        raise IntercomError(f"Intercom answered {where} without a `{records_key}` list.")
    records = data[records_key]
    pages = data.get("pages")
    following = pages.get("next") if isinstance(pages, Mapping) else None
    cursor = following.get("starting_after") if isinstance(following, Mapping) else None
    total = data.get("total_count")
    stamps = [updated_at(r) for r in records] if stream else []
    if None in stamps:
        raise IntercomError(f"Intercom answered {where} with a record without an updated_at.")
    prepared = None
    if stream:
        prepared = PreparedRecords(stream)
        prepared.add(records)
    return Page(
        total_count=total if isinstance(total, int) else None,
        next_cursor=str(cursor) if cursor else None,
        count=len(records),
        first_updated=stamps[0] if stamps else None,
        least_updated=min(stamps) if stamps else None,
        records=None if stream else records,
        prepared=prepared,
    )


def keeping(records_key: str, where: str) -> Callable[[bytes], Awaitable[Page]]:
    """A decoder that keeps the parsed records (the small streams)."""

    async def decode(body: bytes) -> Page:
        return decode_page(body, records_key=records_key, where=where)

    return decode


def preparing(stream: str, records_key: str, where: str) -> Callable[[bytes], Awaitable[Page]]:
    """A decoder that prepares `stream`'s records for landing."""

    async def decode(body: bytes) -> Page:
        return decode_page(body, records_key=records_key, where=where, stream=stream)

    return decode
