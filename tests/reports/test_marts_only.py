"""Reports read the published marts only, and take every rule from the build (issue 11).

The marts, seeds published with them and table functions are what reports read, so a copy of the
published warehouse without the raw, staging and ingest schemas (intermediate is never published)
must answer every report and export exactly as the whole file does.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse


def _value(pipeline: Pipeline, sql: str) -> str:
    with pipeline.connect() as con:
        return str(con.execute(sql).fetchone()[0])


def _commands(pipeline: Pipeline) -> list[tuple[str, ...]]:
    coach = _value(
        pipeline, "select coach_id from coaching_sessions group by 1 order by count(*) desc limit 1"
    )
    employer = _value(
        pipeline, "select employer from members group by 1 order by count(*) desc limit 1"
    )
    return [
        _json("caseload"),
        _json("caseload", "--lookback", "28", "--channel", "phone"),
        _json("caseload", "--coach", coach, "--exclude-employer", employer),
        _json("sessions"),
        _json("sessions", "--from", "2026-05-01", "--employer", employer),
        _json("sessions", "--lookback", "90", "--channel", "Email", "--coach", coach),
        _json("participants", "--lookback", "60"),
        _json("billing"),
        _json("billing", "--previous", "--exclude-employer", employer),
        ("report", "participants", "--lookback", "400"),
        ("report", "caseload", "--channel", "SMS"),
        ("report", "caseload", "--coach", "nobody"),
        ("export", "engagement", "--status", "at risk", "--status", "Engaged", "--out"),
        ("export", "engagement", "--status", "Gone", "--out"),
    ]


def _json(report: str, *args: str) -> tuple[str, ...]:
    return ("report", report, *args, "--format", "json")


def _outcome(pipeline: Pipeline, args: tuple[str, ...], out: Path, **env: str) -> tuple:
    if args[-1] == "--out":
        args = (*args, str(out))
    result = pipeline.coach(*args, **env)
    written = out.read_text(encoding="utf-8") if out.exists() else None
    out.unlink(missing_ok=True)
    return result.exit_code, result.stdout.replace(str(out), "<out>"), result.stderr, written


def test_reports_need_nothing_but_the_marts(pipeline: Pipeline, tmp_path: Path):
    copy = copy_warehouse(pipeline.paths, tmp_path / "marts-only")
    con = duckdb.connect(str(copy.published))
    try:
        schemas = [
            name
            for (name,) in con.execute(
                "select schema_name from duckdb_schemas() where database_name = current_database()"
                " and not internal and schema_name <> 'main'"
            ).fetchall()
        ]
        assert {"raw", "staging", "ingest"} <= set(schemas)
        assert "intermediate" not in schemas  # never published (warehouse/store.py)
        for schema in schemas:
            con.execute(f'drop schema "{schema}" cascade')
    finally:
        con.close()
    out = tmp_path / "export.csv"
    for args in _commands(pipeline):
        whole = _outcome(pipeline, args, out)
        marts_only = _outcome(pipeline, args, out, COACH_WAREHOUSE=str(copy.published))
        assert marts_only == whole, args


def test_the_builds_caseload_is_the_mart_itself(pipeline: Pipeline, tmp_path: Path):
    """Without a filter the mart answers; another window goes through caseload_for."""
    copy = copy_warehouse(pipeline.paths, tmp_path / "edited")
    with duckdb.connect(str(copy.published)) as con:
        con.execute("update caseload set session_count = session_count + 1000")
    env = {"COACH_WAREHOUSE": str(copy.published)}
    edited = json.loads(pipeline.coach("report", "caseload", "--format", "json", **env).stdout)
    assert edited["rows"] and all(row["session_count"] > 1000 for row in edited["rows"])
    other = json.loads(
        pipeline.coach("report", "caseload", "--lookback", "364", "--format", "json", **env).stdout
    )
    assert other["rows"] and all(row["session_count"] < 1000 for row in other["rows"])


def test_a_warehouse_built_by_older_models_is_a_clear_error(pipeline: Pipeline, tmp_path: Path):
    copy = copy_warehouse(pipeline.paths, tmp_path / "older")
    with duckdb.connect(str(copy.published)) as con:
        con.execute("alter table build_info drop column previous_month_start")
    result = pipeline.coach("report", "billing", COACH_WAREHOUSE=str(copy.published))
    assert result.exit_code == 1
    assert "built by an older version of the models; run `coach build` again." in result.stderr
    assert "Traceback" not in result.output


def test_defaults_and_limits_come_from_build_info(pipeline: Pipeline, tmp_path: Path):
    """The default billing months and the participants' lookback cap are the build's, not
    computed by the report: edited in build_info, the report follows."""
    copy = copy_warehouse(pipeline.paths, tmp_path / "info")
    with duckdb.connect(str(copy.published)) as con:
        con.execute(
            "update build_info set as_of_month_start = date '2026-03-01',"
            " previous_month_start = date '2026-01-01', participants_max_lookback_days = 30"
        )
    env = {"COACH_WAREHOUSE": str(copy.published)}
    current = json.loads(pipeline.coach("report", "billing", "--format", "json", **env).stdout)
    previous = json.loads(
        pipeline.coach("report", "billing", "--previous", "--format", "json", **env).stdout
    )
    assert (current["filters"]["month"], previous["filters"]["month"]) == ("2026-03", "2026-01")
    assert {r["month"] for r in current["rows"]} == {"2026-03"}
    refused = pipeline.coach("report", "participants", "--lookback", "31", **env)
    assert refused.exit_code == 2
    assert "--lookback must be between 1 and 30 days, got 31." in refused.stderr
