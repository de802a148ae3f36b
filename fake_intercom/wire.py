"""The wire format: what a route handler is given (`Call`: the JSON body, path parameters and
query string) and how its answer goes out (JSON, Intercom's error envelope, and the list
envelopes around pages of stored record texts, assembled without re-serialising them)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response

from fake_intercom.emulator import Emulator
from fake_intercom.errors import ApiError, parameter_invalid
from fake_intercom.models import Page

JSON = "application/json; charset=utf-8"


@dataclass(frozen=True)
class Call:
    """A parsed request: the JSON object sent (an empty one without a body), the path
    parameters and the query string."""

    body: Mapping[str, Any]
    path: Mapping[str, str]
    query: Mapping[str, str]


# A route's handler: the emulator's state and the call in; a JSON-able value, bytes or str of
# JSON, or a ready Response out.
Handler = Callable[[Emulator, Call], Any]


async def read_call(request: Request) -> Call:
    """The request as a Call; a body that is not a JSON object is Intercom's 400."""
    raw = await request.body()
    body: Any = {}
    if raw.strip():
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            raise parameter_invalid("Request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise parameter_invalid("The request body must be a JSON object")
    return Call(body, dict(request.path_params), request.query_params)


def json_response(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    if isinstance(content, str):
        content = content.encode()
    elif not isinstance(content, bytes):
        content = orjson.dumps(content)
    return Response(content, status_code=status, media_type=JSON, headers=headers)


def error_response(error: ApiError, headers: Mapping[str, str] | None = None) -> Response:
    return json_response(error.body(), error.status, headers)


def as_response(answer: Any) -> Response:
    return answer if isinstance(answer, Response) else json_response(answer)


# ------------------------------------------------------------------ envelopes
def typed_list(kind: str, key: str, items: list[Any]) -> dict[str, Any]:
    """{"type": kind, key: items}, e.g. admin.list / admins."""
    return {"type": kind, key: items}


def contact_list(page: Page) -> bytes:
    pages = orjson.dumps(page.pages).decode()
    items = ",".join(page.items)
    return (
        f'{{"type":"list","data":[{items}],"total_count":{page.total_count},"pages":{pages}}}'
    ).encode()


def conversation_list(page: Page) -> bytes:
    pages = orjson.dumps(page.pages).decode()
    items = ",".join(page.items)
    return (
        f'{{"type":"conversation.list","pages":{pages},"total_count":{page.total_count},'
        f'"conversations":[{items}]}}'
    ).encode()


def deleted_contact(contact: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": contact["id"],
        "external_id": contact["external_id"],
        "type": "contact",
        "deleted": True,
    }


def user_message(conversation: Mapping[str, Any], text: str) -> dict[str, Any]:
    """What POST /conversations answers: the message that started the conversation."""
    return {
        "type": "user_message",
        "id": conversation["source"]["id"],
        "created_at": conversation["created_at"],
        "subject": "",  # required by the 2.11 `message` schema; empty for in-app messages
        "body": text,
        "message_type": "inapp",
        "conversation_id": conversation["id"],
    }
