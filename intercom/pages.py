"""A page of an Intercom list or search, decoded.

`decode_page` keeps the records as parsed JSON (the small streams). `prepare_page` keeps them
only as the bytes they arrived in, hashed and ready to land, so that buffers hold compact
strings rather than trees of parsed JSON and the hot path of a backfill builds no Python object
per field.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
import orjson

from intercom.errors import IntercomError, MalformedBody
from warehouse.records import PreparedRecords


@dataclass(frozen=True)
class Page:
    total_count: int | None
    next_cursor: str | None
    count: int
    first_updated: int | None  # of the first record, and the least on the page
    least_updated: int | None
    records: list[dict[str, Any]] | None = None  # parsed, when asked for
    prepared: PreparedRecords | None = None  # serialised and hashed, otherwise


def decode_page(body: bytes, *, records_key: str, where: str) -> Page:
    """Parse a page, keeping its records as parsed JSON (the small streams)."""
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise MalformedBody(f"a {len(body)}-byte body that is not valid JSON") from None
    if not isinstance(data, Mapping) or not isinstance(data.get(records_key), list):
        raise IntercomError(f"Intercom answered {where} without a `{records_key}` list.")
    records = data[records_key]
    cursor, total = _next_cursor(data.get("pages")), data.get("total_count")
    return Page(
        total_count=_integer(total),
        next_cursor=cursor,
        count=len(records),
        first_updated=None,
        least_updated=None,
        records=records,
    )


def _integer(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _next_cursor(pages: Any) -> str | None:
    following = pages.get("next") if isinstance(pages, Mapping) else None
    cursor = following.get("starting_after") if isinstance(following, Mapping) else None
    return str(cursor) if cursor else None


class _Stamp(msgspec.Struct):
    """What ingest reads of each record; every other field is skipped, not parsed."""

    id: str | int
    updated_at: int


@functools.cache
def _decoders(records_key: str) -> tuple[msgspec.json.Decoder, msgspec.json.Decoder]:
    """Two views of one page: its records as raw bytes, and their ids and stamps."""

    def envelope(record_type: Any) -> Any:
        return msgspec.defstruct(
            f"Page_{records_key}",
            [
                (records_key, list[record_type]),
                ("pages", Any, None),
                ("total_count", Any, None),
            ],
        )

    return msgspec.json.Decoder(envelope(msgspec.Raw)), msgspec.json.Decoder(envelope(_Stamp))


def prepare_page(body: bytes, *, records_key: str, where: str, stream: str) -> Page:
    """Split a page into its records' raw bytes, ready to land exactly as received, without
    building the records as Python objects. Each record must carry an id and an integer
    `updated_at`."""
    raw_decoder, stamp_decoder = _decoders(records_key)
    try:
        raws = raw_decoder.decode(body)
    except msgspec.ValidationError:  # valid JSON of the wrong shape (a subclass of DecodeError)
        raise IntercomError(f"Intercom answered {where} without a `{records_key}` list.") from None
    except msgspec.DecodeError:
        raise MalformedBody(f"a {len(body)}-byte body that is not valid JSON") from None
    try:
        stamps: list[_Stamp] = getattr(stamp_decoder.decode(body), records_key)
    except msgspec.ValidationError as exc:
        raise IntercomError(
            f"Intercom answered {where} with a record without an id or an integer updated_at "
            f"({exc})."
        ) from None
    cursor, total = _next_cursor(raws.pages), raws.total_count
    prepared = PreparedRecords(stream)
    updated = [stamp.updated_at for stamp in stamps]
    prepared.add_raw(
        [str(stamp.id) for stamp in stamps],
        updated,
        [memoryview(raw) for raw in getattr(raws, records_key)],
    )
    return Page(
        total_count=_integer(total),
        next_cursor=cursor,
        count=len(stamps),
        first_updated=updated[0] if updated else None,
        least_updated=min(updated) if updated else None,
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
        return prepare_page(body, records_key=records_key, where=where, stream=stream)

    return decode
