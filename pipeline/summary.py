"""What `coach demo` prints after the build: caseload and billing summaries, the write-back plan,
and how to query the warehouse."""

from __future__ import annotations

from rich.console import Console

from fake_intercom.config import DEFAULT_TOKEN
from reports import queries
from reports.context import open_reports
from reports.filters import Filters, billing_month
from reports.render import print_summary
from warehouse.config import writeback_settings
from warehouse.store import WarehousePaths
from writeback.render import print_dry_run
from writeback.run import dry_run

QUERY_HINT = """\
The warehouse is {path} (owner-only). Query it read-only:
  duckdb -readonly {path} "select recency_bucket, count(*) from caseload group by 1"
  .venv/bin/python -c "import duckdb; con = duckdb.connect('{path}', read_only=True); \\
      print(con.sql('select * from billing_cohort limit 5'))"
  .venv/bin/coach report caseload --lookback 28      # or: sessions, participants, billing
  .venv/bin/coach export engagement --out data/engagement.csv"""

# The demo's fake stops with the demo, so `--apply` needs a fake that keeps running.
APPLY_HINT = """\
The demo's fake Intercom has stopped, so there is nothing for --apply to write to. To try
write-back against the fake, serve it in another terminal:
  .venv/bin/coach emulator serve --workspace demo
then fill a warehouse of its own from it and apply (the first plan of a workspace is large):
  export INTERCOM_ACCESS_TOKEN={token} INTERCOM_API_BASE=http://127.0.0.1:8111
  .venv/bin/coach run --warehouse data/emulator.duckdb
  .venv/bin/coach writeback --apply --allow-large-plan --warehouse data/emulator.duckdb"""


def print_pipeline_summary(console: Console, paths: WarehousePaths) -> None:
    with open_reports(paths) as ctx:
        print_summary(console, queries.caseload(ctx, Filters()), ctx.info)
        month = billing_month(ctx.info, None, previous=False)
        print_summary(console, queries.billing(ctx, Filters(), month), ctx.info)
    console.rule("Write-back plan (a dry run)")
    print_dry_run(
        console,
        dry_run(paths, writeback_settings()),
        paths.published,
        closing=APPLY_HINT.format(token=DEFAULT_TOKEN),
    )
    console.print(QUERY_HINT.format(path=paths.published), markup=False, highlight=False)
