"""Every route of the app's table answers with the right type and headers, and every page holds
no inline script or style (the CSP forbids them) and nothing loaded from another origin."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.oracle import Oracle
from tests.web.conftest import ACCOUNT_ROUTES, route_paths

# A value for each path parameter a route may have.
PATH_VALUES = {"contact_id": None}  # filled with a member of the oracle


class PageAudit(HTMLParser):
    """What a page loads and whether it carries inline script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self.loads: list[str] = []
        self.labels: set[str] = set()
        self.controls: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs or any(name.startswith("on") for name in attrs):
            self.inline.append(f"<{tag} {attrs}>")
        if tag == "style" or (tag == "script" and "src" not in attrs):
            self.inline.append(tag)
        for name in ("src", "href"):
            if tag in ("script", "link", "img") and attrs.get(name):
                self.loads.append(attrs[name])
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select") and attrs.get("type") != "hidden":
            self.controls.append((tag, attrs))


def _concrete(path: str, member: str) -> str:
    return path.replace("{contact_id}", member)


def _member(oracle: Oracle) -> str:
    return next(m for m in sorted(oracle.members) if oracle.sessions[m])


def test_the_route_table_is_what_is_tested(app):
    """Every route is covered by the parametrised tests below (they read the same table)."""
    names = [name for name, _ in route_paths(app)]
    assert len(names) == len(set(names))
    assert {"home", "page:caseload", "csv:caseload", "api:caseload", "member"} <= set(names)


def pytest_generate_tests(metafunc):
    if "route" in metafunc.fixturenames:
        table = route_paths()
        metafunc.parametrize("route", table, ids=[name for name, _ in table])


def test_every_route_answers(client, oracle: Oracle, route):
    name, path = route
    if name == "logout":  # POST only: tests/web/test_access.py
        assert client.get(path).status_code == 405
        return
    response = client.get(_concrete(path, _member(oracle)), follow_redirects=False)
    if name == "favicon":
        assert response.status_code == 301
        return
    assert response.status_code == 200, response.text[:500]
    kind = response.headers["content-type"]
    if name.startswith("api:"):
        assert kind.startswith("application/json")
        assert isinstance(response.json(), dict)
    elif name.startswith("csv:"):
        assert kind.startswith("text/csv")
        assert response.headers["content-disposition"].startswith("attachment; filename=")
        assert response.text.splitlines()[0]  # a header line at least
    else:
        assert kind.startswith("text/html")
    headers = response.headers
    assert headers["cache-control"] == "no-store"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    csp = headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp


def test_every_page_is_strict_and_labelled(client, oracle: Oracle, app):
    pages = [
        (n, p)
        for n, p in route_paths(app)
        if not n.startswith(("api:", "csv:")) and n not in ("favicon", "logout")
    ]
    for name, path in pages:
        html = client.get(_concrete(path, _member(oracle))).text
        audit = PageAudit()
        audit.feed(html)
        assert audit.inline == [], (path, audit.inline)
        assert all(url.startswith("/") and not url.startswith("//") for url in audit.loads), path
        for tag, attrs in audit.controls:
            assert attrs.get("id") in audit.labels or attrs.get("aria-label"), (path, tag, attrs)
        assert re.search(r"<html lang=\"en\">", html)
        if name not in ACCOUNT_ROUTES:
            assert "America/New_York" in html  # times are said to be in the program's zone


def test_static_files_are_served_with_headers(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "style" not in response.headers["content-security-policy"]  # default-src covers it


def test_unknown_page_and_member_are_404_pages(client):
    page = client.get("/nowhere")
    assert page.status_code == 404 and "There is no such page." in page.text
    member = client.get("/members/no-such-member")
    assert member.status_code == 404 and "No such member" in member.text
    api = client.get("/api/members/no-such-member")
    assert api.status_code == 404 and api.json() == {"error": "No such member in this warehouse."}
