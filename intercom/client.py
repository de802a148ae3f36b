"""The Intercom HTTP client: any method, any path, a JSON body, JSON back.

Every request goes through one in-flight limit, the shared rate-limit pacer and the retry
policy, and is counted in the caller's `CallStats`. Errors come out as one-line `IntercomError`s
that name the method and path, never headers (the token lives only inside `BearerAuth`).
Write-back reuses this client as it is; nothing here knows about ingest.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import math
import ssl
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from intercom.errors import (
    IntercomAuthError,
    IntercomError,
    IntercomNotFound,
    IntercomUnavailable,
    MalformedBody,
    RateLimited,
    Retryable,
    ServerFault,
    error_detail,
    redact,
)
from intercom.pacing import RateLimitPacer
from intercom.retry import TRANSIENT_HTTPX, RetryPolicy
from warehouse.config import IntercomSettings, Secret

USER_AGENT = "coach-warehouse/0.1"
Decode = Callable[[bytes], Awaitable[Any]]
CONNECTIONS_PER_POOL = 8


@dataclass
class CallStats:
    """What one stream (or one write-back run) cost: HTTP attempts, retries, 429s received."""

    calls: int = 0
    retries: int = 0
    rate_limited: int = 0


class BearerAuth(httpx.Auth):
    """Adds the token at send time, so it is in no default header, repr or log line."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(****)"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One verified TLS context for every pool (building one loads the CA bundle: ~0.1 s)."""
    return httpx.create_ssl_context()


def _retry_after(
    headers: Mapping[str, str], now: float, *, rate_limited: bool = False
) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or HTTP date), else, for a 429, until
    `X-RateLimit-Reset` (the window's end; on other answers it says nothing about retrying)."""
    raw = headers.get("retry-after")
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(raw).timestamp() - now)
            except (TypeError, ValueError):
                pass
    reset = headers.get("x-ratelimit-reset")
    if reset and rate_limited:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            pass
    return None


class IntercomClient:
    def __init__(
        self,
        settings: IntercomSettings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_in_flight: int = 32,
        retry: RetryPolicy | None = None,
        pacer: RateLimitPacer | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._token = settings.require_token()
        self.api_base = settings.api_base
        self.retry = retry or RetryPolicy()
        self.pacer = pacer or RateLimitPacer(clock=clock)
        self._clock = clock
        self._slots = asyncio.Semaphore(max_in_flight)
        # httpcore scans its whole pool on every request event, so a pool's cost per request
        # grows with its size; several small pools keep that flat at high concurrency.
        pools = math.ceil(max_in_flight / CONNECTIONS_PER_POOL)
        per_pool = math.ceil(max_in_flight / pools)
        self._pools = [
            httpx.AsyncClient(
                base_url=settings.api_base,
                auth=BearerAuth(self._token),
                headers={
                    "Intercom-Version": settings.version,
                    "Accept": "application/json",
                    "User-Agent": USER_AGENT,
                },
                timeout=httpx.Timeout(timeout),
                limits=httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool),
                transport=transport,
                follow_redirects=False,
                verify=_tls_context(),
            )
            for _ in range(pools)
        ]
        self._busy = [0] * pools

    async def __aenter__(self) -> IntercomClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        for pool in self._pools:
            await pool.aclose()

    def __repr__(self) -> str:
        return f"IntercomClient({self.api_base!r})"

    async def get(
        self,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        stats: CallStats | None = None,
        decode: Decode | None = None,
    ) -> Any:
        return await self.request("GET", path, params=params, stats=stats, decode=decode)

    async def post(
        self, path: str, *, json: Any, stats: CallStats | None = None, decode: Decode | None = None
    ) -> Any:
        return await self.request("POST", path, json=json, stats=stats, decode=decode)

    async def put(
        self, path: str, *, json: Any, stats: CallStats | None = None, decode: Decode | None = None
    ) -> Any:
        return await self.request("PUT", path, json=json, stats=stats, decode=decode)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        stats: CallStats | None = None,
        retry: RetryPolicy | None = None,
        decode: Decode | None = None,
    ) -> Any:
        """Send with pacing and retries; return the parsed JSON body (None for an empty 2xx),
        or what `decode` makes of a 2xx body (raising `MalformedBody` to have it retried)."""
        stats = stats if stats is not None else CallStats()
        policy = retry or self.retry
        body = None if json is None else orjson.dumps(json)

        def on_retry(exc: BaseException | None, _sleep: float) -> None:
            stats.retries += 1

        try:
            async for attempt in policy.retrying(on_retry):
                with attempt:
                    result = await self._attempt(method, path, params, body, stats, decode)
        except (Retryable, *TRANSIENT_HTTPX) as exc:
            raise self._gave_up(method, path, exc) from None
        except httpx.HTTPError as exc:  # not transient: e.g. an invalid URL
            raise IntercomError(
                redact(f"{method} {path} failed: {type(exc).__name__}: {exc}")
            ) from None
        return result

    async def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None,
        body: bytes | None,
        stats: CallStats,
        decode: Decode | None,
    ) -> Any:
        headers = {"Content-Type": "application/json"} if body is not None else None
        async with self._slots, self.pacer.permit():
            stats.calls += 1
            pool = min(range(len(self._pools)), key=self._busy.__getitem__)
            self._busy[pool] += 1
            try:
                response = await self._pools[pool].request(
                    method, path, params=params, content=body, headers=headers
                )
            finally:
                self._busy[pool] -= 1
            self.pacer.observe(response.status_code, response.headers)
        status = response.status_code
        if 200 <= status < 300:
            if not response.content:
                return None
            if decode is not None:
                return await decode(response.content)
            try:
                return orjson.loads(response.content)
            except orjson.JSONDecodeError:
                raise MalformedBody(
                    f"{status} with a body that is not valid JSON ({len(response.content)} bytes)"
                ) from None
        code, message = error_detail(_json_or_none(response.content))
        summary = redact(f"{status} {code or response.reason_phrase}: {message}".strip(": "))
        if status == 429:
            stats.rate_limited += 1
            raise RateLimited(
                summary, _retry_after(response.headers, self._clock(), rate_limited=True)
            )
        if status >= 500 or status == 408:
            raise ServerFault(summary, _retry_after(response.headers, self._clock()))
        where = f"{method} {path}"
        if status == 401:
            raise IntercomAuthError(
                f"Intercom rejected the access token ({summary}); check INTERCOM_ACCESS_TOKEN.",
                status=status,
                code=code,
            )
        if status in (404, 410):
            raise IntercomNotFound(
                f"Intercom has no {where} ({summary}).", status=status, code=code
            )
        raise IntercomError(f"Intercom refused {where} ({summary}).", status=status, code=code)

    def _gave_up(self, method: str, path: str, exc: BaseException) -> IntercomUnavailable:
        if isinstance(exc, Retryable):
            cause = str(exc)
        else:
            cause = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        error = IntercomUnavailable(
            redact(f"{method} {path} to {self.api_base} still failed after retrying ({cause}).")
        )
        error.unreachable = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
        return error


def _json_or_none(content: bytes) -> Any:
    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return None
