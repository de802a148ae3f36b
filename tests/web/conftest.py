"""The web app over the session's warehouse (tests/conftest.py `pipeline`), through Starlette's
test client. Expected numbers come from the oracle (tests/oracle.py), never from the marts."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from tests.pipeline import Pipeline
from web.app import create_app


@pytest.fixture(scope="session")
def app(pipeline: Pipeline):
    return create_app(pipeline.paths)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=True) as test_client:
        yield test_client


def route_paths(app) -> list[tuple[str, str]]:
    """(name, path) of every route in the app's table (a Mount's static files excluded)."""
    return [
        (route.name, route.path)
        for route in app.routes
        if isinstance(route, Route) and not isinstance(route, Mount)
    ]


def read_csv(text: str) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def all_rows(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    """The JSON document of `path` with every row (pages of 1,000 concatenated)."""
    document = client.get(f"/api/{path}", params={**params, "per_page": 1000}).json()
    rows = list(document["rows"])
    page = 1
    while len(rows) < document["total_rows"]:
        page += 1
        more = client.get(f"/api/{path}", params={**params, "per_page": 1000, "page": page})
        rows += more.json()["rows"]
    document["rows"] = rows
    return document


def cards(document: dict[str, Any]) -> dict[str, int]:
    return {card["label"]: card["value"] for card in document["cards"]}


def error_text(html: str) -> str:
    """The message of the page's error box."""
    match = re.search(r'<p class="error" role="alert"[^>]*>(.*?)</p>', html, re.DOTALL)
    assert match, html[:2000]
    import html as markup

    return markup.unescape(match.group(1)).strip()
