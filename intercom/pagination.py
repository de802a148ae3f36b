"""Paging through Intercom lists and searches, one page at a time.

List endpoints take the cursor in the query string (`?starting_after=`); search endpoints take it
in the body (`pagination.starting_after`). Either way the next cursor is
`pages.next.starting_after`, and no `next` means the last page.

Each page's body goes through a decoder (`intercom.pages`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from typing import Any

from intercom.client import CallStats, IntercomClient
from intercom.errors import IntercomError
from intercom.pages import Page
from warehouse.config import MAX_PAGE_SIZE

Decoder = Callable[[bytes], Awaitable[Page]]


async def _pages(fetch: Callable[[str | None], Awaitable[Page]], where: str) -> AsyncIterator[Page]:
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = await fetch(cursor)
        yield page
        cursor = page.next_cursor
        if cursor is None:
            return
        if cursor in seen:
            raise IntercomError(f"Intercom returned the same page cursor twice for {where}.")
        seen.add(cursor)


def search_pages(
    client: IntercomClient,
    path: str,
    decode: Decoder,
    query: Mapping[str, Any],
    *,
    sort: Mapping[str, str] | None = None,
    per_page: int = MAX_PAGE_SIZE,
    stats: CallStats | None = None,
) -> AsyncIterator[Page]:
    async def fetch(cursor: str | None) -> Page:
        pagination: dict[str, Any] = {"per_page": per_page}
        if cursor:
            pagination["starting_after"] = cursor
        body: dict[str, Any] = {"query": query, "pagination": pagination}
        if sort:
            body["sort"] = sort
        return await client.post(path, json=body, stats=stats, decode=decode)

    return _pages(fetch, path)


def list_pages(
    client: IntercomClient,
    path: str,
    decode: Decoder,
    *,
    params: Mapping[str, Any] | None = None,
    per_page: int = MAX_PAGE_SIZE,
    stats: CallStats | None = None,
) -> AsyncIterator[Page]:
    async def fetch(cursor: str | None) -> Page:
        query = {**(params or {}), "per_page": per_page}
        if cursor:
            query["starting_after"] = cursor
        return await client.get(path, params=query, stats=stats, decode=decode)

    return _pages(fetch, path)
