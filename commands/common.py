"""What every command shares: the error handling group and the `--warehouse` option."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from warehouse.errors import CoachError

if TYPE_CHECKING:
    from warehouse.store import WarehousePaths


class CoachGroup(click.Group):
    """Turns a CoachError anywhere below into one plain line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CoachError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


def warehouse_option(command):
    return click.option(
        "--warehouse",
        type=click.Path(dir_okay=False),
        default=None,
        help="The published warehouse file (default: $COACH_WAREHOUSE, else "
        "data/warehouse.duckdb).",
    )(command)


def as_of_option(command):
    return click.option(
        "--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge as of this date (default: today)."
    )(command)


def warehouse_paths(warehouse: str | None) -> WarehousePaths:
    from warehouse.config import warehouse_path
    from warehouse.store import WarehousePaths

    return WarehousePaths(warehouse_path(warehouse))


def console():
    from output.terminal import console as make

    return make()
