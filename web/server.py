"""Running the app with uvicorn: `coach serve` and the end of `make demo`."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable

import uvicorn

from access.service import Access
from access.settings import access_settings
from warehouse.errors import CoachError, UsageError
from warehouse.readers import open_snapshot
from warehouse.store import WarehousePaths
from web.app import create_app
from web.settings import Listen, WebSettings, transport_for
from web.warm import warm


def warm_first(app) -> None:
    """The file served at start-up, prepared like every later one (web/warm.py)."""
    with contextlib.suppress(Exception), app.state.reader.request() as (snapshot, _):
        warm(snapshot)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        raise CoachError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    return sock


def serve_app(
    paths: WarehousePaths,
    listen: Listen,
    settings: WebSettings,
    echo: Callable[..., None],
) -> None:
    """Serve until Ctrl-C. The warehouse must exist and someone must be able to log in (either
    absence is one line, not a page)."""
    transport = transport_for(listen)
    with open_snapshot(paths):
        pass
    access = Access.open(access_settings(paths.published))
    if not access.users.all():
        raise UsageError(
            f"No users in {access.settings.store} yet, so nobody could log in: add one with "
            "`coach users add NAME --role admin`."
        )
    app = create_app(paths, access, settings, transport=transport)
    sock = _bind(listen.host, listen.port)
    threading.Thread(target=warm_first, args=(app,), daemon=True).start()
    bound = sock.getsockname()[1]
    shown = f"[{listen.host}]" if ":" in listen.host else listen.host
    scheme = "https" if transport.tls else "http"
    url = f"{scheme}://{shown}:{bound}/"
    echo(f"Serving the reports of {paths.published} at {url} (Ctrl-C stops it)")
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,  # the access log is the app's own, with the user (access/log.py)
        server_header=False,
        # X-Forwarded-* are trusted from the listed proxies only, by web/transport.py
        proxy_headers=False,
        ssl_certfile=str(listen.tls_cert) if listen.tls_cert else None,
        ssl_keyfile=str(listen.tls_key) if listen.tls_key else None,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        app.state.reader.close()
        echo("Web app stopped.", err=True)
