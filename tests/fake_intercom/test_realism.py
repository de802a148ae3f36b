"""Auth, rate limit, latency, injected faults (in-process and on loopback) and index lag."""

from __future__ import annotations

import asyncio
import time

import httpx
import orjson
import pytest

from fake_intercom.config import KnobError
from fake_intercom.latency import Latency
from tests.fake_intercom.conftest import TOKEN, Api, live_contacts

RATE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset")


# ------------------------------------------------------------------- auth
@pytest.mark.parametrize("header", [None, "Bearer wrong", f"Basic {TOKEN}", TOKEN])
def test_bad_token_is_401_without_rate_limit_headers(fake, header):
    api = Api(fake)
    try:
        headers = {"Authorization": header} if header else {}
        if header is None:
            api.client.headers.pop("Authorization")
        response = api.get("/contacts", headers=headers)
        assert response.status_code == 401
        body = response.json()
        assert body["type"] == "error.list"
        assert body["errors"] == [{"code": "unauthorized", "message": "Access Token Invalid"}]
        assert len(body["request_id"]) == 36
        assert not any(h in response.headers for h in RATE_HEADERS)
    finally:
        api.close()


# ------------------------------------------------------------- rate limit
def test_rate_limit_headers_and_429_at_the_limit(clocked):
    fake, clock, api = clocked
    fake.configure(rate_limit_per_10s=5)
    window_end = (int(clock.now) // 10 + 1) * 10
    remaining = []
    for i in range(5):
        response = api.get("/admins")
        assert response.status_code == 200
        assert response.headers["x-ratelimit-limit"] == "5"
        assert response.headers["x-ratelimit-reset"] == str(window_end)
        remaining.append(int(response.headers["x-ratelimit-remaining"]))
        if i == 2:  # unauthenticated requests are not counted
            assert api.get("/admins", headers={"Authorization": "Bearer no"}).status_code == 401
    assert remaining == [4, 3, 2, 1, 0]
    limited = api.get("/admins")
    assert limited.status_code == 429
    assert limited.json()["errors"] == [
        {"code": "rate_limit_exceeded", "message": "Exceeded rate limit of 5 in 10_seconds"}
    ]
    assert limited.headers["x-ratelimit-remaining"] == "0"
    assert limited.headers["x-ratelimit-reset"] == str(window_end)
    clock.advance(window_end - clock.now)  # the next window starts on a multiple of 10 s
    response = api.get("/admins")
    assert response.status_code == 200
    assert response.headers["x-ratelimit-remaining"] == "4"
    assert response.headers["x-ratelimit-reset"] == str(window_end + 10)
    stats = fake.stats()
    assert stats["rate_limited"] == 1
    assert stats["by_endpoint"]["GET /admins"] == {"200": 6, "401": 1, "429": 1}


def test_default_limit_is_ten_thousand_a_minute(api):
    assert api.get("/me").headers["x-ratelimit-limit"] == "1667"


# ---------------------------------------------------------------- latency
def test_latency_specs():
    assert Latency.parse("150ms").sample(0.3) == pytest.approx(0.15)
    uniform = Latency.parse("uniform:100ms:200ms")
    assert [uniform.sample(u) for u in (0.0, 0.5, 1.0)] == pytest.approx([0.1, 0.15, 0.2])
    lognormal = Latency.parse("lognormal:150ms:40ms")
    assert lognormal.sample(0.5) == pytest.approx(0.15)
    assert lognormal.sample(0.05) < 0.15 < lognormal.sample(0.95)
    for bad in ("fast", "uniform:2s:1s", "gauss:1ms:2ms", "lognormal:0ms:1ms"):
        with pytest.raises(KnobError):
            Latency.parse(bad)


def test_latency_is_applied_and_concurrent_requests_overlap(fake, api):
    fake.configure(latency="200ms")
    started = time.monotonic()
    assert api.get("/me").status_code == 200
    assert time.monotonic() - started >= 0.2

    async def five() -> list[int]:
        responses = await asyncio.gather(*(api.client.get("/me") for _ in range(5)))
        return [r.status_code for r in responses]

    started = time.monotonic()
    assert api.loop.run_until_complete(five()) == [200] * 5
    # asyncio.sleep, not a blocking sleep: five requests take far less than five delays
    assert time.monotonic() - started < 0.8


# ----------------------------------------------------------------- faults
@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("500", 500, "server_error"),
        ("502", 502, "server_error"),
        ("503", 503, "service_unavailable"),
    ],
)
def test_server_errors(fake, api, truth, kind, status, code):
    fake.configure(fault_rate=1.0, fault_kinds=kind)
    contact = live_contacts(truth, "user")[0]
    response = api.put(f"/contacts/{contact['id']}", json={"name": "Not Applied"})
    assert response.status_code == status
    assert response.json()["errors"][0]["code"] == code
    assert all(h in response.headers for h in RATE_HEADERS)
    assert fake.backend.contact(contact["id"])["name"] == contact["name"]  # nothing applied
    assert fake.stats()["faults"] == {kind: 1}


def test_truncated_body_is_applied_and_cut(fake, api, truth):
    contact = live_contacts(truth, "user")[0]
    fake.configure(fault_rate=1.0, fault_kinds="truncated")
    response = api.put(f"/contacts/{contact['id']}", json={"name": "Applied"})
    assert response.status_code == 200
    assert int(response.headers["content-length"]) == len(response.content)
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(response.content)
    whole = fake.backend.contact_json(contact["id"]).encode()
    assert whole.startswith(response.content) and len(response.content) < len(whole)
    assert fake.backend.contact(contact["id"])["name"] == "Applied"


def test_truncated_draw_on_an_error_answer_is_sent_whole_and_not_counted(fake, api):
    fake.configure(fault_rate=1.0, fault_kinds="truncated")
    response = api.get("/contacts/000000000000000000000000")
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"
    assert fake.stats()["faults"].get("truncated", 0) == 0


def test_reset_and_timeout_in_process_raise_transport_errors(fake, api, truth):
    contact = live_contacts(truth, "user")[0]
    fake.configure(fault_rate=1.0, fault_kinds="reset")
    with pytest.raises(httpx.ReadError):
        api.put(f"/contacts/{contact['id']}", json={"name": "Lost"})
    assert fake.backend.contact(contact["id"])["name"] == contact["name"]
    fake.configure(fault_kinds="timeout")
    with pytest.raises(httpx.ReadTimeout):
        api.put(f"/contacts/{contact['id']}", json={"name": "Applied, answer lost"})
    assert fake.backend.contact(contact["id"])["name"] == "Applied, answer lost"
    assert fake.stats()["faults"] == {"reset": 1, "timeout": 1}


def test_burst_of_429s(fake, api):
    fake.configure(fault_rate=0.3, fault_kinds="burst429", burst429_length=3)
    statuses = []
    for _ in range(60):
        response = api.get("/teams")
        statuses.append(response.status_code)
        assert all(h in response.headers for h in RATE_HEADERS)
        if response.status_code == 429:
            assert response.headers["x-ratelimit-remaining"] == "0"
            assert response.json()["errors"][0]["code"] == "rate_limit_exceeded"
    runs, run = [], 0
    for status in [*statuses, 200]:
        if status == 429:
            run += 1
        elif run:
            runs.append(run)
            run = 0
    assert runs and all(r >= 3 for r in runs)
    assert 200 in statuses


def outcomes(api: Api, requests: list[tuple[str, str, dict | None]]) -> dict[tuple, object]:
    seen = {}
    for method, path, body in requests:
        try:
            response = api.request(method, path, json=body)
            detail = (
                len(response.content)
                if response.status_code == 200
                else response.json()["errors"][0]["code"]
            )
            seen[(method, path, str(body))] = (response.status_code, detail)
        except httpx.TransportError as exc:
            seen[(method, path, str(body))] = type(exc).__name__
    return seen


def test_faults_are_deterministic_and_independent_of_order(fake, api, truth):
    knobs = {"fault_rate": 0.35, "fault_kinds": "500,503,truncated,burst429,reset,timeout"}
    fake.configure(knobs, fault_seed=11)
    users = live_contacts(truth, "user")[:12]
    requests = [("GET", f"/contacts/{u['id']}", None) for u in users]
    requests += [
        (
            "POST",
            "/contacts/search",
            {"query": {"field": "email", "operator": "=", "value": u["email"]}},
        )
        for u in users
    ]
    first = outcomes(api, requests)
    kinds = set(fake.stats()["faults"])
    assert len(kinds) >= 3, f"a 35% fault rate over 24 requests injected only {kinds}"
    assert any(o[0] == 200 for o in first.values() if isinstance(o, tuple))
    fake.reset()  # knobs too: the same faults are asked for again
    fake.configure(knobs, fault_seed=11)
    again = outcomes(api, list(reversed(requests)))
    assert again == first
    fake.reset()
    fake.configure(knobs, fault_seed=12)
    assert outcomes(api, requests) != first


def test_a_retry_is_an_independent_draw(fake, api):
    fake.configure(fault_rate=0.5, fault_kinds="503")
    statuses = {api.get("/me").status_code for _ in range(40)}
    assert statuses == {200, 503}


def test_faults_never_touch_the_control_surface(fake, api):
    fake.configure(fault_rate=1.0, fault_kinds="500", rate_limit_per_10s=1)
    for _ in range(5):
        assert api.get("/_emulator/stats").status_code == 200


# --------------------------------------------------------------- loopback
def test_loopback_reset_is_a_genuine_connection_reset(fake):
    fake.configure(fault_rate=1.0, fault_kinds="reset")
    with (
        fake.serve_in_thread() as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}) as client,
    ):
        with pytest.raises(httpx.TransportError) as caught:
            client.get("/me")
        assert isinstance(caught.value, httpx.ReadError)
        assert "reset" in str(caught.value).lower()  # an RST, not a clean close
        fake.configure(fault_rate=0.0)
        assert client.get("/me").status_code == 200  # the server is fine afterwards


def test_loopback_listener_is_tcp_so_asyncio_turns_nagle_off():
    """asyncio sets TCP_NODELAY on accepted sockets only when the listener's protocol is
    IPPROTO_TCP; with protocol 0 every loopback answer waited ~40 ms for a delayed ACK."""
    import socket

    from fake_intercom.server import bind

    listener = bind("127.0.0.1", 0)
    try:
        assert listener.proto == socket.IPPROTO_TCP
    finally:
        listener.close()


def test_loopback_timeout_makes_the_client_time_out(fake):
    fake.configure(fault_rate=1.0, fault_kinds="timeout", timeout_hang_seconds=20)
    started = time.monotonic()
    with (
        fake.serve_in_thread() as url,
        httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=0.5
        ) as client,
        pytest.raises(httpx.ReadTimeout),
    ):
        client.get("/me")
    # the hanging handler noticed the client leave, so shutdown did not wait 20 s
    assert time.monotonic() - started < 10


# -------------------------------------------------------------- index lag
def test_index_lag_delays_search_but_not_reads(clocked):
    fake, clock, api = clocked
    fake.configure(index_lag_seconds=60)
    truth = fake.backend.ground_truth()
    contact = live_contacts(truth, "user")[0]
    old = contact["custom_attributes"]["Employer"]
    api.ok("PUT", f"/contacts/{contact['id']}", json={"custom_attributes": {"Employer": "Lagco"}})
    by_new = {"field": "custom_attributes.Employer", "operator": "=", "value": "Lagco"}
    by_old = {"field": "custom_attributes.Employer", "operator": "=", "value": old}
    assert api.search_ids("contacts", by_new) == set()
    found = api.ok(
        "POST", "/contacts/search", json={"query": by_old, "pagination": {"per_page": 150}}
    )["data"]
    stale = next(c for c in found if c["id"] == contact["id"])
    assert stale["custom_attributes"]["Employer"] == old  # search returns the indexed version
    assert api.ok("GET", f"/contacts/{contact['id']}")["custom_attributes"]["Employer"] == "Lagco"
    listed = api.ok("GET", "/contacts", params={"per_page": 150})["data"]
    assert (
        next(c for c in listed if c["id"] == contact["id"])["custom_attributes"]["Employer"]
        == "Lagco"
    )
    new = api.ok("POST", "/contacts", json={"email": "lag@example.com"})
    everyone = {"field": "created_at", "operator": ">", "value": 0}
    assert new["id"] not in api.search_ids("contacts", everyone)
    clock.advance(59)
    assert api.search_ids("contacts", by_new) == set()
    clock.advance(2)
    assert api.search_ids("contacts", by_new) == {contact["id"]}
    assert new["id"] in api.search_ids("contacts", everyone)


def test_index_lag_on_conversations_and_each_version_in_turn(clocked):
    fake, clock, api = clocked
    fake.configure(index_lag_seconds=30)
    truth = fake.backend.ground_truth()
    conv = next(c for c in truth["conversations"] if c["state"] == "open")
    admin = truth["admins"][0]["id"]
    fake.backend.close_conversation(conv["id"], admin)
    clock.advance(10)
    fake.backend.open_conversation(conv["id"], admin)
    closed = {"field": "state", "operator": "=", "value": "closed"}
    assert conv["id"] not in api.search_ids("conversations", closed)
    clock.advance(21)  # the close is now searchable, the reopen not yet
    assert conv["id"] in api.search_ids("conversations", closed)
    clock.advance(10)
    assert conv["id"] not in api.search_ids("conversations", closed)
    fake.configure(index_lag_seconds=0)
