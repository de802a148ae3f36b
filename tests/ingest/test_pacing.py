"""Pacing: one shared budget learnt from the rate-limit headers keeps a concurrent run under a
low limit with no 429s, and a 429 (another app spent the window) is retried only after the
window resets."""

from __future__ import annotations

import asyncio
import time

import httpx

from fake_intercom import RequestInfo
from tests.ingest.conftest import TOKEN, assert_matches_truth, ingest

LIMIT = 15  # per 10-second window


async def spend_the_window(fake) -> float:
    """Another client with the same token spends what is left of the window; returns when it
    resets (unix seconds)."""
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=fake.app),
        base_url="http://fake",
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as other:
        while True:
            answer = await other.get("/admins")
            if answer.status_code == 429:
                return float(answer.headers["X-RateLimit-Reset"])


def test_low_limit_gives_no_429_and_a_429_waits_for_the_reset(fake, paths):
    fake.configure(rate_limit_per_10s=LIMIT)
    reset = asyncio.run(spend_the_window(fake))
    if reset - time.time() < 1:  # too close to the edge to see the wait: take the next window
        time.sleep(reset - time.time() + 0.1)
        reset = asyncio.run(spend_the_window(fake))
    limited_before = fake.stats()["rate_limited"]
    seen: list[tuple[float, str]] = []

    def note(info: RequestInfo) -> None:
        seen.append((time.time(), f"{info.method} {info.endpoint}"))

    fake.on_request(note)
    # 16 requests in flight could spend a window's budget in a blink; the pacer must not.
    result = ingest(fake, paths, page_size=20, concurrency=16)
    assert_matches_truth(paths, fake)
    # Exactly one 429 for us: the first request, retried once the window had reset.
    assert fake.stats()["rate_limited"] - limited_before == 1
    assert seen[0][1] == "GET /me" and seen[1][1] == "GET /me"
    assert seen[1][0] >= reset
    # The run needed more than a window's budget, so the pacer had to hold requests back.
    assert len(seen) > LIMIT + 1
    per_window: dict[int, int] = {}
    for at, _ in seen[1:]:
        per_window[int(at // 10)] = per_window.get(int(at // 10), 0) + 1
    assert max(per_window.values()) <= LIMIT
    assert sum(log.calls.rate_limited for log in result.logs) == 0
