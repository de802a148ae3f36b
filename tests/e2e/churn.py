"""A day's churn through the fake's HTTP API: every kind of change to contacts and conversations
that a model incremental on changed contacts and conversations could miss, on records picked
from what the fake holds with `random.Random(seed)`. Each change's answer must carry an
`updated_at` no older than the churn's first write, so that an incremental read sees it; deleted
contacts and merged-away leads vanish instead, which only `coach ingest --full` notices."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import orjson

from fake_intercom.rules import load_rules

RULES = load_rules()
DAY = 86_400
COACHING = {"Channel": "Phone", "Service Code": "Health Coaching 001"}
CLEARABLE = ("Employer", "Enrolled Date", "Referral")
KINDS = (
    *("contact_created", "employer_existing", "employer_new", "enrolled_date", "referral"),
    *("attribute_cleared", "dirty_value", "user_to_lead", "lead_to_user", "lead_merged"),
    *("member_deleted", "conversation_created", "channel_off", "channel_on"),
    *("service_code_off", "service_code_on", "reopened", "reassigned"),
)
Record = dict[str, Any]


def churn(base_url: str, token: str, seed: int) -> dict[str, int]:
    """Apply a handful of changes of each of KINDS; answer how many of each were applied."""
    headers = {"Authorization": f"Bearer {token}", "Intercom-Version": "2.11"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        return _Churn(http, seed).run()


class _Churn:
    def __init__(self, http: httpx.Client, seed: int) -> None:
        self.http, self.seed, self.rng = http, seed, random.Random(seed)
        self.done: Counter[str] = Counter()
        self.used: set[str] = set()
        self.since = 0
        self.admins = [str(a["id"]) for a in self.call("GET", "/admins")["admins"]]
        self.anchor = self.truth("manifest")[0]["anchor"]

    def run(self) -> dict[str, int]:
        contacts = self.truth("contacts")
        users = self.rng.sample([c for c in contacts if c["role"] == "user"], 60)
        leads = self.rng.sample([c for c in contacts if c["role"] == "lead"], 8)
        new = []
        for i in range(self.few()):
            body = {"role": "user", "email": f"churn.{self.seed}.{i}@example.org"}
            body["custom_attributes"] = {"Employer": "Churn Co", "Enrolled Date": self.enrolled()}
            new.append(self.do("contact_created", "/contacts", body))
            self.since = self.since or new[0]["updated_at"]
        members = users[:15]
        self.update_contacts(contacts, users[15:])
        sessions = self.change_conversations(members)
        for contact in [*new, *self.rng.sample(members, 2)]:
            admin = self.rng.choice(self.admins)
            body = {"contact_ids": [contact["id"]], "custom_attributes": COACHING}
            opened = self.call(
                "POST", "/_emulator/conversations", body | {"admin_assignee_id": int(admin)}
            )
            state = {"state": "closed", "admin_id": admin}
            self.do("conversation_created", f"/_emulator/conversations/{opened['id']}/state", state)
        listed = {r["id"] for c in sessions for r in c["contacts"]["contacts"]}
        on_sessions = [m for m in members if m["id"] in listed]
        assert len(on_sessions) >= 9, "too few members on the coaching sessions found"
        for contact in on_sessions[:3]:
            self.do("user_to_lead", f"/contacts/{contact['id']}", {"role": "lead"}, "PUT")
        for lead in leads[:5]:
            self.do("lead_to_user", f"/contacts/{lead['id']}", {"role": "user"}, "PUT")
        for lead, user in zip(leads[5:], on_sessions[3:6], strict=True):
            self.do("lead_merged", "/contacts/merge", {"from": lead["id"], "into": user["id"]})
        for contact in on_sessions[6:9]:
            self.call("DELETE", f"/contacts/{contact['id']}")
            assert self.http.get(f"/contacts/{contact['id']}").status_code == 404
            self.done["member_deleted"] += 1
        return dict(self.done)

    def update_contacts(self, contacts: list[Record], pool: list[Record]) -> None:
        employers = sorted({e for c in contacts if isinstance(e := _attr(c, "Employer"), str)})
        referrals = sorted({r for c in contacts if isinstance(r := _attr(c, "Referral"), str)})
        changes: dict[str, Callable[[Record], Record]] = {
            "employer_existing": lambda c: {"Employer": self.other(employers, c, "Employer")},
            "employer_new": lambda c: {"Employer": f"Churn Employer {self.seed}"},
            "enrolled_date": lambda c: {"Enrolled Date": self.enrolled()},
            "referral": lambda c: {"Referral": self.other(referrals, c, "Referral")},
            "attribute_cleared": lambda c: {self.rng.choice(CLEARABLE): None},
            "dirty_value": lambda c: {"Enrolled Date": f"2026-01-{self.seed % 28 + 1:02d}"},
        }
        for kind, change in changes.items():
            for contact in [pool.pop() for _ in range(self.few())]:
                raw = kind in ("attribute_cleared", "dirty_value")  # PUT refuses null and text
                self.set(kind, f"/contacts/{contact['id']}", change(contact), raw=raw)

    def change_conversations(self, members: list[Record]) -> list[Record]:
        query = {"field": "contact_ids", "operator": "IN", "value": [m["id"] for m in members]}
        body = {"query": query, "sort": {"field": "created_at", "order": "descending"}}
        page = self.call("POST", "/conversations/search", body | {"pagination": {"per_page": 150}})
        found = [(c, RULES.activity(c)) for c in page["conversations"]]
        self.rng.shuffle(found)
        sessions = [c for c, a in found if a.is_coaching_session]
        calls = [c for c, a in found if a.is_call_session]
        qualifying = [c for c, a in found if a.is_qualifying_call]
        off_channel = [c for c, a in found if c["state"] == "closed" and a.channel is None]
        off_channel += [c for c in sessions if c not in calls]
        unqualified = [c for c in calls if c not in qualifying]
        for kind, candidates, values in (
            ("channel_off", sessions, {"Channel": "SMS"}),
            ("channel_on", off_channel, {"Channel": " Phone "}),
            ("service_code_off", qualifying, {"Service Code": "Tech Support 003"}),
            ("service_code_on", unqualified, {"Service Code": "Disease Management 002"}),
        ):
            for conversation in self.take(candidates):
                path = f"/conversations/{conversation['id']}"
                self.set(kind, path, values, raw=kind == "channel_on")
        for conversation in self.take(sessions):
            part = {"message_type": "open", "admin_id": self.rng.choice(self.admins)}
            self.do("reopened", f"/conversations/{conversation['id']}/parts", part)
        for conversation in self.take(sessions):
            others = [a for a in self.admins if a != str(conversation["admin_assignee_id"])]
            part = {"message_type": "assignment", "type": "admin", "admin_id": self.admins[0]}
            part["assignee_id"] = self.rng.choice(others)
            self.do("reassigned", f"/conversations/{conversation['id']}/parts", part)
        return sessions

    def few(self) -> int:
        return self.rng.randint(3, 6)

    def enrolled(self) -> int:
        return self.anchor - self.rng.randrange(120) * DAY

    def other(self, values: list[str], contact: Record, name: str) -> str:
        return self.rng.choice([v for v in values if v != _attr(contact, name)])

    def take(self, pool: list[Record]) -> list[Record]:
        picked = [c for c in pool if c["id"] not in self.used][: self.few()]
        self.used.update(c["id"] for c in picked)
        return picked

    def set(self, kind: str, path: str, values: Record, *, raw: bool) -> None:
        if raw:
            self.do(kind, f"/_emulator{path}/custom_attributes", values, "PUT")
        else:
            self.do(kind, path, {"custom_attributes": values}, "PUT")

    def do(self, kind: str, path: str, body: Record, method: str = "POST") -> Record:
        record = self.call(method, path, body)
        assert record["updated_at"] >= self.since, (kind, record["id"])
        self.done[kind] += 1
        return record

    def truth(self, stream: str) -> list[Record]:
        answer = self.http.get("/_emulator/ground_truth", params={"stream": stream})
        return [orjson.loads(line) for line in answer.raise_for_status().content.splitlines()]

    def call(self, method: str, path: str, body: Record | None = None) -> Record:
        return self.http.request(method, path, json=body).raise_for_status().json()


def _attr(record: Record, name: str) -> Any:
    value = (record.get("custom_attributes") or {}).get(name)
    return (value.strip() or None) if isinstance(value, str) else value
