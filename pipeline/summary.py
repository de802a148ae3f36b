"""What `coach demo` prints after the build: caseload and billing summaries, the write-back plan,
and how to query the warehouse."""

from __future__ import annotations

from rich.console import Console

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


def print_pipeline_summary(console: Console, paths: WarehousePaths) -> None:
    with open_reports(paths) as ctx:
        print_summary(console, queries.caseload(ctx, Filters()))
        month = billing_month(ctx.info, None, previous=False)
        print_summary(console, queries.billing(ctx, Filters(), month))
    console.rule("Write-back plan (a dry run: `coach writeback --apply` would write it)")
    print_dry_run(console, dry_run(paths, writeback_settings()), paths.published)
    console.print(QUERY_HINT.format(path=paths.published), markup=False, highlight=False)
