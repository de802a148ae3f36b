"""The product's glossary: one source (dbt docs blocks), rendered in the dbt docs and the README.

`dbt_project/docs/glossary.md` holds one `{% docs glossary_<term> %}` block per term; the model
YAML shows them in the dbt docs with `{{ doc('glossary_<term>') }}`, and the README carries a
copy between `<!-- glossary:start -->` and `<!-- glossary:end -->`, regenerated with
`python -m warehouse.glossary --write` (`make glossary`). A test fails when the copy is stale.
"""

from __future__ import annotations

import argparse
import re
import sys

from warehouse.dbt import PROJECT_DIR

GLOSSARY_FILE = PROJECT_DIR / "docs" / "glossary.md"
README_FILE = PROJECT_DIR.parent / "README.md"
START = "<!-- glossary:start -->"
END = "<!-- glossary:end -->"
_BLOCK = re.compile(r"{%\s*docs\s+(glossary_\w+)\s*%}(.*?){%\s*enddocs\s*%}", re.DOTALL)


def glossary_terms(source: str) -> list[tuple[str, str]]:
    """(block name, text) per docs block, in file order; each text on one line."""
    return [(name, " ".join(body.split())) for name, body in _BLOCK.findall(source)]


def render(source: str) -> str:
    lines = [
        "_Generated from `dbt_project/docs/glossary.md` by `make glossary`; edit it there._",
        "",
        *(f"- {text}" for _, text in glossary_terms(source)),
    ]
    return "\n".join(lines)


def with_glossary(readme: str, source: str) -> str:
    """The README with its glossary section replaced by a fresh rendering."""
    before, start, rest = readme.partition(START)
    _, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError(f"README has no {START} ... {END} section")
    return f"{before}{START}\n{render(source)}\n{END}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite README.md in place")
    args = parser.parse_args(argv)
    readme = README_FILE.read_text(encoding="utf-8")
    fresh = with_glossary(readme, GLOSSARY_FILE.read_text(encoding="utf-8"))
    if args.write:
        README_FILE.write_text(fresh, encoding="utf-8")
        return 0
    if fresh != readme:
        print("README.md's glossary is out of date: run `make glossary`.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
