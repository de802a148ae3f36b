"""One generation run: staff, members household by household (their conversations, then their
contacts), then leads; records streamed into the store in batches; the manifest last."""

from __future__ import annotations

from datetime import datetime

from fake_intercom import dirty
from fake_intercom.generator.catalog import FORCED_SITUATIONS, LEAD_SHARE, SITUATION_WEIGHTS
from fake_intercom.generator.contacts import finish_member, make_lead
from fake_intercom.generator.conversations import Conversations
from fake_intercom.generator.draft import Draft
from fake_intercom.generator.people import People
from fake_intercom.generator.sessions import Sessions
from fake_intercom.generator.staff import hire_staff
from fake_intercom.store import Store

INACTIVE = ("never_called", "new_no_call", "enrolled_this_week")


def generate_workspace(store: Store, size: str, seed: int, now: datetime) -> None:
    """Fill `store` with the `size` workspace of `seed`, its history ending at `now`'s day."""
    draft = Draft(store, size, seed, now)
    people = People(draft)
    staff = hire_staff(draft)
    conversations = Conversations(draft, staff)
    sessions = Sessions(draft, staff, conversations)
    members_total = max(
        len(FORCED_SITUATIONS) + len(dirty.MEMBER_PLAN) + 2,
        round(draft.size.contacts * (1 - LEAD_SHARE)),
    )
    leads_total = max(3, draft.size.contacts - members_total)
    inactive = sum(SITUATION_WEIGHTS[s] for s in INACTIVE)
    budget = draft.size.conversations - leads_total * 1.6 - members_total * inactive * 1.5
    sessions.per_active = max(3.0, budget / (members_total * (1 - inactive)))
    index = 0
    while index < members_total:
        household = [people.member(index, staff)]
        index += 1
        if index < members_total and index > 12 and draft.rng.random() < 0.02:
            household.append(people.member(index, staff))
            index += 1
        sessions.household(household)
        for member in household:
            finish_member(draft, member)
        draft.flush()
    for lead_index in range(leads_total):
        make_lead(draft, people, staff, conversations, lead_index)
    draft.finish()
