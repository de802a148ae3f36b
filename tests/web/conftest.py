"""The web app over the session's warehouse (tests/conftest.py `pipeline`), through Starlette's
test client, logged in through the log-in form like a person. Expected numbers come from the
oracle (tests/oracle.py), never from the marts."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from access.service import Access
from access.settings import AccessSettings
from tests.pipeline import Pipeline
from web.app import create_app, routes

PASSWORD = "Pencil-Harbor-Quartz-91"
ORIGIN = "http://testserver"


def make_access(directory: Path, *users: tuple[str, str, tuple[str, ...], tuple[str, ...]]):
    """An access store in `directory` with `users` (name, role, employers, coaches), each with
    PASSWORD."""
    access = Access.open(AccessSettings(store=directory / "web.access.sqlite"))
    for name, role, employers, coaches in users:
        access.users.add(name, role, PASSWORD, employers, coaches)
    return access


def log_in(client: TestClient, name: str, password: str = PASSWORD, **headers: str):
    """Log in through the form (its CSRF cookie and field, from this origin); the response."""
    form = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, form.text[:500]
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf": token.group(1), "next": "/"},
        headers={"origin": ORIGIN, **headers},
        follow_redirects=False,
    )


def logged_in(app, name: str) -> TestClient:
    client = TestClient(app, raise_server_exceptions=True)
    response = log_in(client, name)
    assert response.status_code == 303, response.text[:500]
    return client


@pytest.fixture(scope="session")
def access(tmp_path_factory):
    return make_access(tmp_path_factory.mktemp("access"), ("admin", "admin", (), ()))


@pytest.fixture(scope="session")
def app(pipeline: Pipeline, access):
    return create_app(pipeline.paths, access)


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with logged_in(app, "admin") as test_client:
        yield test_client


# The routes of logging in and out and of one's password: no report data, POST where they change.
ACCOUNT_ROUTES = ("login", "logout", "account")


def route_paths(app=None) -> list[tuple[str, str]]:
    """(name, path) of every route in the app's table (a Mount's static files excluded)."""
    return [
        (route.name, route.path)
        for route in (app.routes if app is not None else routes())
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
