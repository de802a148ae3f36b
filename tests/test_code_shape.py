"""Small modules and short functions in the product's packages: every module under 400 lines,
every function at most 60 lines, unless a comment `# long: <reason>` right above it says why."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = (
    "access",
    "commands",
    "fake_intercom",
    "ingest",
    "intercom",
    "output",
    "pipeline",
    "reports",
    "warehouse",
    "web",
    "writeback",
)
MODULE_LINES, FUNCTION_LINES = 400, 60


def modules() -> list[Path]:
    found = [REPO / "cli.py"]
    for package in PACKAGES:
        found += sorted((REPO / package).rglob("*.py"))
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(REPO)))
def test_module_and_function_sizes(path: Path):
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    assert len(lines) < MODULE_LINES, f"{len(lines)} lines"
    long = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            length = node.end_lineno - node.lineno + 1
            first = min([d.lineno for d in node.decorator_list] + [node.lineno])
            reason = lines[first - 2].strip() if first >= 2 else ""
            if length > FUNCTION_LINES and not reason.startswith("# long:"):
                long.append(f"{node.name} ({length} lines, line {node.lineno})")
    assert not long, long
