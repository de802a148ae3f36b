"""`cli.py` sits above every package and imports only the command definitions; the layers
below it are checked by import-linter (`make lint`, pyproject.toml [tool.importlinter])."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_cli_imports_only_the_commands_and_click():
    tree = ast.parse((REPO / "cli.py").read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "os", "click", "commands"}, imported
