"""Access control of the web app, through its HTTP interface: nothing without a log-in (every
route of the route table), sessions (fixation, idle and absolute time-outs, revocation), CSRF and
Origin checks, lock-out, timing, headers on every answer, the proxy mode, and the access log."""

from __future__ import annotations

import re
import statistics
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from access.service import Access
from access.settings import AccessSettings
from tests.oracle import Oracle
from tests.pipeline import Pipeline
from tests.web.conftest import ORIGIN, PASSWORD, log_in, logged_in, make_access, route_paths
from web.app import create_app
from web.auth import SESSION_COOKIE
from web.transport import Transport

PUBLIC = {"login", "favicon"}


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clocked(pipeline: Pipeline, tmp_path):
    """An app whose sessions and lock-outs run on a clock the test moves."""
    clock = Clock()
    settings = AccessSettings(
        store=tmp_path / "a.sqlite", idle_seconds=15 * 60, lifetime_seconds=8 * 3600
    )
    access = Access.open(settings, clock)
    access.users.add("lead", "viewer", PASSWORD)
    access.users.add("boss", "admin", PASSWORD)
    return create_app(pipeline.paths, access), access, clock


def _concrete(path: str, oracle: Oracle) -> str:
    return path.replace("{contact_id}", sorted(oracle.members)[0])


@pytest.mark.parametrize("route", route_paths(), ids=[n for n, _ in route_paths()])
def test_every_route_refuses_an_anonymous_request(app, oracle: Oracle, route):
    name, path = route
    anonymous = TestClient(app, follow_redirects=False)
    response = anonymous.request(
        "POST" if name == "logout" else "GET", _concrete(path, oracle), headers={"origin": ORIGIN}
    )
    if name in PUBLIC:
        assert response.status_code in (200, 301)
        return
    if name.startswith("api:"):
        assert response.status_code == 401
        assert response.json() == {"error": "Log in first."}
    elif name.startswith("csv:"):
        assert response.status_code == 401
        assert response.text == "Error: Log in first.\n"
    else:
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?next=")
    assert "contact_id" not in response.text and "employer" not in response.text.lower()
    assert response.headers["cache-control"] == "no-store"


def test_a_log_in_starts_a_new_session_and_log_out_ends_it(clocked):
    app, _, _ = clocked
    client = TestClient(app, follow_redirects=False)
    planted = "attacker-chosen-session-id"
    cookie = {"cookie": f"{SESSION_COOKIE}={planted}"}
    assert client.get("/caseload", headers=cookie).status_code == 303  # a made-up id opens nothing
    # The log-in request carries the planted id too: the server still makes its own.
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    both = f"{SESSION_COOKIE}={planted}; coach_login_csrf={client.cookies['coach_login_csrf']}"
    response = client.post(
        "/login",
        data={"name": "lead", "password": PASSWORD, "csrf": token, "next": "/"},
        headers={"origin": ORIGIN, "cookie": both},
    )
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback; see the TLS test
    first = client.cookies[SESSION_COOKIE]
    assert first != planted and len(first) >= 40
    log_in(client, "lead")
    second = client.cookies[SESSION_COOKIE]
    assert second != first  # each log-in a new id; the old one is ended
    old = TestClient(app, follow_redirects=False, cookies={SESSION_COOKIE: first})
    assert old.get("/caseload").status_code == 303
    assert client.get("/caseload").status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/caseload").text).group(1)
    out = client.post("/logout", data={"csrf": token}, headers={"origin": ORIGIN})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    again = TestClient(app, follow_redirects=False, cookies={SESSION_COOKIE: second})
    assert again.get("/caseload").status_code == 303


def test_idle_and_absolute_time_outs(clocked):
    app, _, clock = clocked
    client = logged_in(app, "lead")
    client.follow_redirects = False
    clock.now += 14 * 60
    assert client.get("/").status_code == 200  # active within the idle time
    clock.now += 16 * 60
    assert client.get("/").status_code == 303  # idle 16 minutes: logged out
    client = logged_in(app, "lead")
    client.follow_redirects = False
    started = clock.now
    while clock.now - started < 9 * 3600:  # active every 15 minutes, less than the idle time
        clock.now += 14 * 60 + 59
        if client.get("/").status_code != 200:
            break
    # Ended at the absolute lifetime, by the first request after 8 hours.
    assert 8 * 3600 < clock.now - started <= 8 * 3600 + 15 * 60
    assert client.get("/").status_code == 303


def test_disabling_a_user_ends_their_sessions_at_once(clocked):
    app, access, _ = clocked
    client = logged_in(app, "lead")
    client.follow_redirects = False
    assert client.get("/api/caseload").status_code == 200
    access.users.set_disabled("lead", True)
    assert client.get("/api/caseload").status_code == 401
    assert log_in(TestClient(app), "lead").status_code == 401
    access.users.set_disabled("lead", False)
    assert log_in(TestClient(app), "lead").status_code == 303


def test_state_changes_need_the_csrf_token_and_the_origin(clocked):
    app, _, _ = clocked
    client = logged_in(app, "lead")
    client.follow_redirects = False
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
    for data, headers in (
        ({}, {"origin": ORIGIN}),
        ({"csrf": "0" * 64}, {"origin": ORIGIN}),
        ({"csrf": token}, {"origin": "http://evil.example"}),
        ({"csrf": token}, {}),
        ({"csrf": token}, {"origin": "null"}),
        ({"csrf": token}, {"origin": "null", "sec-fetch-site": "cross-site"}),
    ):
        assert client.post("/logout", data=data, headers=headers).status_code == 403
        assert client.get("/").status_code == 200  # still logged in
    # A password change from elsewhere changes nothing.
    forged = client.post(
        "/account",
        data={"csrf": token, "current": PASSWORD, "new": "x" * 20, "confirm": "x" * 20},
        headers={"origin": "http://evil.example"},
    )
    assert forged.status_code == 403
    assert log_in(TestClient(app), "lead").status_code == 303
    # The log-in form needs its own cookie's value and the origin too.
    anonymous = TestClient(app, follow_redirects=False)
    form = anonymous.get("/login").text
    login_token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    data = {"name": "lead", "password": PASSWORD, "csrf": login_token}
    evil = anonymous.post("/login", data=data, headers={"origin": "http://evil"})
    assert evil.status_code == 403
    bare = TestClient(app, follow_redirects=False)
    assert bare.post("/login", data=data, headers={"origin": ORIGIN}).status_code == 403
    # The refusal's form is a new one: its token (and cookie) replace the old.
    data["csrf"] = re.search(r'name="csrf" value="([^"]+)"', evil.text).group(1)
    assert anonymous.post("/login", data=data, headers={"origin": ORIGIN}).status_code == 303


def test_changing_the_password_on_the_web(clocked):
    app, _, _ = clocked
    client = logged_in(app, "lead")
    client.follow_redirects = False
    other = logged_in(app, "lead")
    other.follow_redirects = False
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/account").text).group(1)
    new = "Saddle-Lantern-Orbit-27"

    def change(current: str, new: str, confirm: str):
        data = {"csrf": token, "current": current, "new": new, "confirm": confirm}
        return client.post("/account", data=data, headers={"origin": ORIGIN})

    assert change("wrong password here", new, new).status_code == 403
    assert change(PASSWORD, new, new + "x").status_code == 400
    weak = change(PASSWORD, "password1234", "password1234")
    assert weak.status_code == 400 and "common" in weak.text.lower()
    done = change(PASSWORD, new, new)
    assert done.status_code == 303
    assert client.get("/").status_code == 200  # this browser goes on, with a new session
    assert other.get("/").status_code == 303  # every other session ended
    assert log_in(TestClient(app), "lead", new).status_code == 303
    assert log_in(TestClient(app), "lead", PASSWORD).status_code == 401


def test_lock_out_after_five_failures_and_its_expiry(clocked):
    app, _, clock = clocked
    client = TestClient(app, follow_redirects=False)
    for _ in range(5):
        assert log_in(client, "lead", "not-the-password-1").status_code == 401
    locked = log_in(client, "lead")  # even the right password
    assert locked.status_code == 429
    assert "Too many failed log-ins for this name; try again in 15 minutes." in locked.text
    # Names that do not exist lock the same way (the answer does not tell them apart).
    for _ in range(5):
        assert log_in(client, "nobody", "not-the-password-1").status_code == 401
    assert log_in(client, "nobody", "x").status_code == 429
    assert log_in(client, "boss").status_code == 303  # another name is not affected
    clock.now += 15 * 60 + 1
    assert log_in(client, "lead").status_code == 303


def test_a_failed_log_in_takes_as_long_for_unknown_and_known_names(clocked):
    app, _, _ = clocked
    client = TestClient(app, follow_redirects=False)

    def timed(name: str) -> float:
        started = time.perf_counter()
        response = log_in(client, name, "Wrong-Password-Here-7")
        assert response.status_code in (401, 429)
        assert "The name or the password is wrong." in response.text or response.status_code == 429
        return time.perf_counter() - started

    # Alternate, and stay under the lock-out (4 failures a name).
    known, unknown = [], []
    for i in range(4):
        known.append(timed("boss"))
        unknown.append(timed(f"ghost{i}"))
    # One argon2 verification either way: within noise (a missing name would be ~100x faster).
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2, (known, unknown)


def test_every_answer_carries_the_security_headers(clocked, oracle: Oracle):
    app, _, _ = clocked
    anonymous = TestClient(app, follow_redirects=False)
    client = logged_in(app, "lead")
    client.follow_redirects = False
    answers = [
        anonymous.get("/login"),
        anonymous.get("/caseload"),
        anonymous.get("/api/caseload"),
        anonymous.get("/static/app.css"),
        client.get("/"),
        client.get("/writeback"),  # 403 for a viewer
        client.get("/nowhere"),
        client.get("/api/caseload?lookback=abc"),
        client.get("/caseload.csv"),
        client.post("/logout", data={}),
    ]
    for response in answers:
        headers = response.headers
        assert "default-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "no-referrer"
        if not response.url.path.startswith("/static/"):
            assert headers["cache-control"] == "no-store"


def test_an_internal_error_page_carries_the_headers(pipeline: Pipeline, tmp_path):
    access = make_access(tmp_path, ("boss", "admin", (), ()))
    app = create_app(pipeline.paths, access)
    client = logged_in(app, "boss")
    app.state.reader.request = None  # any use of the warehouse now fails unexpectedly
    response = client.get("/caseload")
    assert response.status_code == 500
    assert "Internal error (TypeError)" in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    rows = access.log.read(user="boss")
    assert rows[-1]["route"] == "/caseload" and rows[-1]["status"] == 500


def test_proxy_mode_trusts_listed_proxies_only(pipeline: Pipeline, tmp_path):
    from access.guards import parse_proxies

    access = make_access(tmp_path, ("lead", "viewer", (), ()))
    transport = Transport(proxies=parse_proxies(["10.0.0.5"]), user_header="X-Forwarded-User")
    app = create_app(pipeline.paths, access, transport=transport)
    proxy = TestClient(app, client=("10.0.0.5", 4000), follow_redirects=False)
    named = {"x-forwarded-user": "lead", "x-forwarded-for": "192.0.2.7"}
    assert proxy.get("/api/caseload", headers=named).status_code == 200
    assert proxy.get("/api/caseload").status_code == 401  # the proxy named nobody
    unknown = {"x-forwarded-user": "mallory"}
    assert proxy.get("/api/caseload", headers=unknown).status_code == 401
    elsewhere = TestClient(app, client=("10.0.0.6", 4000), follow_redirects=False)
    assert elsewhere.get("/api/caseload", headers=named).status_code == 403
    assert elsewhere.get("/login").status_code == 403  # only the proxy may connect at all
    rows = access.log.read()
    assert [r["client"] for r in rows if r["user_name"] == "lead"] == ["192.0.2.7"]
    assert rows[-1]["client"] == "10.0.0.6" and rows[-1]["event"] == "denied"


def test_forwarded_headers_count_only_from_a_listed_proxy(pipeline: Pipeline, tmp_path):
    from access.guards import parse_proxies

    access = make_access(tmp_path, ("lead", "viewer", (), ()))
    direct = create_app(pipeline.paths, access)
    client = TestClient(direct, client=("127.0.0.1", 5000))
    log_in(client, "lead", **{"x-forwarded-for": "203.0.113.9"})
    assert access.log.read()[-1]["client"] == "127.0.0.1"  # not trusted from anyone
    proxied = create_app(
        pipeline.paths, access, transport=Transport(proxies=parse_proxies(["127.0.0.1"]))
    )
    client = TestClient(proxied, client=("127.0.0.1", 5000), follow_redirects=False)
    forwarded = {"x-forwarded-for": "203.0.113.9", "x-forwarded-proto": "https"}
    assert log_in(client, "lead", **forwarded).status_code == 403  # http origin, https site
    response = log_in(client, "lead", origin="https://testserver", **forwarded)
    assert response.status_code == 303
    assert "Secure" in response.headers["set-cookie"]  # the proxy says the browser used TLS
    assert access.log.read()[-1]["client"] == "203.0.113.9"


def test_the_access_log_has_one_row_per_request(pipeline: Pipeline, oracle: Oracle, tmp_path):
    access = make_access(
        tmp_path, ("boss", "admin", (), ()), ("lead", "viewer", ("Nowhere Inc",), ())
    )
    app = create_app(pipeline.paths, access)
    anonymous = TestClient(app, follow_redirects=False)
    anonymous.get("/caseload")
    client = TestClient(app, follow_redirects=False)
    log_in(client, "boss", "wrong-password-xyz")
    log_in(client, "boss")
    member = sorted(oracle.members)[0]
    client.get("/caseload", params={"lookback": "56", "channel": ["Phone", "Email"]})
    client.get("/api/sessions", params={"per_page": "25"})
    csv_text = client.get("/participants.csv").text
    client.get(f"/members/{member}")
    client.get("/members/nobody")
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text).group(1)
    client.post("/logout", data={"csrf": token}, headers={"origin": ORIGIN})
    rows = access.log.read()
    got = [(r["event"], r["user_name"], r["route"], r["status"]) for r in rows]
    assert got == [
        ("denied", None, "/caseload", 303),
        ("view", None, "/login", 200),
        ("login_failed", "boss", "/login", 401),
        ("view", None, "/login", 200),
        ("login", "boss", "/login", 303),
        ("view", "boss", "/caseload", 200),
        ("api", "boss", "/api/sessions", 200),
        ("download", "boss", "/participants.csv", 200),
        ("view", "boss", f"/members/{member}", 200),
        ("view", "boss", "/members/nobody", 404),
        ("view", "boss", "/", 200),
        ("logout", "boss", "/logout", 303),
    ]
    by_route = {r["route"]: r for r in rows}
    assert by_route["/caseload"]["filters"] == '{"channel": ["Phone", "Email"], "lookback": "56"}'
    assert by_route["/api/sessions"]["row_count"] == 25
    assert by_route["/participants.csv"]["row_count"] == len(csv_text.splitlines()) - 1 > 0
    assert by_route[f"/members/{member}"]["row_count"] == 1
    assert all(r["client"] == "testclient" for r in rows)
    with pytest.raises(Exception, match="append-only"), access.store.connect() as con:
        con.execute("delete from access_log")


def test_no_file_the_app_writes_holds_a_password_or_session_id(pipeline: Pipeline, tmp_path: Path):
    access = make_access(tmp_path, ("boss", "admin", (), ()))
    app = create_app(pipeline.paths, access)
    client = logged_in(app, "boss")
    session_id = client.cookies[SESSION_COOKIE]
    log_in(TestClient(app), "boss", "Typo-In-The-Password-99")
    client.get("/caseload")
    found = list(tmp_path.rglob("*"))
    assert found
    for path in found:
        if path.is_file():
            data = path.read_bytes()
            for secret in (PASSWORD, "Typo-In-The-Password-99", session_id):
                assert secret.encode() not in data, path
            assert path.stat().st_mode & 0o077 == 0, path
