"""The web app in a real browser: Debian's chromium driven by Playwright (never a browser that
`playwright install` would download). One browser for the module, a few pages per test.

Each page loads with no console error and no request leaving 127.0.0.1; a filter changes the URL
and the table; a card drills down; the downloaded CSV is the table's rows; sorting and paging; the
print view; a bad filter's message. A screenshot of every page is saved in the test's directory,
and also in $COACH_SCREENSHOTS when set (docs/screenshots/ holds a few for the README).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
import uvicorn

from access.service import Access
from access.settings import AccessSettings
from tests.pipeline import Pipeline
from tests.web.conftest import PASSWORD, make_access
from web.app import create_app

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PAGES = [
    ("home", "/"),
    ("caseload", "/caseload"),
    ("sessions", "/sessions"),
    ("participants", "/participants"),
    ("billing", "/billing"),
    ("engagement", "/engagement"),
    ("member", None),
    ("data-quality", "/data-quality"),
    ("writeback", "/writeback"),
]

sync_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium (see .ci/run).")
    pytest.skip(
        "Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True
    )


@contextlib.contextmanager
def serving(app) -> Iterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", proxy_headers=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def base_url(pipeline: Pipeline, tmp_path_factory) -> Iterator[str]:
    access = make_access(tmp_path_factory.mktemp("browser"), ("admin", "admin", (), ()))
    with serving(create_app(pipeline.paths, access)) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Watched:
    """A page whose console errors and requests to other hosts are collected."""

    def __init__(self, browser, base_url: str) -> None:
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", self._request)
        self.base_url = base_url

    def _request(self, request) -> None:
        host = urlparse(request.url).hostname
        if host not in ("127.0.0.1",):
            self.outside.append(request.url)

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def log_in(self, name: str, password: str = PASSWORD) -> None:
        """Fill the log-in form the app shows, as a person does."""
        self.page.fill("#name", name)
        self.page.fill("#password", password)
        self.page.click("form.login button[type=submit]")
        self.page.wait_for_load_state()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser, base_url) -> Iterator[Watched]:
    page = Watched(browser, base_url)
    page.goto("/")
    assert "/login" in page.page.url  # nothing is shown before logging in
    page.log_in("admin")
    assert page.page.url == base_url + "/", page.page.url
    yield page
    assert page.outside == [], page.outside
    page.close()


def _save(page, name: str, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    extra = os.environ.get("COACH_SCREENSHOTS")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target, Path(extra) / target.name)


def _largest_employer(pipeline: Pipeline) -> str:
    with pipeline.connect() as con:
        return con.execute(
            "select employer from members group by 1 order by count(*) desc limit 1"
        ).fetchone()[0]


def _member(pipeline: Pipeline) -> str:
    with pipeline.connect() as con:
        return con.execute(
            "select contact_id from members order by coaching_session_count desc, 1 limit 1"
        ).fetchone()[0]


def test_every_page_loads_cleanly(watched: Watched, pipeline: Pipeline, tmp_path):
    for name, path in PAGES:
        response = watched.goto(path or f"/members/{_member(pipeline)}")
        assert response.status == 200, name
        assert watched.page.locator("h1").count() == 1
        _save(watched.page, name, tmp_path)
    assert watched.errors == []


def _query(watched: Watched) -> dict[str, list[str]]:
    return parse_qs(urlparse(watched.page.url).query)


def test_a_filter_updates_the_url_and_the_table(watched: Watched):
    page = watched.page
    watched.goto("/caseload")
    everyone = page.locator("#row-count").inner_text()
    page.get_by_label("Lookback (days)").fill("28")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url("**/caseload?*")
    assert _query(watched)["lookback"] == ["28"]
    assert page.locator("#row-count").inner_text() != everyone
    assert "last 28 days" in page.locator("h1").inner_text()
    # The back button returns to the unfiltered view.
    page.go_back()
    assert page.locator("#row-count").inner_text() == everyone
    assert watched.errors == []


def test_a_card_drills_down(watched: Watched):
    page = watched.page
    watched.goto("/caseload")
    card = page.locator(".cards .card a", has_text="8–28").first
    count = int(card.locator(".value").inner_text().replace(",", ""))
    card.click()
    page.wait_for_url("**bucket=*")
    assert _query(watched)["bucket"] == ["8–28"]
    buckets = page.locator("#data-table tbody tr td:nth-child(6)").all_inner_texts()
    assert buckets and set(buckets) == {"8–28"}
    assert f"of {count:,}" in page.locator("#row-count").inner_text()
    assert page.locator(".card.active").count() == 1


def test_the_downloaded_csv_is_the_table(watched: Watched, tmp_path):
    page = watched.page
    watched.goto("/participants?per_page=250&sort=name")
    shown = page.locator("#data-table tbody tr td:nth-child(1)").all_inner_texts()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename.startswith("participants_")
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["external_id"] for r in rows][: len(shown)] == shown
    total = page.locator("#row-count").inner_text().split(" of ")[-1]
    assert len(rows) == int(total.replace(",", ""))


def test_sorting_and_paging(watched: Watched):
    page = watched.page
    watched.goto("/sessions?per_page=25")
    page.locator("#data-table thead a[data-column='coach_name']").click()
    page.wait_for_url("**sort=coach_name*")
    header = page.locator("#data-table thead th", has=page.locator("a[data-column='coach_name']"))
    assert header.get_attribute("aria-sort") == "ascending"
    names = [n for n in page.locator("#data-table tbody tr td:nth-child(5)").all_inner_texts() if n]
    assert names == sorted(names)
    first_page = page.locator("#data-table tbody").inner_text()
    page.get_by_role("link", name="Next").click()
    page.wait_for_url("**page=2*")
    assert page.locator("#data-table tbody").inner_text() != first_page
    assert page.locator(".pager [aria-current='page']").inner_text() == "2"
    # Keyboard: the pager's links are reachable and followed with Enter.
    page.get_by_role("link", name="Previous").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert _query(watched)["page"] == ["1"]
    assert page.locator("#data-table tbody").inner_text() == first_page


def test_the_print_view_states_filters_and_build(watched: Watched, tmp_path):
    page = watched.page
    watched.goto("/caseload?lookback=56&channel=Phone")
    assert not page.locator(".print-heading").is_visible()
    page.emulate_media(media="print")
    heading = page.locator(".print-heading")
    assert heading.is_visible()
    text = heading.inner_text()
    assert "lookback (days) 56" in text and "channel Phone" in text
    assert "built 2026-" in text and "America/New_York" in text
    assert not page.locator("header.site").is_visible()
    assert not page.locator("form.filters").is_visible()
    _save(page, "caseload-print", tmp_path)
    page.pdf(path=str(tmp_path / "caseload.pdf"))
    assert (tmp_path / "caseload.pdf").stat().st_size > 1000


def test_a_bad_filter_shows_its_message(watched: Watched, tmp_path):
    page = watched.page
    watched.goto("/sessions")
    page.get_by_label("Session date from").fill("2026-06-01")
    page.get_by_label("Session date to").fill("2026-05-01")
    with page.expect_response(lambda r: "/sessions?" in r.url) as answer:
        page.get_by_role("button", name="Apply").click()
    assert answer.value.status == 400
    alert = page.get_by_role("alert")
    assert alert.inner_text() == "--from 2026-06-01 is after --to 2026-05-01."
    assert page.get_by_label("Session date from").input_value() == "2026-06-01"
    _save(page, "sessions-bad-filter", tmp_path)
    # Only the page's own 400 reached the console (Chromium logs a failed load as an error).
    assert all("400" in error for error in watched.errors)


def test_logging_in_through_the_form_and_the_idle_time_out(browser, pipeline: Pipeline, tmp_path):
    """Log in with the form, be logged out by the idle time-out, log in again and land on the
    page asked for."""
    store = tmp_path / "idle.access.sqlite"
    access = Access.open(AccessSettings(store=store, idle_seconds=2))
    employer = _largest_employer(pipeline)
    access.users.add("lead", "viewer", PASSWORD, (employer,))
    with serving(create_app(pipeline.paths, access)) as url:
        watched = Watched(browser, url)
        try:
            watched.goto("/caseload?lookback=56")
            assert "/login?next=" in watched.page.url
            _save(watched.page, "login", tmp_path)
            watched.log_in("lead", "not the password at all")
            assert "The name or the password is wrong." in watched.page.inner_text("main")
            watched.log_in("lead")
            assert watched.page.url == url + "/caseload?lookback=56"
            assert "Signed in as lead" in watched.page.inner_text("header")
            assert f"sees employers {employer} only" in watched.page.inner_text("header")
            _save(watched.page, "signed-in", tmp_path)
            time.sleep(2.5)
            watched.page.reload()
            assert "/login?next=" in watched.page.url  # idle too long: logged out
            watched.log_in("lead")
            assert watched.page.url == url + "/caseload?lookback=56"
            watched.page.click("form.logout button")
            watched.page.wait_for_load_state()
            assert watched.page.url == url + "/login"
            watched.goto("/caseload")
            assert "/login?next=" in watched.page.url
            # The one error: the browser's note of the 401 answering the wrong password.
            assert [e for e in watched.errors if "401" not in e] == [] and watched.outside == []
            assert len(watched.errors) == 1
        finally:
            watched.close()
