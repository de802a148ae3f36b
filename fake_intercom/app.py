"""The ASGI app: the route table (urls.py) wrapped in what a real server does to a request.

Every request to an API route goes through, in order: route match, bearer-token check (401
`unauthorized`, no rate-limit headers, not counted), the rate limit (X-RateLimit-* on every
authenticated answer, 429 past the limit), the request hooks, the fault draw, the latency, the
handler. `/_emulator/*` skips all of that.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections.abc import Callable, Mapping

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from fake_intercom.delivery import (
    Captured,
    hang,
    read_body,
    replayed,
    reset_connection,
    with_headers,
)
from fake_intercom.emulator import Emulator
from fake_intercom.errors import ApiError, KnobError, parameter_invalid, resource_not_found
from fake_intercom.faults import server_error
from fake_intercom.urls import CONTROL_PREFIX, URLS, Url
from fake_intercom.wire import as_response, error_response, read_call

Found = tuple[Route, dict] | None


def _route(url: Url, emulator: Emulator) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            return as_response(url.handler(emulator, await read_call(request)))
        except ApiError as error:
            return error_response(error)
        except KnobError as error:
            return error_response(parameter_invalid(str(error)))

    return Route(url.path, endpoint, methods=[url.method], name=f"{url.method} {url.path}")


class _Counted:
    """`send` that remembers the outcome to count: the status sent, or what happened instead."""

    def __init__(self, send: Callable) -> None:
        self.uncounted = send
        self.outcome = "no response"

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.outcome = str(message["status"])
        await self.uncounted(message)


class EmulatorApp:
    """The ASGI callable (`FakeIntercom.app`) over the emulator's state."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.api = [_route(url, emulator) for url in URLS if not url.is_control]
        self.control = [_route(url, emulator) for url in URLS if url.is_control]

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope["path"].startswith(CONTROL_PREFIX):
            await self._dispatch(_find(self.control, scope), scope, receive, send)
            return
        found = _find(self.api, scope)
        template = found[0].path if found else "(unknown)"
        headers = Headers(scope=scope)
        counted = _Counted(send)
        try:
            await self._api(found, template, headers, scope, receive, counted)
        finally:
            self.emulator.stats.record(
                f"{scope['method']} {template}", counted.outcome, headers.get("intercom-version")
            )

    async def _dispatch(self, found: Found, scope: dict, receive: Callable, send: Callable) -> None:
        if found is None:
            # Intercom answers unknown paths and unsupported methods alike with a 404.
            await error_response(resource_not_found())(scope, receive, send)
            return
        route, child = found
        scope.update(child)
        await route.handle(scope, receive, send)

    def _authorized(self, headers: Headers) -> bool:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            token.strip().encode(), self.emulator.config.token.encode()
        )

    async def _api(
        self,
        found: Found,
        template: str,
        headers: Headers,
        scope: dict,
        receive: Callable,
        counted: _Counted,
    ) -> None:
        """Token, rate limit, hooks, fault draw and latency, then the answer."""
        emulator, config = self.emulator, self.emulator.config
        if not self._authorized(headers):
            error = ApiError(401, "unauthorized", "Access Token Invalid")
            await error_response(error)(scope, receive, counted.send)
            return
        decision = emulator.limiter.hit()
        emulator.authenticated_request(scope["method"], template, scope["path"])
        if not decision.allowed:
            emulator.stats.count_rate_limited()
            await error_response(decision.error(), decision.headers())(scope, receive, counted.send)
            return
        body = await read_body(receive)
        draw = emulator.faults.draw(
            scope["method"],
            scope["path"],
            scope.get("query_string", b"").decode("latin-1"),
            body,
            config.fault_rate,
            config.fault_kinds,
            config.burst429_length,
        )
        delay = emulator.latency.sample(draw.latency_u)
        if delay > 0:
            await asyncio.sleep(delay)
        await self._answer(draw.fault, found, scope, (body, receive), counted, decision.headers())

    async def _answer(
        self,
        fault: str | None,
        found: Found,
        scope: dict,
        request: tuple[bytes, Callable],
        counted: _Counted,
        limit_headers: Mapping[str, str],
    ) -> None:
        """The handler's answer, or the drawn fault: 5xx, a 429 burst and a reset happen
        before the request is applied; a timeout and a truncated body after it. `request` is
        the body already read and the server's own `receive` (the socket is behind it)."""
        body, receive = request
        if fault in ("500", "502", "503"):
            await error_response(server_error(fault), limit_headers)(scope, receive, counted.send)
        elif fault == "burst429":
            exhausted = self.emulator.limiter.exhausted()
            await error_response(exhausted.error(), exhausted.headers())(
                scope, receive, counted.send
            )
        elif fault == "reset":
            counted.outcome = "reset"
            await reset_connection(receive)
        elif fault in ("timeout", "truncated"):
            await self._late(fault, found, scope, request, counted, limit_headers)
        else:
            send = with_headers(counted.send, limit_headers)
            await self._dispatch(found, scope, replayed(body, receive), send)

    async def _late(
        self,
        fault: str,
        found: Found,
        scope: dict,
        request: tuple[bytes, Callable],
        counted: _Counted,
        limit_headers: Mapping[str, str],
    ) -> None:
        """Apply the request, then lose the answer (timeout) or cut it in half (truncated; only
        a 200 is cut, anything else goes out whole and the fault is not counted)."""
        body, receive = request
        send = counted.uncounted
        captured = Captured()
        await self._dispatch(found, scope, replayed(body, receive), captured.send)
        if fault == "truncated" and captured.start.get("status") == 200:
            counted.outcome = "truncated"
            await captured.send_truncated(send, dict(limit_headers))
        elif fault == "truncated":
            self.emulator.faults.not_applied(fault)
            counted.outcome = str(captured.start.get("status"))
            await captured.send_whole(send, dict(limit_headers))
        else:
            counted.outcome = "timeout"
            await hang(receive, self.emulator.config.timeout_hang_seconds)
            with contextlib.suppress(Exception):
                await captured.send_whole(send, dict(limit_headers))


def _find(routes: list[Route], scope: dict) -> Found:
    for route in routes:
        match, child = route.matches(scope)
        if match == Match.FULL:
            return route, child
    return None
