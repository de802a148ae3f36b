"""The fake's modules import one another without a cycle, counting every import statement:
module level, inside functions and under TYPE_CHECKING alike (a cycle hidden in a function is
still a cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

import fake_intercom

PACKAGE = Path(fake_intercom.__file__).parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, known: set[str]) -> set[str]:
    """The fake_intercom modules `path` imports, wherever the statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module in known:
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in known else node.module)
    return found


def import_graph() -> dict[str, set[str]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    known = set(paths)
    return {name: imports(path, known) - {name} for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import cycle reachable in `graph`, each as the path that closes it."""
    found, done = [], set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            found.append([*path[path.index(name) :], name])
            return
        if name in done:
            return
        for target in sorted(graph.get(name, ())):
            visit(target, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return found


def test_the_fake_has_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 30 and graph["fake_intercom.app"] >= {"fake_intercom.urls"}
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_hidden_cycle(tmp_path):
    """The check itself can fail: a function-local import that closes a loop is reported."""
    (tmp_path / "a.py").write_text("import b\n")
    (tmp_path / "b.py").write_text("def later():\n    from a import x\n")
    known = {"a", "b"}
    graph = {p.stem: imports(p, known) - {p.stem} for p in tmp_path.glob("*.py")}
    assert cycles(graph) == [["a", "b", "a"]]
