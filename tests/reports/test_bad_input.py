"""Every kind of bad input: exit code 2 and one plain line naming the problem, no traceback."""

from __future__ import annotations

import pytest

from tests.pipeline import Pipeline

BAD = [
    (("report", "billing", "--month", "2026-13"), "--month must be a month YYYY-MM"),
    (("report", "billing", "--month", "June"), "--month must be a month YYYY-MM"),
    (("report", "billing", "--month", "2026-05", "--previous"), "either --month or --previous"),
    (("report", "caseload", "--lookback", "0"), "--lookback must be between 1 and 365"),
    (("report", "caseload", "--lookback", "366"), "--lookback must be between 1 and 365"),
    (("report", "participants", "--lookback", "-3"), "--lookback must be between 1 and 365"),
    (("report", "sessions", "--from", "2026-02-30"), "--from '2026-02-30' is not a calendar"),
    (("report", "sessions", "--to", "15/06/2026"), "--to must be a date YYYY-MM-DD"),
    (("report", "sessions", "--from", "2026-06-01", "--to", "2026-05-01"), "is after --to"),
    (("report", "participants", "--from", "yesterday"), "--from must be a date YYYY-MM-DD"),
    (("report", "caseload", "--coach", "Nobody Atall"), "No coach 'Nobody Atall'"),
    (("report", "sessions", "--coach", "999"), "No coach '999'"),
    (("report", "caseload", "--employer", "Initech"), "No employer 'Initech' in the warehouse"),
    (("report", "billing", "--exclude-employer", "Initech"), "No employer 'Initech'"),
    (("report", "caseload", "--channel", "SMS"), "No coaching channel 'SMS'"),
    (("export", "engagement", "--out", "x.csv", "--status", "Happy"), "engagement status"),
    (("export", "engagement", "--out", "x.csv", "--referral", "Radio"), "No referral 'Radio'"),
    (
        ("export", "engagement", "--out", "x.csv", "--enrolled-from", "2026-1-1"),
        "--enrolled-from must be a date",
    ),
    (
        ("export", "engagement", "--out", "x.csv", "--last-session-to", "2026-04-31"),
        "--last-session-to '2026-04-31' is not a calendar date",
    ),
    (("export", "billing", "--out", "x.csv", "--month", "2026-00"), "--month must be a month"),
    (("export", "participants", "--out", "x.csv", "--lookback", "400"), "--lookback must be"),
]


@pytest.mark.parametrize(("args", "fragment"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_values_are_one_line_and_exit_2(pipeline: Pipeline, tmp_path, args, fragment):
    args = tuple(str(tmp_path / a) if a == "x.csv" else a for a in args)
    result = pipeline.coach(*args)
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    assert fragment in lines[0]
    assert "Traceback" not in result.output
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    "args",
    [
        ("report", "caseload", "--format", "xml"),
        ("report", "caseload", "--lookback", "many"),
        ("export", "engagement"),
        ("report", "weekly"),
    ],
)
def test_usage_errors_exit_2(pipeline: Pipeline, args):
    result = pipeline.coach(*args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "Error:" in result.output


def test_unknown_values_list_the_known_ones(pipeline: Pipeline):
    result = pipeline.coach("report", "caseload", "--employer", "acme")
    assert "known: Acme Manufacturing;" in result.output


def test_no_warehouse_yet(tmp_path):
    from click.testing import CliRunner

    from cli import main

    missing = tmp_path / "warehouse.duckdb"
    result = CliRunner().invoke(main, ["report", "caseload", "--warehouse", str(missing)])
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: No warehouse at {missing} yet; run `coach run` (or `make demo`) first."
    )
