"""When and how long to retry a request (tenacity).

Retried: 408/429/5xx answers, timeouts, connection and protocol errors, and 2xx bodies that are
not valid JSON. Never retried: any other 4xx, which is the caller's fault and would fail again.
The wait honours the server: `Retry-After`, else `X-RateLimit-Reset` (the client turns either
into `Retryable.retry_after`), else exponential backoff with jitter.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from intercom.errors import RateLimited, Retryable

# Raised by httpx for problems of the connection or the body, not of our request.
TRANSIENT_HTTPX = (
    httpx.TimeoutException,
    httpx.NetworkError,
    httpx.RemoteProtocolError,
    httpx.DecodingError,
)


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (Retryable, *TRANSIENT_HTTPX))


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded attempts. 429s have a budget of their own: being told to wait is not a failure,
    but a server that never lets us in must still end the run."""

    max_attempts: int = 8
    max_rate_limited: int = 20
    backoff_initial: float = 0.5
    backoff_max: float = 30.0
    max_wait: float = 120.0

    def retrying(self, on_retry: Callable[[BaseException, float], None]) -> AsyncRetrying:
        backoff = wait_exponential_jitter(
            multiplier=self.backoff_initial, max=self.backoff_max, jitter=self.backoff_initial
        )

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            hint = getattr(exc, "retry_after", None)
            if hint is not None:
                # A little jitter so requests told the same reset time do not arrive together.
                return min(self.max_wait, max(0.0, hint) + random.uniform(0.05, 0.3))
            return backoff(state)

        failures = {"other": 0, "rate_limited": 0}

        def stop(state: RetryCallState) -> bool:
            exc = state.outcome.exception() if state.outcome else None
            kind = "rate_limited" if isinstance(exc, RateLimited) else "other"
            failures[kind] += 1
            return (
                failures["other"] >= self.max_attempts
                or failures["rate_limited"] >= self.max_rate_limited
            )

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            on_retry(exc, state.upcoming_sleep)

        return AsyncRetrying(
            retry=retry_if_exception(is_transient),
            wait=wait,
            stop=stop,
            before_sleep=before_sleep,
            reraise=True,
        )
