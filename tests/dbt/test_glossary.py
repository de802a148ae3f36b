"""The glossary has one source; the README's copy and the dbt docs both come from it."""

from __future__ import annotations

import re

import pytest

from warehouse.dbt import PROJECT_DIR
from warehouse.glossary import GLOSSARY_FILE, README_FILE, glossary_terms, with_glossary


def test_readme_glossary_is_current():
    readme = README_FILE.read_text(encoding="utf-8")
    assert with_glossary(readme, GLOSSARY_FILE.read_text(encoding="utf-8")) == readme, (
        "README.md's glossary is out of date: run `make glossary`."
    )


def test_every_term_is_rendered_in_the_dbt_docs():
    terms = {name for name, _ in glossary_terms(GLOSSARY_FILE.read_text(encoding="utf-8"))}
    assert len(terms) >= 20
    sources = [PROJECT_DIR / "models", PROJECT_DIR / "seeds"]
    yaml_text = "\n".join(
        p.read_text(encoding="utf-8") for d in sources for p in d.rglob("*.yml") if p.is_file()
    )
    referenced = set(re.findall(r"doc\('(glossary_\w+)'\)", yaml_text))
    assert terms - referenced == set(), "glossary terms no model or column shows"
    assert referenced - terms == set(), "doc() references to missing glossary terms"


def test_missing_markers_are_an_error():
    with pytest.raises(ValueError, match="glossary:start"):
        with_glossary("# README without the section\n", GLOSSARY_FILE.read_text(encoding="utf-8"))
