"""The workspace's people on the program's side: coaches in a "Health Coaching" team (every
fourth also in "Clinical Leads"), two support admins in "Member Support", and the
program-operations admin behind GET /me; the teams; the data attributes."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from fake_intercom import records
from fake_intercom.generator.catalog import (
    ATTRIBUTE_DESCRIPTIONS,
    ATTRIBUTE_OPTIONS,
    DAY,
    RULES,
)
from fake_intercom.generator.draft import Draft
from fake_intercom.generator.text import ascii_slug

COACHING_TEAM, CLINICAL_TEAM, SUPPORT_TEAM = 7_101_001, 7_101_002, 7_101_003


@dataclass
class Staff:
    coaches: list[dict[str, Any]]
    support: list[dict[str, Any]]
    me: dict[str, Any]
    admins_by_id: dict[str, dict[str, Any]]

    def team_for(self, coach: dict[str, Any] | None, rng: random.Random) -> int | None:
        """The team a conversation with `coach` is assigned to, if any."""
        if coach is None or rng.random() < 0.3:
            return None
        return SUPPORT_TEAM if any(coach is s for s in self.support) else COACHING_TEAM


def hire_staff(draft: Draft) -> Staff:
    """Admins, teams and data attributes into the store, and the workspace's own record."""
    app_created = draft.anchor - 3 * 365 * DAY
    n_coaches = min(60, max(4, draft.size.contacts // 250))
    ids = draft.rng.sample(range(5_000_000, 9_999_999), n_coaches + 3)
    coaches = [
        _admin(
            draft,
            admin_id,
            "Health Coach",
            [COACHING_TEAM] + ([CLINICAL_TEAM] if i % 4 == 0 else []),
        )
        for i, admin_id in enumerate(ids[:n_coaches])
    ]
    support = [
        _admin(draft, a, "Member Support Specialist", [SUPPORT_TEAM])
        for a in ids[n_coaches : n_coaches + 2]
    ]
    me = _admin(draft, ids[-1], "Program Manager", [])
    admins = [*coaches, *support, me]
    draft.store.insert_simple("admins", [(a["id"], a) for a in admins])
    teams = [
        records.team(
            team_id=str(COACHING_TEAM),
            name="Health Coaching",
            admin_ids=[int(a["id"]) for a in coaches],
        ),
        records.team(
            team_id=str(CLINICAL_TEAM),
            name="Clinical Leads",
            admin_ids=[int(a["id"]) for a in coaches[::4]],
        ),
        records.team(
            team_id=str(SUPPORT_TEAM),
            name="Member Support",
            admin_ids=[int(a["id"]) for a in support],
        ),
    ]
    draft.store.insert_simple("teams", [(t["id"], t) for t in teams])
    _data_attributes(draft, app_created, me["id"])
    draft.store.set_meta("workspace", draft.workspace_meta(app_created, me["id"]))
    return Staff(coaches, support, me, {a["id"]: a for a in admins})


def _admin(draft: Draft, admin_id: int, title: str, teams: list[int]) -> dict[str, Any]:
    name = draft.faker_en.name()
    email = f"{ascii_slug(name)}.{admin_id % 1000}@coach.example.org"
    return records.admin(
        admin_id=str(admin_id), name=name, email=email, job_title=title, team_ids=teams
    )


def _data_attributes(draft: Draft, created: int, admin_id: str) -> None:
    """Intercom's standard attributes, then the product's custom ones (the seed
    intercom_attributes, in its order)."""
    standard = [("contact", *a) for a in records.STANDARD_CONTACT_ATTRIBUTES]
    standard += [("conversation", *a) for a in records.STANDARD_CONVERSATION_ATTRIBUTES]
    for model, name, label, description, data_type, writable in standard:
        draft.store.insert_data_attribute(
            records.data_attribute(
                model=model,
                name=name,
                label=label,
                description=description,
                data_type=data_type,
                custom=False,
                api_writable=writable,
            )
        )
    for number, attribute in enumerate(RULES.attributes, start=1):
        draft.store.insert_data_attribute(
            records.data_attribute(
                model=attribute.model,
                name=attribute.name,
                data_type=attribute.data_type,
                description=ATTRIBUTE_DESCRIPTIONS[attribute.name],
                custom=True,
                attribute_id=number,
                options=list(ATTRIBUTE_OPTIONS.get(attribute.name, ())) or None,
                created_at=created + number * DAY,
                admin_id=admin_id,
            )
        )
