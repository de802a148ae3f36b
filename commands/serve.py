"""`coach serve`: the report web app over the published warehouse."""

from __future__ import annotations

import click

from commands.common import warehouse_option, warehouse_paths


@click.command()
@warehouse_option
@click.option("--host", default="127.0.0.1", show_default=True, help="A loopback address.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
def serve(warehouse: str | None, host: str, port: int) -> None:
    """Serve the report web app (read-only) on this machine until Ctrl-C."""
    from web.server import serve_app
    from web.settings import check_loopback, web_settings

    check_loopback(host)
    serve_app(warehouse_paths(warehouse), host, port, web_settings(), click.echo)


COMMANDS = (serve,)
