"""The control surface's handlers (`/_emulator/*`, routed in urls.py): for tests and
benchmarks, not part of Intercom's API. No authentication, no rate limit, no faults.

  GET  /_emulator/stats                      request counts by endpoint and outcome, 429s, faults
  POST /_emulator/reset                      back to how the fake started: the generated
                                             workspace, the knobs it was created with, counters
                                             zeroed
  GET  /_emulator/ground_truth?stream=S      NDJSON of S: contacts, conversations, admins, teams,
                                             data_attributes, deleted_contacts, merged_contacts,
                                             manifest
  GET  /_emulator/workspace                  size, seed, as-of date, counts
  GET  /_emulator/config                     the knobs;  PUT: change some of them
  POST /_emulator/conversations              create an admin-initiated conversation
  POST /_emulator/conversations/{id}/state   {"state": "closed"|"open"|"snoozed", ...}
  PUT  /_emulator/conversations/{id}/custom_attributes   set attributes without checks
  PUT  /_emulator/contacts/{id}/custom_attributes        set attributes without type checks
  POST /_emulator/simulate_day               {"share": 0.02, "seed": 1}: a day's changes to that
                                             share of the conversations (benchmarks)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
from starlette.responses import StreamingResponse

from fake_intercom.emulator import Emulator
from fake_intercom.errors import parameter_invalid
from fake_intercom.wire import Call

NEW_CONVERSATION_KEYS = (
    "contact_ids",
    "admin_id",
    "body",
    "state",
    "custom_attributes",
    "admin_assignee_id",
    "team_assignee_id",
    "created_at",
    "closed_at",
    "snoozed_until",
    "source_type",
    "check_attributes",
)


def stats(emulator: Emulator, call: Call) -> Any:
    return emulator.stats_snapshot()


def reset(emulator: Emulator, call: Call) -> Any:
    emulator.reset()
    return {"reset": True, "counts": emulator.backend.counts()}


def ground_truth(emulator: Emulator, call: Call) -> Any:
    records = emulator.backend.iter_ground_truth(call.query.get("stream", ""))
    first = next(records, None)  # validates the stream name before streaming starts

    def lines() -> Iterator[bytes]:
        if first is not None:
            yield orjson.dumps(first) + b"\n"
        for record in records:
            yield orjson.dumps(record) + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


def workspace(emulator: Emulator, call: Call) -> Any:
    return emulator.backend.workspace | {"counts": emulator.backend.counts()}


def get_config(emulator: Emulator, call: Call) -> Any:
    return emulator.config.public()


def put_config(emulator: Emulator, call: Call) -> Any:
    return emulator.configure(call.body).public()


def create_conversation(emulator: Emulator, call: Call) -> Any:
    unknown = sorted(set(call.body) - set(NEW_CONVERSATION_KEYS))
    if unknown or not isinstance(call.body.get("contact_ids"), list):
        raise parameter_invalid(
            f"contact_ids (a list) is required; allowed keys: "
            f"{', '.join(sorted(NEW_CONVERSATION_KEYS))}"
        )
    return emulator.backend.create_conversation(**call.body)


def change_state(emulator: Emulator, call: Call) -> Any:
    backend, conversation_id = emulator.backend, call.path["conversation_id"]
    state, admin = call.body.get("state"), call.body.get("admin_id")
    if state == "closed":
        return backend.close_conversation(conversation_id, admin)
    if state == "open":
        return backend.open_conversation(conversation_id, admin)
    if state == "snoozed":
        until = call.body.get("snoozed_until")
        if not isinstance(until, int):
            raise parameter_invalid("snoozed_until (unix seconds) is required")
        return backend.snooze_conversation(conversation_id, until, admin)
    raise parameter_invalid("state must be closed, open or snoozed")


def raw_conversation_attributes(emulator: Emulator, call: Call) -> Any:
    conversation_id = call.path["conversation_id"]
    return emulator.backend.set_conversation_attributes_raw(conversation_id, call.body)


def raw_contact_attributes(emulator: Emulator, call: Call) -> Any:
    return emulator.backend.set_contact_attributes_raw(call.path["contact_id"], call.body)


def simulate_day(emulator: Emulator, call: Call) -> Any:
    unknown = sorted(set(call.body) - {"share", "seed"})
    if unknown or "share" not in call.body:
        raise parameter_invalid('the body is {"share": 0 < number <= 1, "seed": integer}')
    return emulator.backend.simulate_day(call.body["share"], call.body.get("seed", 0))
