"""Injected faults, deterministic under a seed and independent of how requests interleave.

Each request is judged by a hash of (seed, method, path, query, body, n) where n counts earlier
requests with exactly the same method, path, query and body. A retry is therefore a fresh,
independent draw, and concurrent clients see the same faults run after run whatever order their
requests reach the server in. The same hash also gives the request's latency draw.

Kinds and what a client sees:
  500, 502, 503  an `error.list` (`server_error` / `service_unavailable`); nothing is applied
  burst429       this request and the next N-1 identical ones get 429 `rate_limit_exceeded`
                 with X-RateLimit-Remaining 0 and a correct reset; nothing is applied
  reset          the connection is aborted with an RST (loopback) or httpx.ReadError
                 (in-process); nothing is applied
  timeout        the request is applied, then the answer hangs longer than a client waits
                 (loopback) or httpx.ReadTimeout is raised (in-process)
  truncated      the request is applied and a 200 whose JSON body is cut in half is sent,
                 with a Content-Length that matches the cut body
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from dataclasses import dataclass

from fake_intercom.errors import ApiError

_SERVER_ERRORS = {
    "500": (500, "server_error", "Internal server error"),
    "502": (502, "server_error", "Bad gateway"),
    "503": (503, "service_unavailable", "Service temporarily unavailable"),
}


def server_error(kind: str) -> ApiError:
    return ApiError(*_SERVER_ERRORS[kind])


@dataclass(frozen=True)
class Draw:
    """What the hash decided for one request: an optional fault and a latency draw in (0, 1)."""

    fault: str | None
    latency_u: float


class FaultInjector:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._occurrences: Counter[bytes] = Counter()
        self._burst_left: Counter[bytes] = Counter()
        self.injected: Counter[str] = Counter()

    def draw(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        rate: float,
        kinds: tuple[str, ...],
        burst_length: int,
    ) -> Draw:
        key = hashlib.blake2b(
            b"\0".join([method.encode(), path.encode(), query.encode(), body]), digest_size=16
        ).digest()
        with self._lock:
            n = self._occurrences[key]
            self._occurrences[key] = n + 1
            digest = hashlib.blake2b(
                key + n.to_bytes(8, "big"),
                digest_size=24,
                key=self.seed.to_bytes(16, "big", signed=True),
            ).digest()
            latency_u = (int.from_bytes(digest[16:24], "big") + 0.5) / 2**64
            if self._burst_left[key] > 0:
                self._burst_left[key] -= 1
                fault: str | None = "burst429"
            else:
                u = int.from_bytes(digest[:8], "big") / 2**64
                fault = None
                if u < rate:
                    fault = kinds[int.from_bytes(digest[8:16], "big") % len(kinds)]
                    if fault == "burst429":
                        self._burst_left[key] = burst_length - 1
            if fault is not None:
                self.injected[fault] += 1
            return Draw(fault, latency_u)

    def not_applied(self, fault: str) -> None:
        """A drawn fault that could not apply (a `truncated` draw on a non-200 answer)."""
        with self._lock:
            self.injected[fault] -= 1

    def reset(self) -> None:
        with self._lock:
            self._occurrences.clear()
            self._burst_left.clear()
            self.injected.clear()
