"""Write-back tests run `coach writeback` against the session's fake Intercom over loopback, each
on its own copy of the session's warehouse; the fake is reset (data, counters, knobs) after each
test that writes to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import orjson
import pytest
from click.testing import CliRunner, Result

from cli import main
from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse
from warehouse.store import WarehousePaths

PUT = "PUT /contacts/{contact_id}"
# The session warehouse is built as of the fake's 2026-06-15 and every member is new to the
# product, so half of them change: tests that apply pass these (guard tests leave them out).
LET_THROUGH = ("--max-share", "100", "--max-attribute-share", "100", "--allow-other-as-of")


@dataclass
class Copy:
    """A private copy of the session warehouse, and the CLI pointed at it and the fake."""

    pipeline: Pipeline
    paths: WarehousePaths

    def env(self, **extra: str) -> dict[str, str]:
        return self.pipeline.env(COACH_WAREHOUSE=str(self.paths.published), **extra)

    def coach(self, *args: str, **extra_env: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env(**extra_env))

    def plan(self) -> list[dict[str, Any]]:
        result = self.coach("writeback", "--format", "json")
        assert result.exit_code == 0, result.output
        return orjson.loads(result.stdout)

    def query(self, sql: str, *, working: bool = False) -> list[tuple]:
        path = self.paths.working if working else self.paths.published
        with duckdb.connect(str(path), read_only=not working) as con:
            return con.execute(sql).fetchall()

    def desired(self) -> dict[tuple[str, str], str]:
        """(contact, attribute) -> the desired value, where the models give one."""
        rows = self.query(
            "select contact_id, attribute, desired_value from contact_attribute_targets "
            "where desired_value is not null"
        )
        return {(contact, attribute): value for contact, attribute, value in rows}

    def puts(self) -> int:
        return sum(self.pipeline.fake.stats()["by_endpoint"].get(PUT, {}).values())


@pytest.fixture
def copy(pipeline: Pipeline, tmp_path: Path) -> Iterator[Copy]:
    pipeline.fake.reset()
    try:
        yield Copy(pipeline, copy_warehouse(pipeline.paths, tmp_path / "wh"))
    finally:
        pipeline.fake.reset()  # data, counters and knobs


def fake_value(contact: dict[str, Any], attribute: str) -> Any:
    return (contact.get("custom_attributes") or {}).get(attribute)


def canonical(value: Any) -> str | None:
    """A value as the mart encodes a valid one (date attributes: unix seconds as text)."""
    if value is None or isinstance(value, bool):
        return None
    return str(value)


def fake_contacts(pipeline: Pipeline) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for c in pipeline.fake.backend.ground_truth()["contacts"]}
