"""The ASGI app: Intercom's routes over the backend, wrapped in what a real server does to them.

Every request to an API route goes through, in order: route match, bearer-token check (401
`unauthorized`, no rate-limit headers, not counted), the rate limit (X-RateLimit-* on every
authenticated answer, 429 past the limit), the request hooks, the fault draw, the latency, the
handler. `/_emulator/*` (control.py) skips all of that.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import socket
import struct
import threading
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import orjson
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route

from fake_intercom.backend import IntercomBackend
from fake_intercom.config import EmulatorConfig
from fake_intercom.errors import ApiError, parameter_invalid, resource_not_found
from fake_intercom.faults import FaultInjector, server_error
from fake_intercom.latency import Latency
from fake_intercom.ratelimit import RateLimiter

JSON = "application/json; charset=utf-8"


def json_response(
    content: Any, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    if isinstance(content, str):
        content = content.encode()
    elif not isinstance(content, bytes):
        content = orjson.dumps(content)
    return Response(content, status_code=status, media_type=JSON, headers=headers)


def error_response(error: ApiError, headers: dict[str, str] | None = None) -> Response:
    return json_response(error.body(), error.status, headers)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise parameter_invalid("Request body is not valid JSON") from None


@dataclass(frozen=True)
class RequestInfo:
    """What a request hook is told about each authenticated API request."""

    method: str
    endpoint: str  # the route template, e.g. "/conversations/search"
    path: str
    number: int  # 1 for the first authenticated API request since start or reset


# -------------------------------------------------------------------- routes
@dataclass(frozen=True)
class Call:
    """What a route handler gets: the JSON body, the path parameters, the query string."""

    body: Any
    path: dict[str, str]
    query: Any


def _paged(call: Call) -> tuple[Any, Any]:
    return call.query.get("per_page"), call.query.get("starting_after")


Handler = Callable[[IntercomBackend, Call], Any]
API_ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/me", lambda b, c: b.me()),
    ("GET", "/admins", lambda b, c: b.admins()),
    ("GET", "/teams", lambda b, c: b.teams()),
    ("GET", "/data_attributes", lambda b, c: b.data_attributes(c.query.get("model"))),
    ("POST", "/data_attributes", lambda b, c: b.create_data_attribute(c.body)),
    ("GET", "/contacts", lambda b, c: b.list_contacts(*_paged(c))),
    ("POST", "/contacts", lambda b, c: b.create_contact(c.body)),
    ("POST", "/contacts/search", lambda b, c: b.search_contacts(c.body)),
    (
        "POST",
        "/contacts/merge",
        lambda b, c: b.merge_contacts(c.body.get("from"), c.body.get("into")),
    ),
    ("GET", "/contacts/{contact_id}", lambda b, c: b.contact_json(c.path["contact_id"])),
    ("PUT", "/contacts/{contact_id}", lambda b, c: b.update_contact(c.path["contact_id"], c.body)),
    ("DELETE", "/contacts/{contact_id}", lambda b, c: b.delete_contact(c.path["contact_id"])),
    ("GET", "/conversations", lambda b, c: b.list_conversations(*_paged(c))),
    ("POST", "/conversations", lambda b, c: b.create_conversation_from_contact(c.body)),
    ("POST", "/conversations/search", lambda b, c: b.search_conversations(c.body)),
    (
        "GET",
        "/conversations/{conversation_id}",
        lambda b, c: b.conversation(c.path["conversation_id"]),
    ),
    (
        "PUT",
        "/conversations/{conversation_id}",
        lambda b, c: b.update_conversation(c.path["conversation_id"], c.body),
    ),
    (
        "POST",
        "/conversations/{conversation_id}/parts",
        lambda b, c: b.manage_conversation(c.path["conversation_id"], c.body),
    ),
    (
        "POST",
        "/conversations/{conversation_id}/reply",
        lambda b, c: b.reply(c.path["conversation_id"], c.body),
    ),
)


def _route(method: str, path: str, handler: Handler, backend: IntercomBackend) -> Route:
    async def endpoint(request: Request) -> Response:
        try:
            body = await json_body(request) if method in ("POST", "PUT") else None
            if body is not None and not isinstance(body, dict):
                raise parameter_invalid("The request body must be a JSON object")
            call = Call(body, dict(request.path_params), request.query_params)
            return json_response(handler(backend, call))
        except ApiError as error:
            return error_response(error)

    return Route(path, endpoint, methods=[method], name=f"{method} {path}")


# --------------------------------------------------------------------- stats
class Stats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.by_endpoint: defaultdict[str, Counter[str]] = defaultdict(Counter)
            self.rate_limited = 0
            self.unauthorized = 0
            self.versions: Counter[str] = Counter()

    def count_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def record(self, endpoint: str, outcome: str, version: str | None) -> None:
        with self._lock:
            self.requests += 1
            self.by_endpoint[endpoint][outcome] += 1
            self.versions[version or "(none)"] += 1
            if outcome == "401":
                self.unauthorized += 1

    def snapshot(self, faults: Counter[str]) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "by_endpoint": {k: dict(v) for k, v in sorted(self.by_endpoint.items())},
                "rate_limited": self.rate_limited,
                "unauthorized": self.unauthorized,
                "faults": dict(faults),
                "intercom_versions": dict(self.versions),
            }


# ----------------------------------------------------------------------- app
class EmulatorApp:
    """The ASGI callable (`FakeIntercom.app`)."""

    def __init__(
        self,
        backend: IntercomBackend,
        config: EmulatorConfig,
        *,
        seed: int,
        clock: Callable[[], float],
    ) -> None:
        from fake_intercom.control import control_routes

        self.backend = backend
        self.clock = clock
        self.workspace_seed = seed
        self.stats = Stats()
        self.hooks: list[Callable[[RequestInfo], None]] = []
        self.routes = [_route(m, p, h, backend) for m, p, h in API_ROUTES]
        self.control = control_routes(self)
        self.config = config
        self.limiter = RateLimiter(config.rate_limit_per_10s, clock)
        self.faults = FaultInjector(seed if config.fault_seed is None else config.fault_seed)
        self.latency = Latency.parse(config.latency)
        self._authenticated = 0
        self.apply_config(config)

    # ------------------------------------------------------------ knobs
    def apply_config(self, config: EmulatorConfig) -> None:
        self.config = config
        self.limiter.limit = config.rate_limit_per_10s
        self.latency = Latency.parse(config.latency)
        seed = self.workspace_seed if config.fault_seed is None else config.fault_seed
        if seed != self.faults.seed:
            self.faults = FaultInjector(seed)
        self.backend.set_index_lag(config.index_lag_seconds)

    def reset_counters(self) -> None:
        self.stats.reset()
        self.limiter.reset()
        self.faults.reset()
        self._authenticated = 0

    def stats_snapshot(self) -> dict[str, Any]:
        return self.stats.snapshot(self.faults.injected)

    # ------------------------------------------------------------- ASGI
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
        if scope["path"].startswith("/_emulator/"):
            await self._dispatch(self._find(self.control, scope), scope, receive, send)
            return
        await self._api(scope, receive, send)

    @staticmethod
    def _find(routes: list[Route], scope: dict) -> tuple[Route, dict] | None:
        for route in routes:
            match, child = route.matches(scope)
            if match == Match.FULL:
                return route, child
        return None

    async def _dispatch(
        self,
        found: tuple[Route, dict] | None,
        scope: dict,
        receive: Callable,
        send: Callable,
    ) -> None:
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
            token.strip().encode(), self.config.token.encode()
        )

    async def _api(self, scope: dict, receive: Callable, send: Callable) -> None:
        config = self.config
        method, path = scope["method"], scope["path"]
        found = self._find(self.routes, scope)
        template = found[0].path if found else "(unknown)"
        endpoint = f"{method} {template}"
        headers = Headers(scope=scope)
        outcome = "no response"

        async def send_counted(message: dict) -> None:
            nonlocal outcome
            if message["type"] == "http.response.start":
                outcome = str(message["status"])
            await send(message)

        try:
            if not self._authorized(headers):
                error = ApiError(401, "unauthorized", "Access Token Invalid")
                await error_response(error)(scope, receive, send_counted)
                return
            decision = self.limiter.hit()
            limit_headers = decision.headers()
            self._authenticated += 1
            info = RequestInfo(method, template, path, self._authenticated)
            for hook in list(self.hooks):
                hook(info)
            if not decision.allowed:
                self.stats.count_rate_limited()
                await error_response(decision.error(), limit_headers)(scope, receive, send_counted)
                return
            body = await _read_body(receive)
            draw = self.faults.draw(
                method,
                path,
                scope.get("query_string", b"").decode("latin-1"),
                body,
                config.fault_rate,
                config.fault_kinds,
                config.burst429_length,
            )
            delay = self.latency.sample(draw.latency_u)
            if delay > 0:
                await asyncio.sleep(delay)
            fault = draw.fault
            if fault in ("500", "502", "503"):
                await error_response(server_error(fault), limit_headers)(
                    scope, receive, send_counted
                )
                return
            if fault == "burst429":
                exhausted = self.limiter.exhausted()
                await error_response(exhausted.error(), exhausted.headers())(
                    scope, receive, send_counted
                )
                return
            if fault == "reset":
                outcome = "reset"
                await _reset_connection(receive)
                return
            replay = _replay(body, receive)
            if fault in ("timeout", "truncated"):
                captured = _Captured()
                await self._dispatch(found, scope, replay, captured.send)
                if fault == "truncated" and captured.start.get("status") == 200:
                    outcome = "truncated"
                    await captured.send_truncated(send, limit_headers)
                elif fault == "truncated":
                    self.faults.not_applied(fault)
                    outcome = str(captured.start.get("status"))
                    await captured.send_whole(send, limit_headers)
                else:
                    outcome = "timeout"
                    await _hang(receive, config.timeout_hang_seconds)
                    with contextlib.suppress(Exception):
                        await captured.send_whole(send, limit_headers)
                return
            await self._dispatch(found, scope, replay, _with_headers(send_counted, limit_headers))
        finally:
            self.stats.record(endpoint, outcome, headers.get("intercom-version"))


# ------------------------------------------------------------ ASGI plumbing
async def _read_body(receive: Callable) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Callable) -> Callable:
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _with_headers(send: Callable, extra: dict[str, str]) -> Callable:
    raw = [(k.lower().encode(), v.encode()) for k, v in extra.items()]

    async def wrapped(message: dict) -> None:
        if message["type"] == "http.response.start":
            message = dict(message, headers=[*message.get("headers", []), *raw])
        await send(message)

    return wrapped


def _transport(receive: Callable) -> Any:
    """uvicorn's transport behind `receive` (a bound method of its request cycle), or None
    in-process (httpx.ASGITransport), where there is no socket."""
    return getattr(getattr(receive, "__self__", None), "transport", None)


async def _reset_connection(receive: Callable) -> None:
    transport = _transport(receive)
    if transport is None:
        raise httpx.ReadError("connection reset by peer (emulated)")
    sock = transport.get_extra_info("socket")
    if sock is not None:
        # SO_LINGER with a zero timeout turns the close into an RST.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
    # Let uvicorn see the connection go before the app returns, so it does not try to answer.
    for _ in range(3):
        await asyncio.sleep(0)


async def _hang(receive: Callable, seconds: float) -> None:
    """Keep a real client waiting `seconds`, or until it gives up and disconnects."""
    if _transport(receive) is None:
        raise httpx.ReadTimeout("timed out (emulated)")

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(), timeout=seconds)


class _Captured:
    """Holds a handler's response so a fault can send it late or cut short."""

    def __init__(self) -> None:
        self.start: dict[str, Any] = {}
        self.body = b""

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def _start(self, extra: dict[str, str], length: int) -> dict[str, Any]:
        headers = [(k, v) for k, v in self.start.get("headers", []) if k != b"content-length"]
        headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
        headers.append((b"content-length", str(length).encode()))
        return {"type": "http.response.start", "status": self.start["status"], "headers": headers}

    async def send_whole(self, send: Callable, extra: dict[str, str]) -> None:
        await send(self._start(extra, len(self.body)))
        await send({"type": "http.response.body", "body": self.body})

    async def send_truncated(self, send: Callable, extra: dict[str, str]) -> None:
        cut = self.body[: max(1, len(self.body) // 2)]
        await send(self._start(extra, len(cut)))
        await send({"type": "http.response.body", "body": cut})
