"""Errors: Intercom's (an HTTP status and one `error.list` item), raised by the backend and the
search engine and rendered by the responses layer; and a knob value the fake cannot use."""

from __future__ import annotations

import uuid
from typing import Any


class ApiError(Exception):
    """An error the real API would answer with: HTTP status plus one `error.list` item."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"type": "error.list", "request_id": str(uuid.uuid4()), "errors": [error]}


def parameter_invalid(message: str, field: str | None = None) -> ApiError:
    return ApiError(400, "parameter_invalid", message, field)


def contact_not_found() -> ApiError:
    # The wording the spec uses for contacts (e.g. GET /contacts/{id}/companies, SPEC211 l.2316).
    return ApiError(404, "not_found", "User Not Found")


def resource_not_found() -> ApiError:
    return ApiError(404, "not_found", "Resource Not Found")


class KnobError(ValueError):
    """A knob value the emulator cannot use; the message is one plain sentence."""
