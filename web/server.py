"""Running the app with uvicorn: `coach serve` and the end of `make demo`."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

import uvicorn

from warehouse.errors import CoachError
from warehouse.readers import open_snapshot
from warehouse.store import WarehousePaths
from web.app import create_app
from web.settings import WebSettings
from web.warm import warm


def _warm_first(app) -> None:
    """The file served at start-up, prepared like every later one (web/warm.py)."""
    with contextlib.suppress(Exception), app.state.reader.request() as (snapshot, _):
        warm(snapshot)


def serve_app(
    paths: WarehousePaths,
    host: str,
    port: int,
    settings: WebSettings,
    echo: Callable[..., None],
) -> None:
    """Serve until Ctrl-C. The warehouse must exist (its absence is one line, not a page)."""
    with open_snapshot(paths):
        pass
    app = create_app(paths, settings)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise CoachError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    threading.Thread(target=_warm_first, args=(app,), daemon=True).start()
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    echo(f"Serving the reports of {paths.published} at http://{shown}:{bound}/ (Ctrl-C stops it)")
    config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        app.state.reader.close()
        echo("Web app stopped.", err=True)
