"""Paging through Intercom lists and searches, one page at a time.

List endpoints take the cursor in the query string (`?starting_after=`); search endpoints take it
in the body (`pagination.starting_after`). Either way the next cursor is
`pages.next.starting_after`, and no `next` means the last page.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ingest.client import CallStats, IntercomClient
from ingest.errors import IntercomError
from warehouse.config import MAX_PAGE_SIZE


@dataclass(frozen=True)
class Page:
    records: list[dict[str, Any]]
    total_count: int | None
    next_cursor: str | None


def read_page(body: Any, records_key: str, where: str) -> Page:
    if not isinstance(body, Mapping) or not isinstance(body.get(records_key), list):
        raise IntercomError(f"Intercom answered {where} without a `{records_key}` list.")
    pages = body.get("pages")
    following = pages.get("next") if isinstance(pages, Mapping) else None
    cursor = following.get("starting_after") if isinstance(following, Mapping) else None
    total = body.get("total_count")
    return Page(
        records=body[records_key],
        total_count=total if isinstance(total, int) else None,
        next_cursor=str(cursor) if cursor else None,
    )


async def _pages(
    fetch: Callable[[str | None], Awaitable[Any]], records_key: str, where: str
) -> AsyncIterator[Page]:
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = read_page(await fetch(cursor), records_key, where)
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
    records_key: str,
    query: Mapping[str, Any],
    *,
    sort: Mapping[str, str] | None = None,
    per_page: int = MAX_PAGE_SIZE,
    stats: CallStats | None = None,
) -> AsyncIterator[Page]:
    async def fetch(cursor: str | None) -> Any:
        pagination: dict[str, Any] = {"per_page": per_page}
        if cursor:
            pagination["starting_after"] = cursor
        body: dict[str, Any] = {"query": query, "pagination": pagination}
        if sort:
            body["sort"] = sort
        return await client.post(path, json=body, stats=stats)

    return _pages(fetch, records_key, path)


def list_pages(
    client: IntercomClient,
    path: str,
    records_key: str,
    *,
    params: Mapping[str, Any] | None = None,
    per_page: int = MAX_PAGE_SIZE,
    stats: CallStats | None = None,
) -> AsyncIterator[Page]:
    async def fetch(cursor: str | None) -> Any:
        query = {**(params or {}), "per_page": per_page}
        if cursor:
            query["starting_after"] = cursor
        return await client.get(path, params=query, stats=stats)

    return _pages(fetch, records_key, path)
