"""The baseline: the caseload report computed by reading Intercom directly, the way the earlier
tool in this space did. Benchmark harness only; the product never does this.

1. page `POST /conversations/search` (state closed, `updated_at` after now minus the lookback,
   150 per page) to the end, one page after the other (each page's cursor comes from the last);
2. `GET /contacts/{id}` for every contact on a coaching session in the window, 10 at a time;
3. `GET /admins` for the coaches' names;
4. the caseload in memory: per member, last session, days since, recency bucket, channels, coaches,
   employer.

Run as `python -m bench.baseline --base-url URL --now UNIX --as-of YYYY-MM-DD --lookback N`; it
prints one JSON object: the seconds from the first request to the finished report, the calls it
made, the report's size, and its own peak RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import resource
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson
import yaml
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from bench.common import REPO, TOKEN

DBT = REPO / "dbt_project"
BATCH = 10  # the earlier tool's contact requests in flight
PER_PAGE = 150


def _dbt_vars() -> dict[str, Any]:
    return yaml.safe_load((DBT / "dbt_project.yml").read_text())["vars"]


def coaching_channels() -> set[str]:
    with (DBT / "seeds" / "channels.csv").open() as handle:
        return {
            row["channel"] for row in csv.DictReader(handle) if row["is_coaching_channel"] == "true"
        }


def _retryable(error: BaseException) -> bool:
    if isinstance(error, httpx.HTTPStatusError):
        return error.response.status_code == 429 or error.response.status_code >= 500
    return isinstance(error, httpx.TransportError)


def bucket(days: int, edges: tuple[int, ...]) -> str:
    """The recency bucket's label as the marts spell it (≤7, 8–28, 29–56, >56)."""
    lower = None
    for edge in edges:
        if days <= edge:
            return f"≤{edge}" if lower is None else f"{lower + 1}–{edge}"
        lower = edge
    return f">{edges[-1]}"


@dataclass
class Member:
    last_session_at: int = 0
    sessions: int = 0
    channels: set[str] = field(default_factory=set)
    coach_ids: set[str] = field(default_factory=set)


class Reader:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.calls = Counter[str]()

    async def request(self, name: str, method: str, path: str, **kwargs: Any) -> Any:
        async for attempt in AsyncRetrying(
            retry=retry_if_exception(_retryable),
            wait=wait_exponential_jitter(initial=0.5, max=10),
            stop=stop_after_attempt(10),
            reraise=True,
        ):
            with attempt:
                self.calls[name] += 1
                answer = await self.client.request(method, path, **kwargs)
                if answer.status_code == 404:
                    return None
                answer.raise_for_status()
                return orjson.loads(answer.content)
        raise AssertionError("unreachable")


async def caseload(base_url: str, now: int, as_of: date, lookback: int) -> dict[str, Any]:
    zone = ZoneInfo(_dbt_vars()["program_timezone"])
    channels = coaching_channels()
    headers = {"Authorization": f"Bearer {TOKEN}", "Intercom-Version": "2.11"}
    members: dict[str, Member] = {}
    conversations = 0
    limits = httpx.Limits(max_connections=BATCH)
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=60, limits=limits
    ) as client:
        reader = Reader(client)
        query = {
            "operator": "AND",
            "value": [
                {"field": "state", "operator": "=", "value": "closed"},
                {"field": "updated_at", "operator": ">", "value": now - lookback * 86_400},
            ],
        }
        pagination: dict[str, Any] = {"per_page": PER_PAGE}
        while True:
            page = await reader.request(
                "search",
                "POST",
                "/conversations/search",
                json={"query": query, "pagination": pagination},
            )
            for conversation in page["conversations"]:
                conversations += 1
                channel = (conversation.get("custom_attributes") or {}).get("Channel")
                if channel not in channels:
                    continue
                stats = conversation.get("statistics") or {}
                session_at = stats.get("last_close_at") or conversation["created_at"]
                days = (as_of - datetime.fromtimestamp(session_at, zone).date()).days
                if not 0 <= days <= lookback:
                    continue
                coach = conversation.get("admin_assignee_id") or next(
                    (t["id"] for t in conversation["teammates"]["teammates"]), None
                )
                for contact in conversation["contacts"]["contacts"]:
                    member = members.setdefault(contact["id"], Member())
                    member.last_session_at = max(member.last_session_at, session_at)
                    member.sessions += 1
                    member.channels.add(channel)
                    if coach is not None:
                        member.coach_ids.add(str(coach))
            following = (page.get("pages") or {}).get("next")
            if not following:
                break
            pagination = {"per_page": PER_PAGE, "starting_after": following["starting_after"]}

        contacts: dict[str, dict[str, Any] | None] = {}
        ids = sorted(members)
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            found = await asyncio.gather(
                *(reader.request("contact", "GET", f"/contacts/{i}") for i in batch)
            )
            contacts.update(zip(batch, found, strict=True))
        admins = {
            a["id"]: a["name"] for a in (await reader.request("admins", "GET", "/admins"))["admins"]
        }

    vars_ = _dbt_vars()
    edges = (vars_["recent_days"], vars_["engaged_days"], vars_["at_risk_days"])
    rows = []
    for contact_id, member in members.items():
        contact = contacts.get(contact_id)
        if contact is None or contact.get("role") != "user":
            continue
        days = (as_of - datetime.fromtimestamp(member.last_session_at, zone).date()).days
        rows.append(
            {
                "contact_id": contact_id,
                "name": contact.get("name"),
                "employer": (contact.get("custom_attributes") or {}).get("Employer"),
                "days_since_last_session": days,
                "recency_bucket": bucket(days, edges),
                "channel_combination": " + ".join(sorted(member.channels)),
                "coaches": "; ".join(sorted(admins.get(c, c) for c in member.coach_ids)),
                "session_count": member.sessions,
            }
        )
    return {
        "conversations_read": conversations,
        "members": len(rows),
        "buckets": dict(Counter(row["recency_bucket"] for row in rows)),
        "calls": dict(reader.calls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--now", type=int, required=True, help="unix seconds")
    parser.add_argument("--as-of", type=date.fromisoformat, required=True)
    parser.add_argument("--lookback", type=int, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    report = asyncio.run(caseload(args.base_url, args.now, args.as_of, args.lookback))
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(report | {"seconds": round(seconds, 3), "peak_rss_mb": round(peak, 1)}))


if __name__ == "__main__":
    main()
