"""Serving the fake on a real socket with uvicorn: `serve()` for the CLI, `serve_in_thread()`
for tests and benchmarks (loopback, port chosen by the OS, clean shutdown)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import uvicorn


def _config(app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        lifespan="off",
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=2,
        # Page bodies are up to a few hundred KB; keep connections alive for pooled clients.
        timeout_keep_alive=30,
    )


class _Server(uvicorn.Server):
    def __init__(self, config: uvicorn.Config, on_ready: Callable[[str], None] | None) -> None:
        super().__init__(config)
        self.on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self.on_ready is not None:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            self.on_ready(f"http://{host}:{port}")


def bind(host: str, port: int) -> socket.socket:
    """The listening socket (port 0: the OS picks one). Raises OSError if it cannot bind."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # An explicit IPPROTO_TCP: asyncio sets TCP_NODELAY on accepted connections only when the
    # listening socket says it is TCP. With protocol 0, Nagle's algorithm stays on and every
    # loopback response waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock


def serve(app: Any, sock: socket.socket, on_ready: Callable[[str], None]) -> None:
    """Serve on `sock` until interrupted; `on_ready(url)` once listening.

    uvicorn shuts down gracefully on SIGINT or SIGTERM and then re-raises the signal. SIGTERM
    is turned into KeyboardInterrupt here, like Ctrl-C, so callers' cleanup (the fake's private
    copy of a cached workspace) runs either way."""
    host, port = sock.getsockname()[:2]
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        _Server(_config(app, host, port), on_ready).run(sockets=[sock])
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run uvicorn in a background thread; yields the base URL, stops it on exit."""
    sock = bind(host, port)
    bound_port = sock.getsockname()[1]
    server = _Server(_config(app, host, bound_port), None)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="fake-intercom", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("the fake Intercom server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def serve_fake(fake: Any, host: str, port: int, echo: Callable[[str], None]) -> None:
    """`coach emulator serve`: bind, print one line with the URL, token and counts, serve."""
    sock = bind(host, port)
    counts = fake.counts()
    size = fake.backend.workspace.get("size", "?")

    def ready(url: str) -> None:
        echo(
            f"Fake Intercom: workspace {size} ({counts['contacts']:,} contacts, "
            f"{counts['conversations']:,} conversations, {counts['admins']} admins) at {url} "
            f"with token {fake.config.token} (Ctrl-C stops it)"
        )

    serve(fake.app, sock, ready)


def spawn(
    args: list[str], cwd: str | os.PathLike[str] | None = None
) -> tuple[subprocess.Popen, str, str]:
    """Start `coach emulator serve ARGS` as its own process (benchmarks, end-to-end tests);
    returns the process, the base URL and the line it printed. The caller stops it."""
    coach = Path(sys.executable).with_name("coach")
    proc = subprocess.Popen(
        [str(coach), "emulator", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
    )
    line = proc.stdout.readline() if proc.stdout else ""
    match = re.search(r" at (http://\S+) ", line)
    if not match:
        proc.kill()
        _, err = proc.communicate()
        raise RuntimeError(f"the fake did not start: {line.strip() or err.strip()}")
    return proc, match.group(1), line
