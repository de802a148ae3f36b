"""The Starlette app: the route table, the headers every response carries, the error pages.

Every route is in `routes()`; tests enumerate it, so a route added later is tested too."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from access.service import Access
from warehouse.errors import CoachError
from warehouse.readers import PublishedReader
from warehouse.store import WarehousePaths
from web import account, table_views, views
from web.auth import AccessGate
from web.pages import EXPORT, PAGES
from web.settings import WebSettings
from web.state import HERE, render
from web.transport import Transport
from web.warm import warm

logger = logging.getLogger("coach.web")

SECURITY_HEADERS = {
    # Nothing but this app's own files: no inline script or style, no frames, no other origin.
    "content-security-policy": "default-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


def routes() -> list[BaseRoute]:
    table: list[BaseRoute] = [
        Route("/login", account.login_page, methods=["GET", "POST"], name="login"),
        Route("/logout", account.logout, methods=["POST"], name="logout"),
        Route("/account", account.account, methods=["GET", "POST"], name="account"),
        Route("/", views.home, name="home"),
        Route("/api/health", views.health_json, name="api:health"),
    ]
    for page in PAGES:
        table += [
            Route(f"/{page.name}", table_views.table_page, name=f"page:{page.name}"),
            Route(f"/{page.name}.csv", table_views.table_csv, name=f"csv:{page.name}"),
            Route(f"/api/{page.name}", table_views.table_json, name=f"api:{page.name}"),
        ]
    table += [
        Route(f"/{EXPORT.name}.csv", table_views.table_csv, name=f"csv:{EXPORT.name}"),
        Route(f"/api/{EXPORT.name}", table_views.table_json, name=f"api:{EXPORT.name}"),
        Route("/members/{contact_id}", views.member, name="member"),
        Route("/api/members/{contact_id}", views.member_json, name="api:member"),
        Route("/writeback", views.writeback_page, name="writeback"),
        Route("/writeback/plan.csv", views.writeback_plan_csv, name="csv:writeback-plan"),
        Route("/writeback/audit.csv", views.writeback_audit_csv, name="csv:writeback-audit"),
        Route("/api/writeback", views.writeback_json, name="api:writeback"),
        Route("/favicon.ico", favicon, name="favicon"),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    return table


async def favicon(request: Request) -> Response:
    return RedirectResponse("/static/favicon.svg", status_code=301)


class SecurityHeaders:
    """Adds the security headers to every response, and `Cache-Control: no-store` to all but the
    static files (everything else holds health data)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if k.decode().lower() not in SECURITY_HEADERS
                ]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                cache = b"public, max-age=3600" if static else b"no-store"
                headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                headers.append((b"cache-control", cache))
                message["headers"] = headers
            await send(message)

        started = False

        async def noting_start(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await with_headers(message)

        try:
            await self.app(scope, receive, noting_start)
        except Exception as exc:
            # Here rather than in Starlette's outermost error handler, so the 500 page carries
            # the headers too; the traceback goes to the server's log.
            logger.exception("Error answering %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            response = await internal_error(Request(scope, receive), exc)
            await response(scope, receive, with_headers)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path.endswith(".csv"))


def _error(request: Request, status: int, message: str) -> Response:
    if request.url.path.startswith("/api/"):
        return JSONResponse({"error": message}, status_code=status)
    if not _wants_html(request):
        return PlainTextResponse(f"Error: {message}\n", status_code=status)
    return render(request, "error.html", status, status=status, message=message)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    detail = exc.detail if exc.status_code != 404 or exc.detail != "Not Found" else None
    return _error(request, exc.status_code, detail or "There is no such page.")


async def coach_error(request: Request, exc: Exception) -> Response:
    """The warehouse cannot answer (not built yet, unreadable): one line, never a traceback."""
    return _error(request, 503, str(exc))


async def internal_error(request: Request, exc: Exception) -> Response:
    return _error(request, 500, f"Internal error ({type(exc).__name__}); the server log has more.")


def create_app(
    paths: WarehousePaths,
    access: Access,
    settings: WebSettings | None = None,
    *,
    transport: Transport | None = None,
    warm_new_files: bool = True,
) -> Starlette:
    """The app over the published file at `paths`, for the users of `access`. With
    `warm_new_files`, a newly published file is served once its common views are computed
    (web/warm.py); tests that check the switch itself turn it off."""
    app = Starlette(
        routes=routes(),
        exception_handlers={
            HTTPException: http_error,
            CoachError: coach_error,
        },
    )
    app.state.reader = PublishedReader(paths, warm if warm_new_files else None)
    app.state.settings = settings or WebSettings()
    app.state.access = access
    app.state.transport = transport or Transport()
    app.add_middleware(AccessGate, access=access, transport=app.state.transport)
    app.add_middleware(GZipMiddleware, minimum_size=2_000)
    app.add_middleware(SecurityHeaders)
    return app
