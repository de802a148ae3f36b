"""Reports and exports through the CLI, on the session's fixed-as-of warehouse (tiny workspace).

Expected values come from the fake's ground truth through the tests' oracle (tests/oracle.py:
plain Python over Intercom's records with the glossary's rules), never from the marts the
commands read.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from click.testing import Result

from tests.pipeline import Pipeline


def run(pipeline: Pipeline, *args: str) -> Result:
    result = pipeline.coach(*args)
    assert result.exit_code == 0, result.output
    return result


def as_json(pipeline: Pipeline, *args: str) -> dict[str, Any]:
    return json.loads(run(pipeline, "report", *args, "--format", "json").stdout)


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows
