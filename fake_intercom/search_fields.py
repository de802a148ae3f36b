"""The searchable fields of contacts and conversations (reference §5.4), their types, and the
operators each type takes (§5.2): the tables search.py compiles queries against."""

from __future__ import annotations

import re
from dataclasses import dataclass

from fake_intercom.store import SEARCH_BODY

STRING, INTEGER, FLOAT, BOOLEAN, DATE = "string", "integer", "float", "boolean", "date"
TYPE_LABELS = {
    STRING: "String",
    INTEGER: "Integer",
    FLOAT: "Float",
    BOOLEAN: "Boolean",
    DATE: "Date",
}
JSON_TYPES = {
    STRING: "('text')",
    INTEGER: "('integer')",
    FLOAT: "('integer','real')",
    DATE: "('integer','real')",
    BOOLEAN: "('true','false')",
}


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    path: str | None = None  # JSON path into the searchable body
    column: str | None = None  # a plain column of the row (never null for searchable rows)
    side: tuple[str, str] | None = None  # (table, column) of a multi-valued side table
    words: bool = False  # source.body: match per word
    operators: tuple[str, ...] | None = None  # narrower than the type allows (tag_id)
    empty: bool = False  # a documented field no record here ever has a value for
    derive: str | None = None  # SQL over {x} (the value at `path`) for derived fields

    def value_sql(self) -> str:
        if self.column:
            return self.column
        if self.empty:
            return "NULL"
        x = f"json_extract({SEARCH_BODY}, '{self.path}')"
        return self.derive.format(x=x) if self.derive else x

    def guard_sql(self) -> str | None:
        if self.column or self.empty:
            return None
        return f"json_type({SEARCH_BODY}, '{self.path}') IN {JSON_TYPES[self.type]}"


def _json(name: str, type_: str, path: str | None = None) -> Field:
    return Field(name, type_, path=path or "$." + name)


_CONTACT_STRINGS = [
    "role",
    "name",
    "phone",
    "external_id",
    "language_override",
    "browser",
    "browser_language",
    "os",
    "ios_app_version",
    "ios_device",
    "ios_os_version",
    "ios_app_name",
    "ios_sdk_version",
    "android_app_version",
    "android_device",
    "android_app_name",
]
_CONTACT_DATES = [
    "signed_up_at",
    "last_seen_at",
    "last_contacted_at",
    "last_replied_at",
    "last_email_opened_at",
    "last_email_clicked_at",
    "ios_last_seen_at",
    "android_last_seen_at",
]

CONTACT_FIELDS: dict[str, Field] = {
    "id": Field("id", STRING, column="t.id"),
    "email": _json("email", STRING),
    "avatar": _json("avatar", STRING, "$.avatar.image_url"),
    "owner_id": _json("owner_id", INTEGER),
    "created_at": Field("created_at", DATE, column="t.created_at"),
    "updated_at": Field("updated_at", DATE, column="t.s_updated_at"),
    "location.country": _json("location.country", STRING),
    "location.region": _json("location.region", STRING),
    "location.city": _json("location.city", STRING),
    "unsubscribed_from_emails": _json("unsubscribed_from_emails", BOOLEAN),
    "marked_email_as_spam": _json("marked_email_as_spam", BOOLEAN),
    "has_hard_bounced": _json("has_hard_bounced", BOOLEAN),
    "ios_app_device": Field("ios_app_device", STRING, empty=True),
    "andoid_sdk_version": _json("andoid_sdk_version", STRING, "$.android_sdk_version"),
    "segment_id": Field("segment_id", STRING, empty=True),
    "tag_id": Field("tag_id", STRING, empty=True, operators=("=", "!=")),
}
CONTACT_FIELDS.update({name: _json(name, STRING) for name in _CONTACT_STRINGS})
CONTACT_FIELDS.update({name: _json(name, DATE) for name in _CONTACT_DATES})
# email_domain is not stored on the record: derive it from the email.
CONTACT_FIELDS["email_domain"] = Field(
    "email_domain", STRING, path="$.email", derive="substr({x}, instr({x}, '@') + 1)"
)

_CONVERSATION_STRINGS = [
    "source.type",
    "source.id",
    "source.delivered_as",
    "source.subject",
    "source.author.id",
    "source.author.type",
    "source.author.name",
    "source.author.email",
    "source.url",
    "channel_initiated",
    "state",
    "priority",
    "statistics.last_closed_by_id",
    "conversation_rating.remark",
    "conversation_rating.contact_id",
    "ai_agent.resolution_state",
    "ai_agent.last_answer_type",
    "ai_agent.rating_remark",
    "ai_agent.source_type",
    "ai_agent.source_title",
]
_CONVERSATION_INTEGERS = [
    "admin_assignee_id",
    "team_assignee_id",
    "statistics.time_to_assignment",
    "statistics.time_to_admin_reply",
    "statistics.time_to_first_close",
    "statistics.time_to_last_close",
    "statistics.median_time_to_reply",
    "statistics.count_reopens",
    "statistics.count_assignments",
    "statistics.count_conversation_parts",
    "conversation_rating.score",
    "ai_agent.rating",
]
_CONVERSATION_DATES = [
    "waiting_since",
    "snoozed_until",
    "statistics.first_contact_reply_at",
    "statistics.first_assignment_at",
    "statistics.first_admin_reply_at",
    "statistics.first_close_at",
    "statistics.last_assignment_at",
    "statistics.last_assignment_admin_reply_at",
    "statistics.last_contact_reply_at",
    "statistics.last_admin_reply_at",
    "statistics.last_close_at",
    "conversation_rating.requested_at",
    "conversation_rating.replied_at",
]

CONVERSATION_FIELDS: dict[str, Field] = {
    "id": Field("id", STRING, column="t.id"),
    "created_at": Field("created_at", DATE, column="t.created_at"),
    "updated_at": Field("updated_at", DATE, column="t.s_updated_at"),
    "source.body": Field("source.body", STRING, path="$.source.body", words=True),
    "contact_ids": Field("contact_ids", STRING, side=("conversation_contacts", "contact_id")),
    "teammate_ids": Field("teammate_ids", STRING, side=("conversation_teammates", "admin_id")),
    "open": _json("open", BOOLEAN),
    "read": _json("read", BOOLEAN),
    "ai_agent_participated": _json("ai_agent_participated", BOOLEAN),
    "tag_ids": Field("tag_ids", STRING, empty=True),
    "conversation_rating.admin_d": _json(
        "conversation_rating.admin_d", STRING, "$.conversation_rating.teammate.id"
    ),
}
CONVERSATION_FIELDS.update({n: _json(n, STRING) for n in _CONVERSATION_STRINGS})
CONVERSATION_FIELDS.update({n: _json(n, INTEGER) for n in _CONVERSATION_INTEGERS})
CONVERSATION_FIELDS.update({n: _json(n, DATE) for n in _CONVERSATION_DATES})

CONTACT_OPERATORS = {
    STRING: ("=", "!=", "IN", "NIN", "~", "!~", "^", "$"),
    BOOLEAN: ("=", "!=", "IN", "NIN"),
    INTEGER: ("=", "!=", "IN", "NIN", "<", ">", "<=", ">="),
    FLOAT: ("=", "!=", "IN", "NIN", "<", ">", "<=", ">="),
    DATE: ("=", "<", ">"),
}
# `<=`/`>=` are in the operator enum of the shared filter schema (single_filter_search_request)
# though the conversation table of SPEC211 omits them; exact-second dates make them meaningful.
CONVERSATION_OPERATORS = {
    STRING: ("=", "!=", "IN", "NIN", "~", "!~", "^", "$"),
    BOOLEAN: ("=", "!=", "IN", "NIN"),
    INTEGER: ("=", "!=", "IN", "NIN", "<", ">", "<=", ">="),
    FLOAT: ("=", "!=", "IN", "NIN", "<", ">", "<=", ">="),
    DATE: ("=", "!=", "IN", "NIN", "<", ">", "<=", ">="),
}
ALL_OPERATORS = ("=", "!=", "IN", "NIN", "<", ">", "<=", ">=", "~", "!~", "^", "$")
NEGATIVE = {"!=": "=", "NIN": "IN", "!~": "~"}
ATTRIBUTE_TYPES = {
    "string": STRING,
    "integer": INTEGER,
    "float": FLOAT,
    "boolean": BOOLEAN,
    "date": DATE,
    "datetime": DATE,
}
INTEGER_TEXT = re.compile(r"^-?\d+$")
FLOAT_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
