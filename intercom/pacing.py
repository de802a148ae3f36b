"""One rate-limit budget shared by every request a client sends.

Intercom counts requests in fixed 10-second windows and reports, on every authenticated answer,
`X-RateLimit-Limit` (the window's budget), `X-RateLimit-Remaining` and `X-RateLimit-Reset` (unix
seconds when the window ends). The pacer learns those, charges each request it lets through to
the window it will land in, and makes a request wait for the next window when the budget is
spent, so a run spends the whole budget without bouncing off 429s.

A request sent within `guard` seconds of a window edge may be counted by the server in either
window (latency, clock skew), so it is charged to both. What the server reports it has counted
is merged in, which also accounts for other apps spending the same workspace budget. A 429
closes the window it names. Until the first answer tells us the budget, one request at a time
goes out.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from collections.abc import AsyncIterator, Callable, Mapping

WINDOW_SECONDS = 10.0  # Intercom's documented window; the reset header gives its grid


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw))
    except ValueError:
        return None


class RateLimitPacer:
    def __init__(
        self,
        *,
        guard: float = 0.25,
        reserve: int = 0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._guard = guard
        self._reserve = reserve
        self._clock = clock
        self._window = WINDOW_SECONDS
        self._limit: int | None = None
        self._unlimited = False
        self._anchor: int | None = None  # the end of some server window (unix seconds)
        self._charged: dict[int, int] = {}  # window end (ms) -> requests counted against it
        self._lock = asyncio.Lock()
        self._learned = asyncio.Event()
        self._probing = 0
        self.waits = 0
        self.waited_seconds = 0.0

    @property
    def limit(self) -> int | None:
        return self._limit

    @contextlib.asynccontextmanager
    async def permit(self) -> AsyncIterator[None]:
        """Wait for room in the budget, then hold the permit while the request runs."""
        probing = await self._acquire()
        try:
            yield
        finally:
            if probing:
                self._probing -= 1
                self._learned.set()

    async def _acquire(self) -> bool:
        async with self._lock:
            while True:
                if self._unlimited:
                    return False
                if self._limit is None or self._anchor is None:
                    if self._probing == 0:
                        self._probing += 1
                        return True
                    self._learned.clear()
                    await self._learned.wait()
                    continue
                now = self._clock()
                windows = {self._window_end(now - self._guard), self._window_end(now + self._guard)}
                budget = self._limit - self._reserve
                full = [end for end in windows if self._charged.get(end, 0) >= budget]
                if not full:
                    for end in windows:
                        self._charged[end] = self._charged.get(end, 0) + 1
                    return False
                # Room comes back once `now - guard` has left the last full window.
                delay = max(full) / 1000 + self._guard - now
                self.waits += 1
                self.waited_seconds += max(delay, 0.0)
                await asyncio.sleep(max(delay, 0.001))

    def _window_end(self, t: float) -> int:
        """The end (ms) of the window holding instant `t`, on the server's window grid."""
        assert self._anchor is not None
        k = math.floor((t - self._anchor) / self._window) + 1
        return round((self._anchor + k * self._window) * 1000)

    def observe(self, status: int, headers: Mapping[str, str]) -> None:
        """Learn from an answer's rate-limit headers (call for every answer, 429s included)."""
        limit = _int_header(headers, "x-ratelimit-limit")
        remaining = _int_header(headers, "x-ratelimit-remaining")
        reset = _int_header(headers, "x-ratelimit-reset")
        if limit is None or remaining is None or reset is None:
            if self._limit is None and 200 <= status < 300:
                self._unlimited = True  # a server that reports no limit is not paced
                self._learned.set()
            return
        self._anchor = reset if self._anchor is None else max(self._anchor, reset)
        self._limit = max(limit, 1)
        self._unlimited = False
        end = reset * 1000
        used = self._limit if status == 429 else max(limit - remaining, 0)
        self._charged[end] = max(self._charged.get(end, 0), used)
        horizon = round((self._clock() - 2 * self._window) * 1000)
        for old in [key for key in self._charged if key < horizon]:
            del self._charged[old]
        self._learned.set()
