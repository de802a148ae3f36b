"""Bad input and failing builds end in one readable line and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest

from tests.dbt.conftest import coach
from warehouse.dbt import run_dbt
from warehouse.errors import CoachError
from warehouse.store import WarehousePaths, pipeline_lock


@pytest.mark.parametrize("as_of", ["2026-02-30", "15/06/2026", "today"])
def test_bad_as_of_is_one_line(tmp_path, as_of):
    result = coach("build", "--warehouse", str(tmp_path / "w.duckdb"), "--as-of", as_of)
    assert result.exit_code == 2
    assert result.output.startswith("Error: --as-of")
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "w.pipeline.duckdb").exists()


def test_second_writer_is_refused(tmp_path):
    paths = WarehousePaths(tmp_path / "w.duckdb")
    with pipeline_lock(paths):
        result = coach("build", "--warehouse", str(paths.published))
    assert result.exit_code == 1
    assert "Another coach command is writing" in result.output


def test_dbt_failure_names_the_cause(tmp_path):
    paths = WarehousePaths(tmp_path / "w.duckdb")
    with pytest.raises(CoachError) as failure:
        run_dbt(
            "build --select build_info",
            paths,
            extra_args=("--vars", '{"program_timezone": "Mars/Olympus_Mons"}'),
        )
    message = str(failure.value)
    assert "\n" not in message
    assert "unknown time zone 'Mars/Olympus_Mons'" in message
    assert "Compilation Error in model" in message
    assert "> in macro" not in message
    assert str(tmp_path / "w.dbt" / "duckdb" / "logs") in message
