"""Fixtures: one tiny workspace per session, reset before every test, driven over HTTP through
httpx.ASGITransport (in-process, no sockets) or a loopback server where a socket matters."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from fake_intercom import EmulatorConfig, FakeIntercom

NOW = datetime(2026, 6, 15, tzinfo=UTC)
TOKEN = "test-token"
DEFAULT_CONFIG = EmulatorConfig(token=TOKEN)


class ManualClock:
    """A clock tests move by hand (rate-limit windows, index lag) instead of sleeping."""

    def __init__(self, start: float) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """A synchronous face on httpx.AsyncClient over the fake's ASGI app, for terse tests."""

    def __init__(self, fake: FakeIntercom, token: str = TOKEN) -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=fake.app),
            base_url="http://fake",
            headers={"Authorization": f"Bearer {token}", "Intercom-Version": "2.11"},
        )

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, path, **kwargs))

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> httpx.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        assert response.status_code == 200, response.text
        return response.json()

    def search(self, what: str, query: Any, **extra: Any) -> httpx.Response:
        return self.post(f"/{what}/search", json={"query": query, **extra})

    def search_ids(self, what: str, query: Any, per_page: int = 150, **extra: Any) -> set[str]:
        """Every id a search returns, following cursors to the end."""
        key = "data" if what == "contacts" else "conversations"
        ids: set[str] = set()
        pagination: dict[str, Any] = {"per_page": per_page}
        while True:
            body = self.ok(
                "POST", f"/{what}/search", json={"query": query, "pagination": pagination, **extra}
            )
            ids |= {item["id"] for item in body[key]}
            nxt = body["pages"].get("next")
            if not nxt:
                return ids
            pagination = {"per_page": per_page, "starting_after": nxt["starting_after"]}

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@pytest.fixture(scope="session")
def session_fake() -> Iterator[FakeIntercom]:
    fake = FakeIntercom.create("tiny", seed=7, now=NOW, config=DEFAULT_CONFIG)
    yield fake
    fake.close()


@pytest.fixture
def fake(session_fake: FakeIntercom) -> Iterator[FakeIntercom]:
    """The session's tiny workspace, as generated, with default knobs and no hooks."""
    session_fake.reset()  # data, counters and knobs back to how the fake started
    yield session_fake
    for hook in list(session_fake.emulator.hooks):
        session_fake.remove_hook(hook)
    session_fake.reset()


@pytest.fixture
def api(fake: FakeIntercom) -> Iterator[Api]:
    client = Api(fake)
    yield client
    client.close()


@pytest.fixture
def truth(fake: FakeIntercom) -> dict[str, Any]:
    return fake.backend.ground_truth()


@pytest.fixture
def clocked() -> Iterator[tuple[FakeIntercom, ManualClock, Api]]:
    """A fresh tiny fake on a manual clock, for rate limits and index lag."""
    clock = ManualClock(NOW.timestamp() + 30 * 86_400 + 3)
    fake = FakeIntercom.create("tiny", seed=7, now=NOW, config=DEFAULT_CONFIG, clock=clock)
    client = Api(fake)
    yield fake, clock, client
    client.close()
    fake.close()


def live_contacts(truth: dict[str, Any], role: str | None = None) -> list[dict[str, Any]]:
    return [c for c in truth["contacts"] if role is None or c["role"] == role]
