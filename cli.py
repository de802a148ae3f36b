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


if __name__ == "__main__":
    main()
