"""Lists and searches, a page at a time: keyset paging over the store with Intercom's opaque,
stateless cursors. A page holds the records' stored JSON texts, so a response is assembled
without re-serialising them (responses.py shapes the envelope)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fake_intercom.models.base import BackendBase
from fake_intercom.pagination import Cursor, encode_cursor, pages_object
from fake_intercom.search import DATE, SearchModel
from fake_intercom.store import SEARCH_BODY


@dataclass(frozen=True)
class Page:
    items: list[str]  # each record's JSON text, as stored
    total_count: int
    pages: dict[str, Any]  # the `pages` object: page, per_page, total_pages, next


class PagingMixin(BackendBase):
    def _list(self, table: str, where: str, key: str, size: int, cursor: Cursor | None) -> Page:
        """A list endpoint: every row of `table` matching `where`, newest `key` first."""
        with self.lock:
            return self._page(
                table,
                where=where,
                params=(),
                body_sql="t.body",
                key=key,
                descending=True,
                millis=True,
                size=size,
                cursor=cursor,
            )

    def _search(
        self,
        model: SearchModel,
        table: str,
        base: str,
        query: Mapping[str, Any],
        sort: Any,
        size: int,
        cursor: Cursor | None,
    ) -> Page:
        """A search endpoint: what the search index sees (index lag) matching `query`."""
        with self.lock:
            compiled = model.compile(query, sort, self.custom_types(model.model))
            self.store.flush_index(self.clock())
            return self._page(
                table,
                where=f"{base} AND {compiled.where}",
                params=compiled.params,
                body_sql=SEARCH_BODY,
                key=compiled.sort_key,
                descending=compiled.descending,
                millis=compiled.sort_field.type == DATE,
                size=size,
                cursor=cursor,
            )

    def _count(self, table: str, where: str, params: tuple[Any, ...]) -> int:
        """total_count, cached until the data changes (a walk asks for it on every page)."""
        if self._count_version != self.store.data_version:
            self._count_cache.clear()
            self._count_version = self.store.data_version
        key = (table, where, params)
        if key not in self._count_cache:
            self._count_cache[key] = self.store.conn.execute(
                f"SELECT count(*) FROM {table} t WHERE {where}", params
            ).fetchone()[0]
        return self._count_cache[key]

    def _page(
        self,
        table: str,
        *,
        where: str,
        params: tuple[Any, ...],
        body_sql: str,
        key: str,
        descending: bool,
        millis: bool,
        size: int,
        cursor: Cursor | None,
    ) -> Page:
        total = self._count(table, where, params)
        direction, compare = ("DESC", "<") if descending else ("ASC", ">")
        keyset, page = "", 1
        extra: tuple[Any, ...] = ()
        if cursor is not None:
            value = cursor.sort_value
            if millis and isinstance(value, int):
                value //= 1000
            # Written so SQLite seeks the (key, rowid) index instead of scanning from the start.
            bound = "<=" if descending else ">="
            keyset = f" AND {key} {bound} ? AND ({key} {compare} ? OR t.rowid {compare} ?)"
            extra = (value, value, cursor.rowid)
            page = cursor.page
        rows = self.store.conn.execute(
            f"SELECT {body_sql}, {key}, t.rowid FROM {table} t WHERE {where}{keyset}"
            f" ORDER BY {key} {direction}, t.rowid {direction} LIMIT ?",
            (*params, *extra, size + 1),
        ).fetchall()
        next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last_value = rows[-1][1]
            if millis and isinstance(last_value, int):
                last_value *= 1000
            next_cursor = encode_cursor(last_value, rows[-1][2], page + 1)
        return Page([r[0] for r in rows], total, pages_object(page, size, total, next_cursor))
