"""`coach`: the command line over the warehouse. It parses and prints; the work lives in packages.

Heavy imports (dbt, duckdb, the fake Intercom) happen inside the commands that need them, so
`coach --help` stays fast.
"""

from __future__ import annotations

import os

import click

from warehouse.errors import CoachError


class CoachGroup(click.Group):
    """Turns a CoachError anywhere below into one plain line on stderr and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CoachError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=CoachGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Health-coaching analytics over Intercom: ingest, build, report, write back."""
    # Everything this tool writes (warehouse, exports, logs) may hold health data: owner-only.
    os.umask(0o077)


@main.group(cls=CoachGroup)
def emulator() -> None:
    """The fake Intercom used by the demo, the tests and the benchmarks."""


@main.command()
@click.option("--warehouse", "warehouse", metavar="PATH", help="The published warehouse file.")
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Judge as of this date (default: today)."
)
@click.option(
    "--target",
    type=click.Choice(["duckdb", "postgres"]),
    default="duckdb",
    show_default=True,
    help="Build in the DuckDB warehouse, or on PostgreSQL (COACH_PG_*).",
)
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
def build(warehouse: str | None, as_of: str | None, target: str, full_refresh: bool) -> None:
    """Run the dbt models (every business rule) and publish the warehouse."""
    from warehouse import dbt
    from warehouse.config import postgres_settings, warehouse_path
    from warehouse.dates import parse_iso_date
    from warehouse.store import WarehousePaths

    day = parse_iso_date(as_of, "--as-of") if as_of is not None else None
    paths = WarehousePaths(warehouse_path(warehouse))
    pg = postgres_settings() if target == "postgres" else None
    run = dbt.build(paths, target=target, as_of=day, full_refresh=full_refresh, pg=pg)
    click.echo(run.summary())
    if target == "duckdb":
        click.echo(f"Published {paths.published}")


if __name__ == "__main__":
    main()
