"""`coach serve`: the report web app over the published warehouse."""

from __future__ import annotations

from pathlib import Path

import click

from commands.common import warehouse_option, warehouse_paths

FILE = click.Path(dir_okay=False, path_type=Path)


@click.command()
@warehouse_option
@click.option("--host", default="127.0.0.1", show_default=True, help="The address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--tls-cert", type=FILE, help="Serve HTTPS with this certificate (PEM).")
@click.option("--tls-key", type=FILE, help="The certificate's private key (PEM).")
@click.option(
    "--behind-proxy",
    "proxies",
    multiple=True,
    metavar="ADDRESS",
    help="Only this proxy (address or network; repeatable) may connect; its X-Forwarded-* "
    "headers are trusted.",
)
@click.option(
    "--auth",
    type=click.Choice(["password", "proxy"]),
    default="password",
    show_default=True,
    help="password: the log-in page; proxy: a listed proxy names the user in --auth-header.",
)
@click.option("--auth-header", default="X-Forwarded-User", show_default=True)
def serve(warehouse, host, port, tls_cert, tls_key, proxies, auth, auth_header) -> None:
    """Serve the report web app (read-only, log-in required) until Ctrl-C.

    Loopback by default. Any other address needs HTTPS (--tls-cert, --tls-key) or the proxies
    that terminate it (--behind-proxy)."""
    from web.server import serve_app
    from web.settings import Listen, web_settings

    listen = Listen(host, port, tls_cert, tls_key, tuple(proxies), auth, auth_header)
    serve_app(warehouse_paths(warehouse), listen, web_settings(), click.echo)


COMMANDS = (serve,)
