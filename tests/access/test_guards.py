"""CSRF tokens, the Origin check, proxy addresses and loopback binds."""

from __future__ import annotations

import pytest

from access.guards import (
    address_in,
    csrf_ok,
    csrf_token,
    is_loopback,
    origin_ok,
    parse_proxies,
    same_value,
)
from access.store import AccessStore
from warehouse.errors import UsageError


def test_a_csrf_token_is_bound_to_its_session_and_the_secret(tmp_path):
    store = AccessStore(tmp_path / "a.sqlite")
    secret = store.secret("csrf")
    assert store.secret("csrf") == secret  # kept across uses (and restarts)
    token = csrf_token(secret, "session-a")
    assert csrf_ok(secret, "session-a", token)
    assert not csrf_ok(secret, "session-b", token)
    assert not csrf_ok("another secret", "session-a", token)
    assert not csrf_ok(secret, "session-a", None) and not csrf_ok(secret, "session-a", "")


def test_the_login_form_double_submit():
    assert same_value("abc", "abc")
    assert not same_value("abc", "abd") and not same_value(None, None) and not same_value("", "")


@pytest.mark.parametrize(
    ("origin", "referer", "ok", "fetch_site"),
    [
        ("http://127.0.0.1:8000", None, True, None),
        ("HTTP://127.0.0.1:8000", None, True, None),
        ("http://127.0.0.1:8001", None, False, None),
        ("https://127.0.0.1:8000", None, False, None),
        ("http://evil.example", "http://127.0.0.1:8000/login", False, None),
        (None, "http://127.0.0.1:8000/login?next=/", True, None),
        ("null", "http://127.0.0.1:8000/x", True, None),
        ("null", None, False, None),
        (None, None, False, None),
        # Under Referrer-Policy: no-referrer a browser sends Origin: null and no Referer, but
        # says whether the request is same-origin in a header pages cannot set.
        ("null", None, True, "same-origin"),
        ("null", None, False, "cross-site"),
        ("null", None, False, "same-site"),
        (None, None, True, "same-origin"),
        ("http://evil.example", None, False, "same-origin"),  # an origin given decides
    ],
)
def test_posts_must_come_from_the_apps_own_origin(origin, referer, ok, fetch_site):
    assert origin_ok(origin, referer, "http://127.0.0.1:8000", fetch_site) is ok


def test_proxy_addresses_and_networks():
    proxies = parse_proxies(["10.0.0.5, 192.168.1.0/24", "::1"])
    assert address_in("10.0.0.5", proxies) and address_in("192.168.1.77", proxies)
    assert address_in("::1", proxies)
    assert not address_in("10.0.0.6", proxies) and not address_in("not an ip", proxies)
    assert not address_in(None, proxies)
    with pytest.raises(UsageError, match="--behind-proxy takes IP addresses"):
        parse_proxies(["proxy.internal"])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("192.168.1.10", False), ("::", False),
     ("example.org", False)],
)  # fmt: skip
def test_loopback_binds(host, loopback):
    assert is_loopback(host) is loopback
