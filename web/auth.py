"""The gate every request passes: who is asking, what they may see, and the access-log row.

* Only the log-in page and the static files answer without a user. Anyone else gets the log-in
  page (a page) or a 401 (a CSV or an API call).
* With `--behind-proxy`, only the listed proxies may connect; in proxy mode a listed proxy names
  the user in a header, mapped onto the same users and scopes.
* The user's scope becomes `request.state.report_scope`, which `web/state.py` hands to every
  report relation (reports/scope.py): one place, every route.
* Every request, answered or refused, is one row of the access log, written when its response is
  complete (a CSV's row count is known only then): the views leave the rows they returned in
  `request.state.rows`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from access.log import Entry
from access.service import Access
from access.users import User
from reports.scope import Scope as ReportScope
from web.transport import Peer, Transport, forwarded_user, peer_of

SESSION_COOKIE = "coach_session"
PUBLIC_PATHS = ("/login", "/favicon.ico")
PUBLIC_PREFIXES = ("/static/",)
ADMIN_PREFIXES = ("/writeback", "/api/writeback")


def report_scope(user: User) -> ReportScope:
    """The members `user` may see: admins and users without a scope see everyone."""
    if user.is_admin or not user.scoped:
        return ReportScope()
    return ReportScope(
        employers=frozenset(user.employers) if user.employers else None,
        coach_ids=frozenset(user.coaches) if user.coaches else None,
    )


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def admin_only(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in ADMIN_PREFIXES)


def event_of(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    return "download" if path.endswith(".csv") else "view"


def wants_page(path: str) -> bool:
    return event_of(path) == "view"


def session_cookie(scope: Scope) -> str | None:
    return Request(scope).cookies.get(SESSION_COOKIE)


def filters_of(scope: Scope) -> dict[str, Any] | None:
    """The query's parameters (one value, or a list when repeated), as the access log keeps them."""
    params = Request(scope).query_params
    found: dict[str, Any] = {}
    for key in params:
        values = params.getlist(key)
        found[key] = values[0] if len(values) == 1 else values
    return found or None


def log_request(
    access: Access,
    scope: Scope,
    event: str,
    user_name: str | None,
    status: int,
    detail: str | None = None,
) -> None:
    """The access-log row of one request: its route, filters, the rows the view left in
    `state.rows`, and the client the gate found (`state.peer`). Also what the log-in pages
    write."""
    access.log.record(
        Entry(
            event=event,
            user_name=user_name,
            method=scope["method"],
            route=scope["path"],
            status=status,
            filters=filters_of(scope),
            row_count=scope["state"].get("rows"),
            client=scope["state"]["peer"].address,
            detail=detail,
        )
    )


class AccessGate:
    def __init__(self, app: ASGIApp, access: Access, transport: Transport) -> None:
        self.app, self.access, self.transport = app, access, transport

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        peer = peer_of(scope, self.transport)
        state = scope.setdefault("state", {})
        state["peer"] = peer
        path = scope["path"]
        if self.transport.proxies and not peer.via_proxy:
            await self._refuse(scope, receive, send, peer, None, 403, "not a listed proxy")
            return
        if is_public(path):
            await self.app(scope, receive, send)
            return
        # In the event loop: with a kept connection the look-up takes tens of microseconds, less
        # than handing it to a worker thread (measured by `make bench-access`).
        user, reference = self._identify(scope, peer)
        if user is None:
            await self._refuse(scope, receive, send, peer, None, 401, "not logged in")
            return
        if admin_only(path) and not user.is_admin:
            await self._refuse(scope, receive, send, peer, user, 403, "admins only")
            return
        state.update(user=user, session_reference=reference, report_scope=report_scope(user))
        await self._serve(scope, receive, send, peer, user)

    def _identify(self, scope: Scope, peer: Peer) -> tuple[User | None, str | None]:
        if self.transport.user_header is not None:
            name = forwarded_user(scope, peer, self.transport)
            user = self.access.users.find(name) if name else None
            return (None, None) if user is None or user.disabled else (user, None)
        session = self.access.sessions.resume(session_cookie(scope))
        return (None, None) if session is None else (session.user, session.reference)

    async def _serve(self, scope: Scope, receive: Receive, send: Send, peer: Peer, user: User):
        status = 500

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            if not scope["state"].get("audited"):
                complete = scope["state"].get("complete", True)
                detail = None if complete else "response not completed"
                log_request(self.access, scope, event_of(scope["path"]), user.name, status, detail)

    async def _refuse(self, scope, receive, send, peer: Peer, user: User | None, status, why):
        path = scope["path"]
        response: Response
        if status == 401 and wants_page(path):
            query = scope["query_string"].decode("latin-1")
            target = path + (f"?{query}" if query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", 303)
        elif path.startswith("/api/"):
            response = JSONResponse({"error": _REFUSALS[status]}, status_code=status)
        elif wants_page(path):
            from web.state import render

            request = Request(scope, receive)
            message = _REFUSALS[status]
            response = render(request, "error.html", status, status=status, message=message)
        else:
            response = PlainTextResponse(f"Error: {_REFUSALS[status]}\n", status_code=status)
        await response(scope, receive, send)
        name = user.name if user else None
        log_request(self.access, scope, "denied", name, response.status_code, why)


_REFUSALS = {
    401: "Log in first.",
    403: "You are not allowed to see this.",
}
