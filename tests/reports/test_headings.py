"""Every report says what it shows: the as-of date, the build time and every filter in effect,
in the table and in JSON; a build for another day never replaces the warehouse people read
unless asked; tables fit the terminal and long ones do not flood it."""

from __future__ import annotations

import io
import json
import re
from zoneinfo import ZoneInfo

import duckdb
import pytest
from rich.console import Console

from reports import queries
from reports.context import open_reports
from reports.options import make_filters
from reports.render import print_table
from tests.pipeline import Pipeline
from tests.reports.conftest import run
from tests.warehouse_copy import copy_warehouse

# (report, options, the filter values the heading must name)
FILTERED = [
    (
        ("caseload", "--lookback", "28", "--channel", "phone", "--exclude-employer", "{employer}"),
        ["28", "Phone", "{employer}"],
    ),
    (("sessions", "--from", "2026-05-01", "--to", "2026-06-01"), ["2026-05-01", "2026-06-01"]),
    (("participants", "--employer", "{employer}", "--lookback", "90"), ["{employer}", "90"]),
    (("billing", "--previous", "--employer", "{employer}"), ["2026-05", "{employer}"]),
    (("caseload", "--coach", "{coach}"), ["{coach}"]),
]


@pytest.fixture(scope="module")
def known(pipeline: Pipeline) -> dict[str, str]:
    with pipeline.connect() as con:
        employer = con.execute(
            "select employer from members where employer is not null "
            "group by 1 order by count(*) desc, 1 limit 1"
        ).fetchone()[0]
        coach = con.execute(
            "select coach_name from coaching_sessions where coach_name is not null "
            "group by 1 order by 1 limit 1"
        ).fetchone()[0]
        built_at = con.execute("select built_at from build_info").fetchone()[0]
    local = built_at.astimezone(ZoneInfo("America/New_York"))
    return {"employer": employer, "coach": coach, "built_at": local.isoformat()}


@pytest.mark.parametrize(("args", "named"), FILTERED)
def test_the_table_and_json_state_as_of_build_time_and_every_filter(
    pipeline: Pipeline, known, args, named
):
    args = [a.format(**known) for a in args]
    named = [n.format(**known) for n in named]
    table = run(pipeline, "report", *args).stdout
    lines = table.splitlines()
    assert lines[1].startswith(f"As of {pipeline.as_of} (America/New_York); built ")
    filters_line = next(line for line in lines if line.startswith("Filters: "))
    for value in named:
        assert value in filters_line, (value, filters_line)
    document = json.loads(run(pipeline, "report", *args, "--format", "json").stdout)
    assert document["as_of_date"] == pipeline.as_of
    assert document["program_timezone"] == "America/New_York"
    assert (
        document["built_at"][:19].replace("T", " ") <= known["built_at"][:19].replace("T", " ")
        or document["built_at"]
    )
    flat = json.dumps(document["filters"], ensure_ascii=False)
    for value in named:
        assert value in flat, (value, flat)


@pytest.mark.parametrize("width", [60, 80, 100, 132, 200])
@pytest.mark.parametrize("report", ["caseload", "sessions", "participants", "billing"])
def test_tables_fit_the_terminal_and_keep_dates_whole(pipeline: Pipeline, width, report):
    with open_reports(pipeline.paths) as ctx:
        if report == "billing":
            built = queries.billing(ctx, make_filters(ctx), ctx.info.as_of_date.replace(day=1))
        else:
            built = getattr(queries, report)(ctx, make_filters(ctx))
        buffer = io.StringIO()
        print_table(Console(file=buffer, width=width), built, ctx.info, max_rows=25)
    text = buffer.getvalue()
    assert all(len(line) <= width for line in text.splitlines())
    dates = {
        str(v)[:10]
        for row in built.rows[:25]
        for v in row
        if re.fullmatch(r"\d{4}-\d\d-\d\d.*", str(v))
    }
    table_dates = set(re.findall(r"\d{4}-\d\d-\d\d", text))
    assert table_dates and not any(re.search(r"\d{4}-\d?$", line) for line in text.splitlines())
    if len(built.rows) > 25:
        assert f"Showing 25 of {len(built.rows):,} rows" in text
    assert dates  # the report has dates to show


def test_rows_option_limits_the_table_and_says_how_to_get_everything(pipeline: Pipeline):
    output = run(pipeline, "report", "sessions", "--rows", "3").stdout
    assert "Showing 3 of " in output and "--rows 0 shows them all" in output
    everything = run(pipeline, "report", "sessions").stdout  # piped: every row
    assert "Showing" not in everything


def test_a_build_for_another_day_goes_to_an_audit_warehouse(pipeline: Pipeline, tmp_path):
    copy = copy_warehouse(pipeline.paths, tmp_path / "shared")
    before = copy.published.read_bytes()
    day = "2026-06-01"
    built = pipeline.coach("build", "--as-of", day, COACH_WAREHOUSE=str(copy.published))
    assert built.exit_code == 0, built.output
    audit = copy.published.with_name(f"warehouse.as-of-{day}.duckdb")
    assert f"Published {audit}" in built.output
    assert f"{copy.published}, which everyone reads, is unchanged" in built.output
    assert copy.published.read_bytes() == before
    with duckdb.connect(str(audit), read_only=True) as con:
        assert con.execute("select as_of_date::varchar from build_info").fetchone() == (day,)
    report = run(pipeline, "report", "caseload", "--warehouse", str(audit)).stdout
    assert f"As of {day}" in report
    replaced = pipeline.coach(
        "build", "--as-of", day, "--replace-published", COACH_WAREHOUSE=str(copy.published)
    )
    assert replaced.exit_code == 0, replaced.output
    shown = run(pipeline, "report", "billing", "--warehouse", str(copy.published)).stdout
    assert f"As of {day}" in shown


def test_lock_refusal_names_the_command_that_was_run(pipeline: Pipeline, tmp_path):
    from warehouse.store import pipeline_lock

    copy = copy_warehouse(pipeline.paths, tmp_path / "locked")
    with pipeline_lock(copy):
        result = pipeline.coach("run", "--warehouse", str(copy.published))
    assert result.exit_code == 1
    assert "run `coach run` again" in result.output
