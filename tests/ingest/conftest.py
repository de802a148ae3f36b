"""Ingest against the fake Intercom over HTTP (in-process ASGITransport, or loopback where a
socket or another process matters), and the comparison of the warehouse with ground truth."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx
import orjson
import pytest

from fake_intercom import EmulatorConfig, FakeIntercom
from ingest.runner import RunResult, run_ingest
from warehouse.config import IngestSettings, IntercomSettings, Secret
from warehouse.raw_tables import STREAMS, current_records_sql, record_id, table_name
from warehouse.store import WarehousePaths

NOW = datetime(2026, 6, 15, tzinfo=UTC)  # the generated history ends here, before wall time
TOKEN = "tok-ingest-7f3a9c1e5b"  # distinctive, so tests can grep every output for it
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake() -> Iterator[FakeIntercom]:
    with FakeIntercom.create("tiny", seed=7, now=NOW, config=EmulatorConfig(token=TOKEN)) as f:
        yield f


@pytest.fixture
def paths(tmp_path: Path) -> WarehousePaths:
    return WarehousePaths(tmp_path / "warehouse.duckdb")


def settings(base: str = "http://fake", token: str = TOKEN) -> IntercomSettings:
    return IntercomSettings(token=Secret(token), api_base=base, version="2.11")


def ingest(
    fake: FakeIntercom,
    paths: WarehousePaths,
    *,
    full: bool = False,
    streams: tuple[str, ...] = (),
    **knobs: Any,
) -> RunResult:
    """One `coach ingest` run, in-process, against the fake's ASGI app."""
    config = IngestSettings(**{"concurrency": 8, **knobs})
    return run_ingest(
        paths,
        settings(),
        config,
        streams=streams,
        full=full,
        transport=httpx.ASGITransport(app=fake.app),
    )


def env_for(base_url: str, **extra: str) -> dict[str, str]:
    """Environment for `coach` against a loopback fake (for CliRunner and subprocesses)."""
    return {
        "INTERCOM_ACCESS_TOKEN": TOKEN,
        "INTERCOM_API_BASE": base_url,
        "INTERCOM_VERSION": "2.11",
        **extra,
    }


def warehouse(paths: WarehousePaths, path: Path | None = None) -> dict[str, dict[str, Any]]:
    """Per stream, the current (latest, not deleted) version of every record, by id (the raw
    tables are in the working file only: the publish leaves the big ones out, issue 15)."""
    with duckdb.connect(str(path or paths.working), read_only=True) as con:
        return {
            stream: {
                row[0]: orjson.loads(row[1])
                for row in con.execute(
                    f"select id, record from ({current_records_sql(stream)})"
                ).fetchall()
            }
            for stream in STREAMS
        }


def truth(fake: FakeIntercom) -> dict[str, Any]:
    everything = fake.backend.ground_truth()
    result: dict[str, Any] = {
        stream: {record_id(stream, r): r for r in everything[stream]} for stream in STREAMS
    }
    result["gone"] = {r["id"] for r in everything["deleted_contacts"]} | {
        r["id"] for r in everything["merged_contacts"]
    }
    return result


def assert_matches_truth(
    paths: WarehousePaths, fake: FakeIntercom, *, deletions_noticed: bool = True
) -> None:
    """The warehouse's latest version of every record equals ground truth: none missing, none
    stale, none extra. Without a `--full` run, contacts that vanished may still be there."""
    held, want = warehouse(paths), truth(fake)
    for stream in STREAMS:
        missing = sorted(set(want[stream]) - set(held[stream]))
        extra = set(held[stream]) - set(want[stream])
        if stream == "contacts" and not deletions_noticed:
            extra -= want["gone"]
        stale = sorted(
            i for i in set(held[stream]) & set(want[stream]) if held[stream][i] != want[stream][i]
        )
        assert not missing, f"{stream}: {len(missing)} missing, e.g. {missing[:3]}"
        assert not stale, f"{stream}: {len(stale)} stale, e.g. {stale[:3]}"
        assert not extra, f"{stream}: {len(extra)} not in Intercom, e.g. {sorted(extra)[:3]}"


def raw_keys(paths: WarehousePaths, path: Path | None = None) -> dict[str, set[tuple[str, str]]]:
    """Every landed (id, record_hash), per stream: what a run added, whatever its run id."""
    with duckdb.connect(str(path or paths.working), read_only=True) as con:
        return {
            stream: set(con.execute(f"select id, record_hash from {table_name(stream)}").fetchall())
            for stream in STREAMS
        }


def run_log(paths: WarehousePaths) -> list[dict[str, Any]]:
    with duckdb.connect(str(paths.published), read_only=True) as con:
        cursor = con.execute("select * from ingest.run_log order by started_at, stream")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@dataclass
class Changes:
    """What `mutate` did, for tests that assert on it."""

    contacts: set[str]
    conversations: set[str]
    deleted: set[str]


def mutate(fake: FakeIntercom, rng: random.Random, scale: int = 1) -> Changes:
    """A mix of what happens in a coaching workspace: new members and leads, profile updates,
    new conversations, closes, reopenings, snoozes, a deleted contact and a merged lead."""
    backend = fake.backend
    state = truth(fake)
    contacts = sorted(state["contacts"].values(), key=lambda c: c["id"])
    conversations = sorted(state["conversations"].values(), key=lambda c: c["id"])
    users = [c for c in contacts if c["role"] == "user"]
    changed_contacts: set[str] = set()
    changed_conversations: set[str] = set()
    deleted: set[str] = set()
    for n in range(scale):
        tag = f"{rng.randrange(10**9)}-{n}"
        user = backend.create_contact(
            role="user", external_id=f"new-{tag}", email=f"new-{tag}@example.org"
        )
        lead = backend.create_contact(role="lead", email=f"lead-{tag}@example.org")
        changed_contacts |= {user["id"], lead["id"]}
        for member in rng.sample(users, 2):
            backend.update_contact(member["id"], name=f"Renamed {tag}")
            changed_contacts.add(member["id"])
        for member in (user, lead, rng.choice(users)):
            created = backend.create_conversation(contact_ids=[member["id"]])
            changed_conversations.add(created["id"])
        by_state: dict[str, list[dict[str, Any]]] = {}
        for conversation in conversations:
            by_state.setdefault(conversation["state"], []).append(conversation)
        for conversation in rng.sample(by_state.get("open", []), 2):
            backend.close_conversation(conversation["id"])
            changed_conversations.add(conversation["id"])
        for conversation in rng.sample(by_state.get("closed", []), 2):
            backend.open_conversation(conversation["id"])
            changed_conversations.add(conversation["id"])
        snoozable = by_state.get("open", []) + by_state.get("closed", [])
        for conversation in rng.sample(snoozable, 1):
            backend.snooze_conversation(conversation["id"], int(NOW.timestamp()) + 86400 * 400)
            changed_conversations.add(conversation["id"])
        # A lead merges into a member; a member is deleted.
        target = rng.choice([u for u in users if u["id"] not in deleted])
        backend.merge_contacts(lead["id"], target["id"])
        changed_contacts.add(target["id"])
        deleted.add(lead["id"])
        victim = rng.choice([u for u in users if u["id"] not in deleted | {target["id"]}])
        backend.delete_contact(victim["id"])
        deleted.add(victim["id"])
        users = [u for u in users if u["id"] not in deleted]
    return Changes(changed_contacts, changed_conversations, deleted)
