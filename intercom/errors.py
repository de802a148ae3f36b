"""What can go wrong talking to Intercom, as one-line errors that never carry the token.

Two families: `IntercomError` (a CoachError the CLI prints) for answers that retrying will not
change, and `Retryable` (internal, caught by `intercom.retry`) for answers that it may.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warehouse.errors import CoachError
from warehouse.secrets import scrub


def redact(text: str) -> str:
    """`text` on one line with every credential masked (messages that quote a server's answer
    or an HTTP library's exception)."""
    return " ".join(scrub(text).split())


def error_detail(body: Any) -> tuple[str, str]:
    """(code, message) of an Intercom `error.list` body, or ("", "") for anything else."""
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], Mapping):
            first = errors[0]
            return str(first.get("code") or ""), str(first.get("message") or "")
    return "", ""


class IntercomError(CoachError):
    """Intercom gave an answer that retrying will not change."""

    def __init__(self, message: str, *, status: int | None = None, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class IntercomAuthError(IntercomError):
    """401: the token is missing, wrong or revoked. A configuration problem."""

    exit_code = 2


class IntercomNotFound(IntercomError):
    """404 (or 410 for a merged contact from 2.16 on)."""


class IntercomUnavailable(IntercomError):
    """Every attempt failed with a retryable problem (5xx, 429, timeouts, broken bodies)."""


class Retryable(Exception):
    """A transient answer. `retry_after` is the server's hint in seconds, if it gave one."""

    def __init__(self, summary: str, retry_after: float | None = None) -> None:
        super().__init__(summary)
        self.retry_after = retry_after


class RateLimited(Retryable):
    """429: the window's budget is spent; try again once it resets."""


class ServerFault(Retryable):
    """5xx."""


class MalformedBody(Retryable):
    """A 2xx whose body is not the JSON it claims to be (for example cut off mid-way)."""
