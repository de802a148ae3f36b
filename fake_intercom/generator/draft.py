"""What every part of the generator shares: the seeded randomness, the workspace's clock, and the
output (records buffered on their way to the store, and the manifest)."""

from __future__ import annotations

import hashlib
import random
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from faker import Faker

from fake_intercom import dirty
from fake_intercom.generator.catalog import (
    BATCH,
    GENERATOR_VERSION,
    LOCALES,
    RULES,
    SIZES,
    anchor_of,
)
from fake_intercom.store import Store


@dataclass
class Manifest:
    """Where each dirty kind was planted, and each member's situation and expected status."""

    dirty: defaultdict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    situations: dict[str, str] = field(default_factory=dict)
    statuses: dict[str, str | None] = field(default_factory=dict)
    late_first_call: list[str] = field(default_factory=list)
    households: list[list[str]] = field(default_factory=list)

    def as_json(self, as_of: str, anchor: int) -> dict[str, Any]:
        return {
            "as_of": as_of,
            "anchor": anchor,
            "program_timezone": RULES.timezone.key,
            "dirty": {kind: self.dirty.get(kind, []) for kind in dirty.DIRTY_KINDS},
            "situations": self.situations,
            "expected_engagement_status": self.statuses,
            "late_first_call": self.late_first_call,
            "households": self.households,
        }


class Draft:
    def __init__(self, store: Store, size: str, seed: int, now: datetime) -> None:
        if size not in SIZES:
            raise ValueError(f"unknown workspace size {size!r}; use one of {', '.join(SIZES)}")
        self.store = store
        self.size_name = size
        self.size = SIZES[size]
        self.seed = seed
        self.anchor_dt = anchor_of(now)
        self.anchor = int(self.anchor_dt.timestamp())
        self.as_of = self.anchor_dt.date()
        self.rng = random.Random(f"fake-intercom:{seed}")
        self.faker = Faker(OrderedDict(LOCALES), use_weighting=True)
        self.faker.seed_instance(seed)
        self.faker_en = self.faker["en_US"]
        self.workspace_id = "fk" + hashlib.blake2b(str(seed).encode(), digest_size=8).hexdigest()
        self.contacts: list[tuple[dict[str, Any], int]] = []
        self.conversations: list[dict[str, Any]] = []
        self.manifest = Manifest()

    def workspace_meta(self, app_created_at: int, me_admin_id: str) -> dict[str, Any]:
        return {
            "size": self.size_name,
            "seed": self.seed,
            "anchor": self.anchor,
            "as_of": self.as_of.isoformat(),
            "workspace_id": self.workspace_id,
            "app_name": "Counterpart Coaching (fake)",
            "app_created_at": app_created_at,
            "me_admin_id": me_admin_id,
            "generator_version": GENERATOR_VERSION,
        }

    def local_instant(self, days_ago: int) -> int:
        """A time in office hours, program time zone, `days_ago` days before the as-of date."""
        day = self.as_of - timedelta(days=days_ago)
        moment = time(self.rng.randint(8, 17), self.rng.randrange(0, 60, 5))
        return int(datetime.combine(day, moment, tzinfo=RULES.timezone).timestamp())

    def flush(self, final: bool = False) -> None:
        """Hand buffered records to the store in batches, so 2M conversations never sit in
        memory."""
        if self.contacts and (final or len(self.contacts) >= BATCH):
            self.store.insert_contacts(self.contacts)
            self.contacts = []
        if self.conversations and (final or len(self.conversations) >= BATCH):
            self.store.insert_conversations(self.conversations)
            self.conversations = []

    def finish(self) -> None:
        self.flush(final=True)
        self.store.set_meta("manifest", self.manifest.as_json(self.as_of.isoformat(), self.anchor))
        self.store.finish_load()
