"""What the web benchmark's clients ask for: every page, with filters, sorts and pages varied the
way a program's staff would vary them (values drawn from the warehouse itself)."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from bench.web_login import logged_in

PAGES = (
    "home",
    "caseload",
    "sessions",
    "participants",
    "billing",
    "engagement",
    "member",
    "data-quality",
    "writeback",
)


@dataclass(frozen=True)
class Request:
    page: str
    path: str
    params: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return self.path + "?" + "&".join(f"{k}={v}" for k, v in self.params)


def _values(base: str, password: str) -> dict[str, Any]:
    """Coaches, employers, members and months to choose from, read through the app's API."""
    with logged_in(base, password, timeout=120) as client:
        caseload = client.get("/api/caseload", params={"per_page": 1000}).json()
        billing = client.get("/api/billing", params={"per_page": 1000}).json()
        quality = client.get("/api/data-quality").json()
    employers = sorted({r["employer"] for r in caseload["rows"] if r["employer"]})
    coaches = sorted(
        {cid for r in caseload["rows"] for cid in (r["coach_ids"] or "").split("; ") if cid}
    )
    return {
        "members": [r["contact_id"] for r in caseload["rows"]],
        "employers": employers[:15],
        "coaches": coaches,
        "months": sorted({r["month"] for r in billing["rows"]}),
        "kinds": [c["drill"]["kind"] for c in quality["cards"] if c["drill"]],
        "as_of": caseload["as_of_date"],
    }


def _months_before(as_of: str, count: int) -> list[str]:
    """The as-of date's month and the ones before it, YYYY-MM."""
    day = date.fromisoformat(as_of).replace(day=1)
    months = []
    for _ in range(count):
        months.append(day.strftime("%Y-%m"))
        day = (day - timedelta(days=1)).replace(day=1)
    return months


def requests_for(
    base: str, rng: random.Random, password: str
) -> Callable[[random.Random], Request]:
    values = _values(base, password)
    months = _months_before(values["as_of"], 6)

    def maybe(r: random.Random, share: float, make: Callable[[], list[tuple[str, str]]]):
        return make() if r.random() < share else []

    def table(r: random.Random, columns: list[str]) -> list[tuple[str, str]]:
        params = maybe(
            r, 0.3, lambda: [("sort", r.choice(columns)), ("dir", r.choice(["asc", "desc"]))]
        )
        return params + maybe(r, 0.3, lambda: [("page", str(r.randint(2, 6)))])

    def employer(r: random.Random) -> list[tuple[str, str]]:
        return maybe(r, 0.25, lambda: [("employer", r.choice(values["employers"]))])

    def caseload(r: random.Random) -> Request:
        params = maybe(r, 0.4, lambda: [("coach", r.choice(values["coaches"]))])
        if not params:
            params = maybe(r, 0.5, lambda: [("lookback", str(r.choice([7, 14, 28, 56, 90, 180])))])
        params += employer(r)
        params += maybe(r, 0.2, lambda: [("bucket", r.choice(["≤7", "8–28", "29–56", ">56"]))])
        columns = ["name", "days_since_last_session", "employer", "session_count"]
        return Request("caseload", "/caseload", tuple(params + table(r, columns)))

    def sessions(r: random.Random) -> Request:
        params = maybe(r, 0.4, lambda: [("lookback", str(r.choice([7, 28, 56, 90])))])
        month = r.choice(months)
        params += maybe(r, 0.2, lambda: [("from", f"{month}-01"), ("to", f"{month}-28")])
        params += maybe(r, 0.3, lambda: [("coach", r.choice(values["coaches"]))])
        params += maybe(r, 0.2, lambda: [("channel", r.choice(["Phone", "Email", "Chat"]))])
        params += employer(r)
        columns = ["session_date", "channel", "coach_name", "employer"]
        return Request("sessions", "/sessions", tuple(params + table(r, columns)))

    def participants(r: random.Random) -> Request:
        params = maybe(r, 0.5, lambda: [("lookback", str(r.choice([14, 28, 60, 90, 180])))])
        params += maybe(r, 0.3, lambda: [("coach", r.choice(values["coaches"]))])
        params += employer(r)
        params += maybe(r, 0.2, lambda: [("bucket", r.choice(["15–21", "22–28", ">28"]))])
        columns = ["name", "days_without_session", "enrolled_date"]
        return Request("participants", "/participants", tuple(params + table(r, columns)))

    def billing(r: random.Random) -> Request:
        params = maybe(r, 0.5, lambda: [("month", r.choice(months))])
        params += employer(r)
        params += maybe(r, 0.2, lambda: [("cohort", r.choice(["new", "engaged", "both"]))])
        columns = ["name", "employer", "enrolled_date"]
        return Request("billing", "/billing", tuple(params + table(r, columns)))

    def engagement(r: random.Random) -> Request:
        params = maybe(r, 0.5, lambda: [("days", str(r.choice([7, 30, 90])))])
        params += employer(r)
        return Request(
            "engagement", "/engagement", tuple(params + table(r, ["name", "changed_on"]))
        )

    def quality(r: random.Random) -> Request:
        params = maybe(r, 0.5, lambda: [("kind", r.choice(values["kinds"]))])
        columns = ["issue_kind", "object_id", "field"]
        return Request("data-quality", "/data-quality", tuple(params + table(r, columns)))

    makers = {
        "home": lambda r: Request("home", "/"),
        "caseload": caseload,
        "sessions": sessions,
        "participants": participants,
        "billing": billing,
        "engagement": engagement,
        "member": lambda r: Request("member", f"/members/{r.choice(values['members'])}"),
        "data-quality": quality,
        "writeback": lambda r: Request("writeback", "/writeback"),
    }

    def pick(r: random.Random) -> Request:
        return makers[r.choice(PAGES)](r)

    del rng
    return pick
