"""The access log: one row per log-in, failed log-in, log-out, page view, download and API call:
when, who, what (method and route), the filters, how many rows were shown, the client, and the
response status. Appended only (the store's triggers refuse changes); read by `coach access-log`.
Passwords and session ids are never given to it; text is scrubbed of credentials regardless."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from access.store import AccessStore
from warehouse.secrets import scrub

EVENTS = (
    "login",
    "login_failed",
    "login_refused",
    "logout",
    "password_changed",
    "view",
    "download",
    "api",
    "denied",
)
COLUMNS = (
    "at",
    "user_name",
    "event",
    "method",
    "route",
    "status",
    "filters",
    "row_count",
    "client",
    "detail",
)


@dataclass(frozen=True)
class Entry:
    event: str
    user_name: str | None = None
    method: str | None = None
    route: str | None = None
    status: int | None = None
    filters: Mapping[str, Any] | None = None
    row_count: int | None = None
    client: str | None = None
    detail: str | None = None


class AccessLog:
    def __init__(self, store: AccessStore) -> None:
        self.store = store

    def record(self, entry: Entry) -> None:
        if entry.event not in EVENTS:
            raise ValueError(f"unknown access-log event {entry.event!r}")
        filters = None
        if entry.filters:
            filters = scrub(json.dumps(entry.filters, ensure_ascii=False, sort_keys=True))
        with self.store.connect() as con:
            con.execute(
                f"insert into access_log ({', '.join(COLUMNS)}) values ({', '.join('?' * 10)})",
                [
                    datetime.now(UTC).isoformat(timespec="microseconds"),
                    entry.user_name,
                    entry.event,
                    entry.method,
                    entry.route,
                    entry.status,
                    filters,
                    entry.row_count,
                    entry.client,
                    scrub(entry.detail) if entry.detail else None,
                ],
            )

    def read(self, since: datetime | None = None, user: str | None = None) -> list[dict[str, Any]]:
        """Entries from `since` (an aware instant) on, of one user (any case) or all."""
        where: list[str] = []
        params: list[Any] = []
        if since is not None:
            where.append("at >= ?")
            params.append(since.astimezone(UTC).isoformat(timespec="microseconds"))
        if user is not None:
            where.append("user_name = ? collate nocase")
            params.append(user)
        clause = f"where {' and '.join(where)}" if where else ""
        with self.store.connect() as con:
            rows = con.execute(
                f"select {', '.join(COLUMNS)} from access_log {clause} order by id", params
            ).fetchall()
        return [dict(row) for row in rows]
