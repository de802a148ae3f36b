"""Every route the fake answers, Intercom's API and the control surface, in one table: method,
path template, handler. Paths under `/_emulator/` are the control surface (control.py: no token,
no rate limit, no faults); the rest are the API (responses.py)."""

from __future__ import annotations

from dataclasses import dataclass

from fake_intercom import control, responses
from fake_intercom.wire import Handler

CONTROL_PREFIX = "/_emulator/"


@dataclass(frozen=True)
class Url:
    method: str
    path: str
    handler: Handler

    @property
    def is_control(self) -> bool:
        return self.path.startswith(CONTROL_PREFIX)


URLS: tuple[Url, ...] = (
    # Intercom's API (2.11)
    Url("GET", "/me", responses.me),
    Url("GET", "/admins", responses.admins),
    Url("GET", "/teams", responses.teams),
    Url("GET", "/data_attributes", responses.data_attributes),
    Url("POST", "/data_attributes", responses.create_data_attribute),
    Url("GET", "/contacts", responses.list_contacts),
    Url("POST", "/contacts", responses.create_contact),
    Url("POST", "/contacts/search", responses.search_contacts),
    Url("POST", "/contacts/merge", responses.merge_contacts),
    Url("GET", "/contacts/{contact_id}", responses.get_contact),
    Url("PUT", "/contacts/{contact_id}", responses.update_contact),
    Url("DELETE", "/contacts/{contact_id}", responses.delete_contact),
    Url("GET", "/conversations", responses.list_conversations),
    Url("POST", "/conversations", responses.start_conversation),
    Url("POST", "/conversations/search", responses.search_conversations),
    Url("GET", "/conversations/{conversation_id}", responses.get_conversation),
    Url("PUT", "/conversations/{conversation_id}", responses.update_conversation),
    Url("POST", "/conversations/{conversation_id}/parts", responses.manage_conversation),
    Url("POST", "/conversations/{conversation_id}/reply", responses.reply),
    # The control surface
    Url("GET", "/_emulator/stats", control.stats),
    Url("POST", "/_emulator/reset", control.reset),
    Url("GET", "/_emulator/ground_truth", control.ground_truth),
    Url("GET", "/_emulator/workspace", control.workspace),
    Url("GET", "/_emulator/config", control.get_config),
    Url("PUT", "/_emulator/config", control.put_config),
    Url("POST", "/_emulator/conversations", control.create_conversation),
    Url("POST", "/_emulator/conversations/{conversation_id}/state", control.change_state),
    Url(
        "PUT",
        "/_emulator/conversations/{conversation_id}/custom_attributes",
        control.raw_conversation_attributes,
    ),
    Url(
        "PUT",
        "/_emulator/contacts/{contact_id}/custom_attributes",
        control.raw_contact_attributes,
    ),
    Url("POST", "/_emulator/simulate_day", control.simulate_day),
)
