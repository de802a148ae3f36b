"""The conversations `bench.landing_memory` lands: one template, rendered in SQL for the tables
it builds and in Python for the changed records it lands."""

from __future__ import annotations

import hashlib

# A conversation of ~1.8 KB: the @NAME@ placeholders are filled per record; @PAD@ is text that
# compresses like a message body. The base table is built in SQL from the same template.
TEMPLATE = (
    '{"type":"conversation","id":"@ID@","created_at":@CREATED@,"updated_at":@UPDATED@,'
    '"waiting_since":null,"snoozed_until":null,"source":{"type":"conversation","id":"@SOURCE@",'
    '"delivered_as":"admin_initiated","subject":"","body":"<p>@PAD@</p>","author":{"type":"admin",'
    '"id":"@ADMIN@","name":"Coach","email":"coach@example.com"},"attachments":[],"url":null,'
    '"redacted":false},"contacts":{"type":"contact.list","contacts":[{"type":"contact",'
    '"id":"@CONTACT@","external_id":"@EXTERNAL@"}]},"first_contact_reply":null,'
    '"admin_assignee_id":@ADMIN@,"team_assignee_id":null,"open":false,"state":"closed",'
    '"read":true,"tags":{"type":"tag.list","tags":[]},"priority":"not_priority",'
    '"sla_applied":null,"statistics":{"type":"conversation_statistics","time_to_assignment":0,'
    '"time_to_admin_reply":120,"time_to_first_close":3600,"median_time_to_reply":120,'
    '"first_close_at":@CLOSED@,"last_close_at":@CLOSED@,"last_closed_by_id":"@ADMIN@",'
    '"count_reopens":0,"count_assignments":1,"count_conversation_parts":@PARTS@},'
    '"conversation_rating":null,"teammates":{"type":"admin.list","teammates":[{"type":"admin",'
    '"id":"@ADMIN@"}]},"title":null,"custom_attributes":{"Channel":"Phone",'
    '"Service Code":"Health Coaching 001"},"topics":{},"ticket":null,"linked_objects":'
    '{"type":"list","data":[],"total_count":0,"has_more":false},"ai_agent_participated":false}'
)
PAD_PIECES = 8  # md5 hex strings in the body


def _fields_sql(i: str) -> dict[str, str]:
    pad = " || ".join(f"md5({i}::varchar || '{k}')" for k in range(PAD_PIECES))
    updated = f"(1700000000 + ({i} * 7919) % 30000000)"
    return {
        "@ID@": f"(1000000 + {i})::varchar",
        "@CREATED@": f"(1690000000 + {i})::varchar",
        "@UPDATED@": f"{updated}::varchar",
        "@SOURCE@": f"(5000000 + {i})::varchar",
        "@PAD@": pad,
        "@ADMIN@": f"({i} % 50)::varchar",
        "@CONTACT@": f"md5({i}::varchar)",
        "@EXTERNAL@": f"({i} % 100000)::varchar",
        "@CLOSED@": f"(1690003600 + {i})::varchar",
        "@PARTS@": "'3'",
    }


def record_sql(i: str) -> str:
    expression = "'" + TEMPLATE + "'"
    for placeholder, sql in _fields_sql(i).items():
        expression = expression.replace(placeholder, f"' || {sql} || '")
    return expression


def record(i: int, version: int) -> tuple[str, int, bytes]:
    """Record `i` after `version` changes: its id, `updated_at` and body."""
    updated = 1700000000 + (i * 7919) % 30000000 + version * 86400
    pad = "".join(hashlib.md5(f"{i}{k}".encode()).hexdigest() for k in range(PAD_PIECES))
    values = {
        "@ID@": str(1000000 + i),
        "@CREATED@": str(1690000000 + i),
        "@UPDATED@": str(updated),
        "@SOURCE@": str(5000000 + i),
        "@PAD@": pad,
        "@ADMIN@": str(i % 50),
        "@CONTACT@": hashlib.md5(str(i).encode()).hexdigest(),
        "@EXTERNAL@": str(i % 100000),
        "@CLOSED@": str(1690003600 + i),
        "@PARTS@": str(3 + version),
    }
    body = TEMPLATE
    for placeholder, value in values.items():
        body = body.replace(placeholder, value)
    return values["@ID@"], updated, body.encode()
