"""Formula injection, atomic replacement and permissions of the CSV files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from output.cells import FORMULA_STARTS, neutralise
from output.writers import export_csv
from tests.pipeline import Pipeline
from tests.reports.conftest import read_csv, run
from tests.warehouse_copy import copy_warehouse
from warehouse.store import WarehousePaths

ZONE = ZoneInfo("America/New_York")
PLANTED_EMPLOYER = '=HYPERLINK("http://evil.example","Click")'
PLANTED_CODE = "@SUM(1+1)*cmd|' /C calc'!A0"
PLANTED_NAME = "+Robert -Tables"
MARKUP_EMPLOYER = "[bold red]Not markup[/]"
# Clears the screen and retitles the terminal window when printed raw.
CONTROL_NAME = "Eve\x1b[2J\x1b]0;pwned\x07 Evil\u202eroN"


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_neutralised(start: str):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("value", ["Acme", "2026-06-15", "a=b", "Smith-Jones", " =x", ""])
def test_ordinary_text_is_left_alone(value: str):
    assert neutralise(value) == value


@pytest.fixture(scope="module")
def planted(pipeline: Pipeline, tmp_path_factory) -> Iterator[WarehousePaths]:
    """A copy of the warehouse rebuilt after planting spreadsheet formulas in Intercom."""
    paths = copy_warehouse(pipeline.paths, tmp_path_factory.mktemp("planted"))
    backend = pipeline.fake.backend
    with pipeline.connect() as con:
        members = [
            m for (m,) in con.execute("select contact_id from caseload order by 1").fetchall()
        ]
    first, second, third, fourth = members[:4]
    try:
        backend.set_contact_attributes_raw(
            first, {"Employer": PLANTED_EMPLOYER, "Registration Code": PLANTED_CODE}
        )
        backend.update_contact(second, name=PLANTED_NAME)
        backend.set_contact_attributes_raw(third, {"Employer": MARKUP_EMPLOYER})
        backend.update_contact(fourth, name=CONTROL_NAME)
        result = pipeline.coach(
            "run", "--as-of", pipeline.as_of, "--warehouse", str(paths.published)
        )
        assert result.exit_code == 0, result.output
    finally:
        pipeline.fake.reset()
    yield paths


def test_planted_formulas_are_neutralised_in_the_export(pipeline: Pipeline, planted, tmp_path):
    paths = planted
    out = tmp_path / "engagement.csv"
    run(pipeline, "export", "engagement", "--out", str(out), "--warehouse", str(paths.published))
    _, rows = read_csv(out.read_text(encoding="utf-8"))
    cells = [value for row in rows for value in row.values()]
    assert f"'{PLANTED_EMPLOYER}" in cells
    assert f"'{PLANTED_CODE}" in cells
    assert "'+Robert" in cells  # name_first; name_last "-Tables" too
    assert "'-Tables" in cells
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)


def test_planted_formulas_are_neutralised_in_report_csv(pipeline: Pipeline, planted):
    paths = planted
    text = run(
        pipeline, "report", "billing", "--format", "csv", "--warehouse", str(paths.published)
    ).stdout
    _, rows = read_csv(text)
    cells = [value for row in rows for value in row.values()]
    assert f"'{PLANTED_EMPLOYER}" in cells or f"'{PLANTED_NAME}" in cells
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)


def test_names_from_intercom_are_not_rich_markup(pipeline: Pipeline, planted):
    paths = planted
    output = run(
        pipeline, "report", "caseload", "--employer", MARKUP_EMPLOYER,
        "--warehouse", str(paths.published),
    ).stdout  # fmt: skip
    assert "[bold red]" in output


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path):
    target = tmp_path / "export.csv"
    target.write_text("previous\n", encoding="utf-8")

    def rows() -> Iterator[tuple[str]]:
        yield ("one",)
        raise RuntimeError("the query failed half-way")

    with pytest.raises(RuntimeError):
        export_csv(target, ["column"], rows(), ZONE, force=True)
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert os.listdir(tmp_path) == ["export.csv"]


def test_the_new_file_replaces_the_old_by_rename(tmp_path: Path):
    """os.replace: a reader holding the old file keeps reading the old content."""
    target = tmp_path / "export.csv"
    target.write_text("old\n", encoding="utf-8")
    with target.open(encoding="utf-8") as reader:
        export_csv(target, ["column"], [("new",)], ZONE, force=True)
        assert reader.read() == "old\n"
    assert target.read_bytes() == b"column\r\nnew\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("report", ["caseload", "participants", "billing", "sessions"])
def test_control_characters_from_the_data_never_reach_the_terminal(
    pipeline: Pipeline, planted, report
):
    output = run(pipeline, "report", report, "--rows", "0", "--warehouse", str(planted.published))
    assert "\x1b" not in output.stdout and "\x07" not in output.stdout
    assert "\u202e" not in output.stdout
    if report == "caseload":  # the planted member has a recent session: shown, escaped
        assert "Eve\\x1b[2J" in output.stdout
