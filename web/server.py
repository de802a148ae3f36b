"""Running the app with uvicorn: `coach serve` and the end of `make demo`."""

from __future__ import annotations

import socket
from collections.abc import Callable

import uvicorn

from warehouse.errors import CoachError
from warehouse.readers import open_snapshot
from warehouse.store import WarehousePaths
from web.app import create_app
from web.settings import WebSettings


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
