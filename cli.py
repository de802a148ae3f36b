"""`coach`: the command line over the warehouse. It parses and prints; the work lives in packages.

The subcommands are defined by area in `commands/`; heavy imports (dbt, duckdb, the fake
Intercom) happen inside the commands that need them, so `coach --help` stays fast.
"""

from __future__ import annotations

import os

import click

from commands import access, pipeline, reports, serve, writeback
from commands.common import CoachGroup


@click.group(cls=CoachGroup, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Health-coaching analytics over Intercom: ingest, build, report, write back."""
    # Everything this tool writes (warehouse, exports, logs) may hold health data: owner-only.
    os.umask(0o077)


for area in (pipeline, reports, writeback, access, serve):
    for command in area.COMMANDS:
        main.add_command(command)


if __name__ == "__main__":
    main()
