"""`coach writeback` on bad input and in awkward situations: one line, the right exit code,
nothing written."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner

from cli import main
from tests.pipeline import TOKEN
from tests.writeback.conftest import LET_THROUGH, Copy
from warehouse.store import pipeline_lock


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--apply", "--format", "json"), "--format prints the plan of a dry run"),
        (("--max-share", "150"), "--max-share"),
        (("--limit", "0"), "--limit"),
        (("--format", "xml"), "--format"),
        (("audit", "--run", "x", "--all"), "Give --run or --all"),
    ],
)
def test_usage_errors_exit_2_with_one_line(copy: Copy, args: tuple[str, ...], says: str):
    result = copy.coach("writeback", *args)
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert "Traceback" not in result.output


def test_apply_without_a_token_is_a_configuration_error(copy: Copy):
    env = copy.env()
    env["INTERCOM_ACCESS_TOKEN"] = ""
    result = CliRunner().invoke(main, ["writeback", "--apply", *LET_THROUGH], env=env)
    assert result.exit_code == 2
    assert result.output.strip().startswith("Error: No Intercom access token")
    assert copy.puts() == 0


def test_a_warehouse_not_built_yet(tmp_path: Path):
    result = CliRunner().invoke(
        main,
        ["writeback"],
        env={"COACH_WAREHOUSE": str(tmp_path / "warehouse.duckdb"), "INTERCOM_ACCESS_TOKEN": TOKEN},
    )
    assert result.exit_code == 1
    assert "run `coach run`" in result.output


def test_a_second_writer_is_told_to_wait(copy: Copy):
    with pipeline_lock(copy.paths):
        result = copy.coach("writeback", "--apply", *LET_THROUGH)
    assert result.exit_code == 1
    assert "Another coach command is writing" in result.output
    assert copy.puts() == 0


def test_audit_before_any_apply_and_for_an_unknown_run(copy: Copy):
    result = copy.coach("writeback", "audit")
    assert result.exit_code == 1
    assert "No write-back has been applied" in result.output
    copy.coach("writeback", "--apply")  # refused, but recorded
    result = copy.coach("writeback", "audit", "--run", "writeback-nope")
    assert result.exit_code == 2
    assert "No write-back run 'writeback-nope'" in result.output


def test_dry_run_limit_shows_the_first_contacts_only(copy: Copy):
    whole = copy.plan()
    result = copy.coach("writeback", "--format", "json", "--limit", "2")
    assert result.exit_code == 0, result.output
    first_two = sorted({r["contact_id"] for r in whole})[:2]
    assert orjson.loads(result.stdout) == [r for r in whole if r["contact_id"] in first_two]


def test_the_plan_saved_with_output_is_owner_only_and_equals_the_printed_plan(copy: Copy, tmp_path):
    import os
    import stat

    target = tmp_path / "plan.json"
    saved = copy.coach("writeback", "--output", str(target))
    assert saved.exit_code == 0, saved.output
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    printed = copy.coach("writeback", "--format", "json")
    assert orjson.loads(target.read_bytes()) == orjson.loads(printed.stdout)
    again = copy.coach("writeback", "--output", str(target))
    assert again.exit_code == 2 and "already exists" in again.output
    csv_file = tmp_path / "plan.csv"
    assert copy.coach("writeback", "--output", str(csv_file)).exit_code == 0
    assert csv_file.read_text().splitlines()[0].startswith("contact_id,external_id,attribute")
