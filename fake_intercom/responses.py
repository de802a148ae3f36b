"""The API's responses layer, as in a moto service: each route's handler parses the request into
the backend's typed arguments (JSON of the wrong type is Intercom's 400) and shapes what the
backend answers into the envelope Intercom sends (wire.py). State and rules are the backend's
(fake_intercom/models/); which handler serves which route is urls.py's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from fake_intercom.emulator import Emulator
from fake_intercom.errors import ApiError, parameter_invalid
from fake_intercom.models import ContactFields
from fake_intercom.models.paging import Page
from fake_intercom.pagination import Cursor, decode_cursor, per_page
from fake_intercom.wire import (
    Call,
    contact_list,
    conversation_list,
    deleted_contact,
    typed_list,
    user_message,
)

# Page sizes when a request names none: GET /contacts, contact search, conversations.
LIST_CONTACTS_PER_PAGE, SEARCH_CONTACTS_PER_PAGE, CONVERSATIONS_PER_PAGE = 10, 50, 20
# The fields POST /contacts and PUT /contacts/{id} accept (update_contact_request), and their
# JSON types.
CONTACT_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "role": (str,),
    "external_id": (str,),
    "email": (str,),
    "phone": (str, type(None)),
    "name": (str, type(None)),
    "avatar": (str, type(None)),
    "signed_up_at": (int, type(None)),
    "last_seen_at": (int, type(None)),
    "owner_id": (int, type(None)),
    "unsubscribed_from_emails": (bool, type(None)),
    "custom_attributes": (dict, type(None)),
}
PART_KINDS = ("close", "snoozed", "open", "assignment")
SENDER_TYPES = ("user", "lead", "contact")


# ----------------------------------------------------------------- workspace
def me(emulator: Emulator, call: Call) -> Any:
    return emulator.backend.me()


def admins(emulator: Emulator, call: Call) -> Any:
    return typed_list("admin.list", "admins", emulator.backend.admins())


def teams(emulator: Emulator, call: Call) -> Any:
    return typed_list("team.list", "teams", emulator.backend.teams())


def data_attributes(emulator: Emulator, call: Call) -> Any:
    found = emulator.backend.data_attributes(call.query.get("model"))
    return typed_list("list", "data", found)


def create_data_attribute(emulator: Emulator, call: Call) -> Any:
    body = call.body
    options = body.get("options")
    if options is not None and (
        not isinstance(options, list) or not all(isinstance(o, str) for o in options)
    ):
        raise parameter_invalid("options must be a list of strings", "options")
    name = body.get("name") or ""
    if not isinstance(name, str):
        raise parameter_invalid("name must be a string", "name")
    return emulator.backend.create_data_attribute(
        name=name,
        model=_text(body, "model"),
        data_type=_text(body, "data_type"),
        description=_text(body, "description"),
        options=options,
        messenger_writable=bool(body.get("messenger_writable", False)),
    )


# ------------------------------------------------------------------ contacts
def list_contacts(emulator: Emulator, call: Call) -> Any:
    size, cursor = _paging(call.query, LIST_CONTACTS_PER_PAGE)
    return contact_list(emulator.backend.list_contacts(size, cursor))


def search_contacts(emulator: Emulator, call: Call) -> Any:
    return contact_list(_search(emulator, call.body, SEARCH_CONTACTS_PER_PAGE, contacts=True))


def get_contact(emulator: Emulator, call: Call) -> Any:
    return emulator.backend.contact_json(call.path["contact_id"])


def create_contact(emulator: Emulator, call: Call) -> Any:
    return emulator.backend.create_contact(**_contact_fields(call.body))


def update_contact(emulator: Emulator, call: Call) -> Any:
    fields = _contact_fields(call.body)
    return emulator.backend.update_contact(call.path["contact_id"], **fields)


def delete_contact(emulator: Emulator, call: Call) -> Any:
    return deleted_contact(emulator.backend.delete_contact(call.path["contact_id"]))


def merge_contacts(emulator: Emulator, call: Call) -> Any:
    lead, user = _required_text(call.body, "from"), _required_text(call.body, "into")
    return emulator.backend.merge_contacts(lead, user)


def _contact_fields(body: Mapping[str, Any]) -> ContactFields:
    fields: dict[str, Any] = {}
    for name, kinds in CONTACT_FIELD_TYPES.items():
        if name in body:
            value = body[name]
            if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
                raise parameter_invalid(f"{name} has an invalid value", name)
            fields[name] = value
    return cast(ContactFields, fields)


# ------------------------------------------------------------- conversations
def list_conversations(emulator: Emulator, call: Call) -> Any:
    size, cursor = _paging(call.query, CONVERSATIONS_PER_PAGE)
    return conversation_list(emulator.backend.list_conversations(size, cursor))


def search_conversations(emulator: Emulator, call: Call) -> Any:
    return conversation_list(_search(emulator, call.body, CONVERSATIONS_PER_PAGE, contacts=False))


def get_conversation(emulator: Emulator, call: Call) -> Any:
    return emulator.backend.conversation(call.path["conversation_id"])


def start_conversation(emulator: Emulator, call: Call) -> Any:
    """POST /conversations: a contact starts a conversation; answers with the message."""
    sender, text = call.body.get("from"), call.body.get("body")
    if not isinstance(sender, Mapping) or not sender.get("id") or not sender.get("type"):
        raise ApiError(400, "parameter_not_found", "From is a required parameter.", "from")
    if sender["type"] not in SENDER_TYPES:
        raise parameter_invalid("from.type must be user, lead or contact", "from")
    if not isinstance(text, str) or not text:
        raise ApiError(400, "parameter_not_found", "Body is a required parameter.", "body")
    created_at = call.body.get("created_at")
    if created_at is not None and (isinstance(created_at, bool) or not isinstance(created_at, int)):
        raise parameter_invalid("created_at must be a unix timestamp", "created_at")
    conversation = emulator.backend.create_conversation_from_contact(
        str(sender["id"]), text, created_at=created_at
    )
    return user_message(conversation, text)


def update_conversation(emulator: Emulator, call: Call) -> Any:
    read, attributes = call.body.get("read"), call.body.get("custom_attributes")
    if read is not None and not isinstance(read, bool):
        raise parameter_invalid("read must be a boolean", "read")
    if attributes is not None and not isinstance(attributes, Mapping):
        raise parameter_invalid("custom_attributes must be an object", "custom_attributes")
    return emulator.backend.update_conversation(
        call.path["conversation_id"], read=read, custom_attributes=attributes
    )


def manage_conversation(emulator: Emulator, call: Call) -> Any:
    """POST /conversations/{id}/parts: close, snoozed, open or assignment (SPEC211)."""
    body, backend = call.body, emulator.backend
    conversation_id, kind = call.path["conversation_id"], body.get("message_type")
    if kind not in PART_KINDS:
        raise parameter_invalid(
            f"message_type {kind!r} is not one of {', '.join(PART_KINDS)}", "message_type"
        )
    admin_id = _admin_id(body.get("admin_id"))
    note = _optional_text(body, "body")
    if kind == "close":
        return backend.close_conversation(conversation_id, admin_id, body=note)
    if kind == "open":
        return backend.open_conversation(conversation_id, admin_id)
    if kind == "snoozed":
        until = body.get("snoozed_until")
        if isinstance(until, bool) or not isinstance(until, int):
            raise parameter_invalid("snoozed_until must be a unix timestamp", "snoozed_until")
        return backend.snooze_conversation(conversation_id, until, admin_id)
    target = body.get("type")
    if target not in ("admin", "team"):
        raise parameter_invalid("type must be admin or team", "type")
    assignee = str(body.get("assignee_id", ""))
    if not assignee.isdigit():
        raise parameter_invalid("assignee_id must be an admin or team id", "assignee_id")
    return backend.assign_conversation(conversation_id, admin_id, target, assignee, body=note)


def reply(emulator: Emulator, call: Call) -> Any:
    """POST /conversations/{id}/reply: an admin comment or note, or a contact's comment."""
    body, conversation_id = call.body, call.path["conversation_id"]
    kind, sender_type = body.get("message_type"), body.get("type")
    text = _text(body, "body")
    if sender_type == "admin":
        if kind not in ("comment", "note"):
            raise parameter_invalid("message_type must be comment or note", "message_type")
        admin_id = _admin_id(body.get("admin_id"))
        return emulator.backend.reply_as_admin(conversation_id, admin_id, text, message_type=kind)
    if sender_type == "user":
        if kind != "comment":
            raise parameter_invalid("message_type must be comment", "message_type")
        return emulator.backend.reply_as_contact(
            conversation_id,
            text,
            intercom_user_id=_optional_text(body, "intercom_user_id"),
            user_id=_optional_text(body, "user_id"),
            email=_optional_text(body, "email"),
        )
    raise parameter_invalid("type must be admin or user", "type")


# ------------------------------------------------------------------- parsing
def _paging(query: Mapping[str, str], default: int) -> tuple[int, Cursor | None]:
    return per_page(query.get("per_page"), default), decode_cursor(query.get("starting_after"))


def _search(emulator: Emulator, body: Mapping[str, Any], default: int, *, contacts: bool) -> Page:
    pagination = body.get("pagination") or {}
    if not isinstance(pagination, Mapping):
        raise parameter_invalid("pagination must be an object", "pagination")
    size = per_page(pagination.get("per_page"), default)
    cursor = decode_cursor(pagination.get("starting_after"))
    if body.get("query") is None:
        raise ApiError(400, "parameter_not_found", "Query is a required parameter.")
    backend = emulator.backend
    search = backend.search_contacts if contacts else backend.search_conversations
    return search(body["query"], body.get("sort"), per_page=size, cursor=cursor)


def _admin_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise parameter_invalid("admin_id is required and must be an admin id", "admin_id")
    return str(value)


def _text(body: Mapping[str, Any], key: str) -> str:
    """A string field; anything else counts as missing."""
    value = body.get(key)
    return value if isinstance(value, str) else ""


def _optional_text(body: Mapping[str, Any], key: str) -> str | None:
    value = body.get(key)
    return value if isinstance(value, str) else None


def _required_text(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise parameter_invalid(f"{key} is a required parameter", key)
    return value
