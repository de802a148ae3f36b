"""How a request's answer reaches the client, at the ASGI level, when a fault is drawn: the body
read once and replayed to the handler, extra headers, a connection reset (an RST on loopback),
an answer that hangs, or one cut short (Captured)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Callable
from typing import Any

import httpx


async def read_body(receive: Callable) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


def replayed(body: bytes, receive: Callable) -> Callable:
    sent = False

    async def replay() -> dict:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def with_headers(send: Callable, extra: dict[str, str]) -> Callable:
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


async def reset_connection(receive: Callable) -> None:
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


async def hang(receive: Callable, seconds: float) -> None:
    """Keep a real client waiting `seconds`, or until it gives up and disconnects."""
    if _transport(receive) is None:
        raise httpx.ReadTimeout("timed out (emulated)")

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(disconnected(), timeout=seconds)


class Captured:
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
