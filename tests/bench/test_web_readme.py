"""The README's web benchmark table is the rendering of bench/results/web.json (never typed)."""

from __future__ import annotations

import json
from pathlib import Path

from bench.web import README_END, README_START
from bench.web_readme import render

REPO = Path(__file__).resolve().parent.parent.parent


def test_the_readme_table_is_generated_from_the_results():
    results = json.loads((REPO / "bench/results/web.json").read_text())
    readme = (REPO / "README.md").read_text()
    block = readme.split(README_START, 1)[1].split(README_END, 1)[0]
    assert block.strip() == render(results).strip()
