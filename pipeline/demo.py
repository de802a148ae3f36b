"""`coach demo`: the whole pipeline against the built-in fake Intercom, from an empty warehouse:
start the fake, ingest, build, then print the caseload and billing summaries and the write-back
plan."""

from __future__ import annotations

import asyncio
import time

import duckdb
from rich.console import Console

from fake_intercom import EmulatorConfig, FakeIntercom
from fake_intercom.config import DEFAULT_TOKEN
from ingest.progress import make_reporter
from ingest.render import run_table
from ingest.runner import run_ingest
from intercom.doctor import whoami
from output.terminal import say
from pipeline.summary import print_pipeline_summary
from warehouse import dbt
from warehouse.config import DEFAULT_API_VERSION, IntercomSettings, Secret, ingest_settings
from warehouse.errors import CoachError, ConfigError
from warehouse.store import WarehousePaths, connect_working, discard, pipeline_lock
from warehouse.workspace import stored_workspace

# The workspaces the demo offers: demo (~600 members) and tiny (~40, a quick check).
WORKSPACES = ("demo", "tiny")


def run_demo(paths: WarehousePaths, console: Console, workspace: str = "demo") -> None:
    started = time.monotonic()
    fake = FakeIntercom.create(workspace=workspace, config=EmulatorConfig(token=DEFAULT_TOKEN))
    with fake.serve_in_thread() as base_url:
        say(console, f"Fake Intercom ({workspace} workspace) serving at {base_url}")
        settings = IntercomSettings(
            token=Secret(DEFAULT_TOKEN), api_base=base_url, version=DEFAULT_API_VERSION
        )
        fresh_demo_warehouse(paths, asyncio.run(whoami(settings)).app_id)
        result = run_ingest(paths, settings, ingest_settings(), reporter=make_reporter())
    console.print(run_table(result, paths.published))
    say(console, "Building the models (dbt build)...")
    say(console, dbt.build(paths).summary())
    print_pipeline_summary(console, paths)
    say(console, f"Demo finished in {time.monotonic() - started:.0f}s.")


def fresh_demo_warehouse(paths: WarehousePaths, demo_app_id: str) -> None:
    """Start the demo from an empty warehouse: each demo generates its workspace anew, so an
    old demo's rows would only be stale. Only a warehouse the demo itself filled is removed."""
    if not (paths.working.exists() or paths.published.exists()):
        return
    with pipeline_lock(paths, command="coach demo"):
        found = set()
        for path in (paths.working, paths.published):
            if path.exists():
                try:
                    con = (
                        connect_working(paths)
                        if path == paths.working
                        else duckdb.connect(str(path), read_only=True)
                    )
                except (duckdb.Error, CoachError):
                    raise ConfigError(
                        f"{path} is not a warehouse the demo can use; give the demo another "
                        "--warehouse."
                    ) from None
                try:
                    found.add(stored_workspace(con))
                finally:
                    con.close()
        if found != {demo_app_id}:
            raise ConfigError(
                f"The warehouse {paths.published} was not made by the demo; give the demo "
                "another --warehouse (or remove that file)."
            )
        discard(paths)
