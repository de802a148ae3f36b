"""Logging in and out and changing one's password: the only requests that change anything.

Each POST must come from the app's own origin (its Origin, else Referer header) and carry a CSRF
token: the log-in form a random value that must equal its own short-lived cookie (there is no
session yet), the others an HMAC of the session (access/guards.py). A log-in always starts a new
session id; the answer to a failed log-in is the same, and takes as long, whether the name exists
or not (access/login.py).
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import parse_qs

import anyio
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from access.guards import csrf_ok, csrf_token, origin_ok, same_value
from access.service import Access
from warehouse.errors import UsageError
from warehouse.text import printable
from web.auth import SESSION_COOKIE, log_request
from web.state import render

LOGIN_COOKIE = "coach_login_csrf"
MAX_FORM_BYTES = 8_192
MAX_FIELD = 1_024


def access_of(request: Request) -> Access:
    return request.app.state.access


def _secure(request: Request) -> bool:
    return request.state.peer.https


async def _form(request: Request) -> dict[str, str] | None:
    """The url-encoded form of a POST (first value of each field), None when it is not one."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            return None
    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0][:MAX_FIELD] for k, v in fields.items()}


def _from_here(request: Request) -> bool:
    return origin_ok(
        request.headers.get("origin"),
        request.headers.get("referer"),
        request.state.peer.origin,
        request.headers.get("sec-fetch-site"),
    )


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of this app only (never another site)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


async def _log(request: Request, event: str, user_name: str | None, status: int, detail=None):
    request.state.audited = True
    log_request(access_of(request), request.scope, event, user_name, status, detail)


def _login_page(
    request: Request,
    status: int = 200,
    error: str | None = None,
    name: str = "",
    next_path: str | None = None,
):
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        status,
        login_csrf=token,
        next_path=safe_next(next_path or request.query_params.get("next")),
        name=name,
        error=error,
        proxy_mode=request.app.state.transport.user_header is not None,
    )
    response.set_cookie(
        LOGIN_COOKIE,
        token,
        max_age=3600,
        path="/login",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )
    return response


async def login_page(request: Request) -> Response:
    if request.method == "GET":
        response = _login_page(request)
        await _log(request, "view", None, response.status_code)
        return response
    return await _login(request)


async def _login(request: Request) -> Response:
    form = await _form(request)
    if form is None:
        await _log(request, "login_refused", None, 400, "not a log-in form")
        return _login_page(request, 400, "Send the log-in form.")
    name = printable(form.get("name", "").strip())[:64]
    if not _from_here(request) or not same_value(
        request.cookies.get(LOGIN_COOKIE), form.get("csrf")
    ):
        await _log(request, "login_refused", name or None, 403, "origin or CSRF token")
        message = "The log-in form had expired; log in again."
        return _login_page(request, 403, message, name, form.get("next"))
    access = access_of(request)
    outcome = await anyio.to_thread.run_sync(access.login.attempt, name, form.get("password", ""))
    if outcome.user is None:
        if outcome.failure == "locked":
            minutes = max(1, round(outcome.locked_for_seconds / 60))
            await _log(request, "login_refused", name or None, 429, "locked out")
            message = f"Too many failed log-ins for this name; try again in {minutes} minutes."
            return _login_page(request, 429, message, name, form.get("next"))
        await _log(request, "login_failed", name or None, 401, outcome.failure)
        message = "The name or the password is wrong."
        return _login_page(request, 401, message, name, form.get("next"))
    access.sessions.end(request.cookies.get(SESSION_COOKIE), "new log-in")
    token = access.sessions.start(outcome.user, request.state.peer.address)
    response = RedirectResponse(safe_next(form.get("next")), 303)
    _set_session(request, response, token)
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    await _log(request, "login", outcome.user.name, 303)
    return response


def _set_session(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        path="/",
        httponly=True,
        samesite="strict",
        secure=_secure(request),
    )


async def _checked_form(request: Request) -> dict[str, str] | None:
    """A logged-in user's POST: its form when it comes from here with the session's token."""
    form = await _form(request)
    reference = getattr(request.state, "session_reference", None)
    secret = access_of(request).csrf_secret
    if form is None or reference is None or not _from_here(request):
        return None
    return form if csrf_ok(secret, reference, form.get("csrf")) else None


async def logout(request: Request) -> Response:
    user = request.state.user
    if await _checked_form(request) is None:
        await _log(request, "denied", user.name, 403, "origin or CSRF token")
        return render(request, "error.html", 403, status=403, message=_EXPIRED)
    access_of(request).sessions.end(request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", 303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    await _log(request, "logout", user.name, 303)
    return response


_EXPIRED = "This form had expired or came from elsewhere; nothing was changed. Try again."


def _account_page(request: Request, status: int = 200, **context: Any) -> Response:
    context.setdefault("error", None)
    context.setdefault("done", False)
    return render(request, "account.html", status, **context)


async def account(request: Request) -> Response:
    if request.method == "GET":
        return _account_page(request, done=request.query_params.get("changed") == "1")
    user = request.state.user
    form = await _checked_form(request)
    if form is None:
        await _log(request, "denied", user.name, 403, "origin or CSRF token")
        return _account_page(request, 403, error=_EXPIRED)
    access = access_of(request)
    checked = await anyio.to_thread.run_sync(
        access.login.attempt, user.name, form.get("current", "")
    )
    if checked.user is None:
        await _log(request, "denied", user.name, 403, "current password wrong")
        return _account_page(request, 403, error="The current password is wrong.")
    new = form.get("new", "")
    if new != form.get("confirm", ""):
        return _account_page(request, 400, error="The two new passwords differ.")
    try:
        await anyio.to_thread.run_sync(access.users.set_password, user.name, new)
    except UsageError as error:
        return _account_page(request, 400, error=str(error))
    # Changing the password ended every session of this user, this one included: start anew.
    response = RedirectResponse("/account?changed=1", 303)
    _set_session(request, response, access.sessions.start(user, request.state.peer.address))
    await _log(request, "password_changed", user.name, 303)
    return response


def csrf_for(request: Request) -> str | None:
    reference = getattr(request.state, "session_reference", None)
    if reference is None:
        return None
    return csrf_token(access_of(request).csrf_secret, reference)
