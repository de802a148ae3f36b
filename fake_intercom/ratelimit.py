"""Intercom's rate limit: fixed 10-second windows aligned to multiples of 10 s of unix time.

Every authenticated response carries X-RateLimit-Limit, -Remaining and -Reset (unix seconds at
which the window ends); past the limit the answer is a 429 `rate_limit_exceeded`
(reference §7). A limit of 0 means unlimited; the headers then show a nominal large limit.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from fake_intercom.errors import ApiError

WINDOW_SECONDS = 10
UNLIMITED_NOMINAL = 1_000_000


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    limit: int
    remaining: int
    reset: int

    def headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(self.remaining),
            "X-RateLimit-Reset": str(self.reset),
        }

    def error(self) -> ApiError:
        return ApiError(
            429, "rate_limit_exceeded", f"Exceeded rate limit of {self.limit} in 10_seconds"
        )


class RateLimiter:
    def __init__(self, limit_per_10s: int, clock: Callable[[], float]) -> None:
        self.limit = limit_per_10s
        self._clock = clock
        self._lock = threading.Lock()
        self._window = -1
        self._used = 0

    def _window_of(self, now: float) -> int:
        return math.floor(now / WINDOW_SECONDS)

    def hit(self) -> RateDecision:
        """Count one request against the current window and say whether it may proceed."""
        with self._lock:
            window = self._window_of(self._clock())
            if window != self._window:
                self._window, self._used = window, 0
            reset = (window + 1) * WINDOW_SECONDS
            if self.limit == 0:
                return RateDecision(True, UNLIMITED_NOMINAL, UNLIMITED_NOMINAL, reset)
            if self._used >= self.limit:
                return RateDecision(False, self.limit, 0, reset)
            self._used += 1
            return RateDecision(True, self.limit, self.limit - self._used, reset)

    def exhausted(self) -> RateDecision:
        """Headers for an injected 429 burst: the window looks used up."""
        with self._lock:
            window = self._window_of(self._clock())
            limit = self.limit or UNLIMITED_NOMINAL
            return RateDecision(False, limit, 0, (window + 1) * WINDOW_SECONDS)

    def reset(self) -> None:
        with self._lock:
            self._window, self._used = -1, 0
