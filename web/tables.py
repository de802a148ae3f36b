"""What a table, its cards and its pager look like on a page: text per cell (times in the program
time zone), the member link of each row, the sort link of each header, the page links."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from starlette.datastructures import QueryParams

from reports.relation import Card, Sort
from web.urls import with_params

# The column of a row that links to the member's page: the first of these that is shown.
MEMBER_LINK_COLUMNS = ("name", "external_id", "employee_id", "object_id")


def cell_text(value: Any, zone: ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%d %H:%M")
        return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def member_href(contact_id: Any) -> str | None:
    return None if contact_id in (None, "") else f"/members/{quote(str(contact_id), safe='')}"


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    numeric: bool = False


@dataclass(frozen=True)
class Header:
    name: str
    label: str
    href: str  # sorts by this column (the other way when it is the current sort)
    aria_sort: str | None  # "ascending" / "descending" when sorted by it


@dataclass(frozen=True)
class PageLink:
    label: str
    href: str | None  # None: the current page, or not available
    current: bool = False


@dataclass(frozen=True)
class TableView:
    headers: list[Header]
    rows: list[list[Cell]]
    total: int
    first: int  # 1-based number of the first row shown
    last: int
    pager: list[PageLink]
    caption: str


def _headers(columns: list[str], sort: Sort, query: QueryParams) -> list[Header]:
    headers = []
    for name in columns:
        current = sort.column == name
        descending = sort.descending if current else False
        href = with_params(
            query, sort=name, dir="asc" if current and descending else "desc" if current else "asc"
        )
        aria = ("descending" if descending else "ascending") if current else None
        headers.append(Header(name, name.replace("_", " "), href, aria))
    return headers


def _pager(query: QueryParams, page: int, pages: int) -> list[PageLink]:
    if pages <= 1:
        return []

    def link(label: str, number: int) -> PageLink:
        if number == page:
            return PageLink(label, None, current=label.isdigit())
        if not 1 <= number <= pages:
            return PageLink(label, None)
        return PageLink(label, with_params(query, page=number))

    numbers = sorted({1, pages, *range(max(1, page - 2), min(pages, page + 2) + 1)})
    links = [link("Previous", page - 1)]
    last = 0
    for number in numbers:
        if number > last + 1:
            links.append(PageLink("…", None))
        links.append(link(str(number), number))
        last = number
    links.append(link("Next", page + 1))
    return links


def table_view(
    columns: list[str],
    shown: list[str],
    rows: list[tuple],
    *,
    total: int,
    page: int,
    per_page: int,
    sort: Sort,
    query: QueryParams,
    zone: ZoneInfo,
    caption: str,
) -> TableView:
    index = {name: columns.index(name) for name in shown}
    link_column = next((c for c in MEMBER_LINK_COLUMNS if c in shown), None)
    contact = columns.index("contact_id") if "contact_id" in columns else None
    body = []
    for row in rows:
        cells = []
        for name in shown:
            value = row[index[name]]
            href = None
            if name == link_column and contact is not None:
                href = member_href(row[contact])
            text = cell_text(value, zone)
            if href and not text:
                text = "(no name)" if name == "name" else str(row[contact])
            numeric = isinstance(value, int | float) and not isinstance(value, bool)
            cells.append(Cell(text, href, numeric))
        body.append(cells)
    pages = max(1, math.ceil(total / per_page))
    first = (page - 1) * per_page + 1 if rows else 0
    return TableView(
        headers=_headers(shown, sort, query),
        rows=body,
        total=total,
        first=first,
        last=first + len(rows) - 1 if rows else 0,
        pager=_pager(query, page, pages),
        caption=caption,
    )


@dataclass(frozen=True)
class CardView:
    label: str
    value: int
    href: str | None
    active: bool
    note: str = ""


def card_views(cards: list[Card], query: QueryParams, active: dict[str, str]) -> list[CardView]:
    """Cards; one with a drill-down links to its rows (and back to all rows when it is shown)."""
    views = []
    drill_keys = {key for card in cards if card.drill for key in card.drill}
    for index, card in enumerate(cards):
        if card.drill is None:
            # The first card counts every row: with drill-downs beside it, it shows them all.
            everything = index == 0 and bool(drill_keys)
            selected = everything and not any(active.get(k) for k in drill_keys)
            href = with_params(query, **dict.fromkeys(drill_keys)) if everything else None
            views.append(CardView(card.label, card.value, href, selected))
            continue
        selected = all(active.get(k) == v for k, v in card.drill.items())
        views.append(CardView(card.label, card.value, with_params(query, **card.drill), selected))
    return views
