"""The whole pipeline over a generated workspace, for tests that need a real warehouse.

`build_pipeline` serves a fake Intercom on loopback, runs `coach run --as-of` against it through
click's test runner (ingest over HTTP, then dbt), and returns what the tests compare: the fake,
its ground truth and the warehouse. Builds are slow (dbt starts in seconds), so the session-scoped
fixture `pipeline` in tests/conftest.py builds once; tests that change data copy the warehouse
(`tests.warehouse_copy.copy_warehouse`) and reset the fake afterwards.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from click.testing import CliRunner, Result

from cli import main
from fake_intercom import EmulatorConfig, FakeIntercom
from warehouse.store import WarehousePaths

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
TOKEN = "tok-pipeline-5d1e8b7a2c"


@dataclass
class Pipeline:
    fake: FakeIntercom
    base_url: str
    paths: WarehousePaths
    truth: dict[str, Any]
    as_of: str

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "INTERCOM_ACCESS_TOKEN": TOKEN,
            "INTERCOM_API_BASE": self.base_url,
            "INTERCOM_VERSION": "2.11",
            "COACH_WAREHOUSE": str(self.paths.published),
            **extra,
        }

    def coach(self, *args: str, **extra_env: str) -> Result:
        return CliRunner().invoke(main, list(args), env=self.env(**extra_env))

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.paths.published), read_only=True)


@contextlib.contextmanager
def build_pipeline(directory: Path, workspace: str = "tiny", seed: int = 7) -> Iterator[Pipeline]:
    with (
        FakeIntercom.create(workspace, seed, NOW, EmulatorConfig(token=TOKEN)) as fake,
        fake.serve_in_thread() as base_url,
    ):
        truth = fake.backend.ground_truth()
        pipeline = Pipeline(
            fake=fake,
            base_url=base_url,
            paths=WarehousePaths(directory / "warehouse.duckdb"),
            truth=truth,
            as_of=truth["manifest"]["as_of"],
        )
        # The test's own warehouse, named: a build as of another day builds it as asked.
        result = pipeline.coach(
            "run", "--as-of", pipeline.as_of, "--warehouse", str(pipeline.paths.published)
        )
        if result.exit_code != 0:
            raise AssertionError(f"coach run failed: {result.output}")
        yield pipeline
