"""`IntercomBackend`: the workspace's state and every mutation, with no HTTP in sight.

The HTTP layer (`app.py`) parses requests and calls these methods; tests and benchmarks call
them directly to make things happen while a client runs. Methods that serve list and search
endpoints return ready-made JSON bytes assembled from the stored record texts; the others
return plain dicts. Errors are `ApiError`s carrying Intercom's status, code and message.

Behaviour chosen where the spec is silent (README, "Using the fake Intercom", lists them):
GET /contacts lists newest-created first and GET /conversations most recently updated first;
every write bumps `updated_at` to the clock's current second (never backwards); merging a lead
moves its conversations to the user and bumps those conversations' `updated_at`.
"""

from __future__ import annotations

import hashlib
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import orjson

from fake_intercom import records
from fake_intercom.errors import (
    ApiError,
    contact_not_found,
    parameter_invalid,
    resource_not_found,
)
from fake_intercom.pagination import decode_cursor, encode_cursor, pages_object, per_page
from fake_intercom.records import CONVERSATION_ID_BASE, SOURCE_ID_BASE, history_parts
from fake_intercom.search import CONTACTS, CONVERSATIONS, DATE, SearchModel, has_word
from fake_intercom.store import SEARCH_BODY, Store

DEFAULT_PER_PAGE = {"list_contacts": 10, "search_contacts": 50, "conversations": 20}
STRING_VALUE_MAX = 255
_ATTRIBUTE_NAME = re.compile(r"^[\w\s$€£¥\-]+$")
_DATA_TYPES = ("string", "integer", "float", "boolean", "date", "datetime")


def _admin_id(value: Any, field: str = "admin_id") -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or str(value) == "":
        raise parameter_invalid(f"{field} is required and must be an admin id", field)
    return str(value)


def _check_value(name: str, data_type: str, value: Any, what: str = "Custom attribute") -> None:
    """Intercom's type check of one custom attribute value against its declared data type."""
    ok = {
        "string": isinstance(value, str),
        "integer": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "boolean": isinstance(value, bool),
        # Dates are unix seconds (reference §9); negative values are dates before 1970.
        "date": isinstance(value, int) and not isinstance(value, bool),
    }[data_type]
    if not ok:
        expected = "a date (integer unix seconds)" if data_type == "date" else f"a {data_type}"
        raise parameter_invalid(
            f"{what} '{name}' must be {expected}, got {orjson.dumps(value).decode()}",
            "custom_attributes",
        )
    if data_type == "string" and len(value) > STRING_VALUE_MAX:
        raise parameter_invalid(
            f"{what} '{name}' is longer than {STRING_VALUE_MAX} characters", "custom_attributes"
        )


# The fields PUT /contacts/{id} accepts (update_contact_request) and their JSON types.
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


class IntercomBackend:
    def __init__(
        self,
        store: Store,
        *,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        index_lag_seconds: float = 0.0,
    ) -> None:
        self.store = store
        self.seed = seed
        self.clock = clock
        self.index_lag_seconds = index_lag_seconds
        self.workspace: dict[str, Any] = store.meta_json("workspace", {})
        self._types_cache: dict[str, dict[str, str]] = {}
        self._count_cache: dict[tuple[Any, ...], int] = {}
        self._count_version = -1
        self._id_counter = 0
        self._admins: dict[str, dict[str, Any]] | None = None
        store.conn.create_function("fi_has_word", 2, has_word, deterministic=True)

    # ================================================================ helpers
    @property
    def lock(self):
        return self.store.lock

    def _stamp(self, previous: int = 0) -> int:
        return max(int(self.clock()), previous)

    def _write(self, table: str, rowid: int, body: dict[str, Any]) -> None:
        self.store.update_body(table, rowid, body, self.clock(), self.index_lag_seconds)

    def custom_types(self, model: str) -> dict[str, str]:
        """{name: data_type} of the custom data attributes of `model`."""
        cached = self._types_cache.get(model)
        if cached is None:
            rows = self.store.conn.execute(
                "SELECT name, data_type FROM data_attributes WHERE model = ?"
                " AND json_extract(body, '$.custom')",
                (model,),
            ).fetchall()
            cached = {name: ("date" if t == "datetime" else t) for name, t in rows}
            self._types_cache[model] = cached
        return cached

    def _live_contact(self, contact_id: Any) -> tuple[int, dict[str, Any]]:
        if not isinstance(contact_id, str):
            raise contact_not_found()
        row = self.store.contact_row(contact_id)
        if row is None or row[1] != 1:
            raise contact_not_found()
        return row[0], orjson.loads(row[2])

    def _conversation(self, conversation_id: Any) -> tuple[int, dict[str, Any], list[dict]]:
        row = self.store.conversation_row(str(conversation_id))
        if row is None:
            raise resource_not_found()
        return row[0], orjson.loads(row[1]), orjson.loads(row[2]) if row[2] else []

    def _history(self, rowid: int, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The parts of a generated conversation's history, derived from its generated version;
        conversations created since have only stored parts."""
        original = self.store.generated_original("conversations", rowid)
        if original is None:
            return []
        return history_parts(
            body if original is True else orjson.loads(original), self._admins_by_id()
        )

    def _admins_by_id(self) -> dict[str, dict[str, Any]]:
        if self._admins is None:
            rows = self.store.conn.execute("SELECT id, body FROM admins").fetchall()
            self._admins = {admin_id: orjson.loads(body) for admin_id, body in rows}
        return self._admins

    def _admin(self, admin_id: str) -> dict[str, Any]:
        admin = self._admins_by_id().get(admin_id)
        if admin is None:
            raise ApiError(404, "not_found", "Admin Not Found", "admin_id")
        return admin

    def _new_contact_id(self, created_at: int) -> str:
        while True:
            self._id_counter += 1
            tail = hashlib.blake2b(
                f"{self.seed}:{self._id_counter}".encode(), digest_size=8
            ).hexdigest()
            candidate = f"{created_at & 0xFFFFFFFF:08x}{tail}"
            if self.store.contact_row(candidate) is None:
                return candidate

    def _next_conversation_rowid(self) -> int:
        return self.store.conn.execute(
            "SELECT coalesce(max(rowid), 0) + 1 FROM conversations"
        ).fetchone()[0]

    # ================================================================= reads
    def me(self) -> dict[str, Any]:
        with self.lock:
            admin = self._admin(self.workspace["me_admin_id"])
        app = {
            "type": "app",
            "id_code": self.workspace["workspace_id"],
            "name": self.workspace["app_name"],
            "created_at": self.workspace["app_created_at"],
            "secure": False,
            "identity_verification": False,
            # Day-granular contact search uses UTC day boundaries here (reference §5.3).
            "timezone": "UTC",
            "region": "US",
        }
        return admin | {
            "email_verified": True,
            "app": app,
            "avatar": {"type": "avatar", "image_url": None},
        }

    def admins(self) -> dict[str, Any]:
        with self.lock:
            rows = self.store.conn.execute("SELECT body FROM admins ORDER BY rowid").fetchall()
        return {"type": "admin.list", "admins": [orjson.loads(r[0]) for r in rows]}

    def teams(self) -> dict[str, Any]:
        with self.lock:
            rows = self.store.conn.execute("SELECT body FROM teams ORDER BY rowid").fetchall()
        return {"type": "team.list", "teams": [orjson.loads(r[0]) for r in rows]}

    def data_attributes(self, model: str | None = None) -> dict[str, Any]:
        if model not in (None, "contact", "company", "conversation"):
            raise parameter_invalid(
                "model must be one of contact, company or conversation", "model"
            )
        sql = "SELECT body FROM data_attributes"
        params: tuple[Any, ...] = ()
        if model:
            sql += " WHERE model = ?"
            params = (model,)
        with self.lock:
            rows = self.store.conn.execute(sql + " ORDER BY rowid", params).fetchall()
        return {"type": "list", "data": [orjson.loads(r[0]) for r in rows]}

    def contact_json(self, contact_id: str) -> str:
        """GET /contacts/{id}: the stored text as is; merged-away or deleted ids are a 404."""
        with self.lock:
            row = self.store.contact_row(contact_id)
        if row is None or row[1] != 1:
            raise contact_not_found()
        return row[2]

    def contact(self, contact_id: str) -> dict[str, Any]:
        return orjson.loads(self.contact_json(contact_id))

    def conversation(self, conversation_id: str) -> dict[str, Any]:
        """GET /conversations/{id}: the list-item shape plus `conversation_parts`."""
        with self.lock:
            rowid, body, parts = self._conversation(conversation_id)
            everything = self._history(rowid, body) + parts
        body["conversation_parts"] = {
            "type": "conversation_part.list",
            # "we will return the 500 most recent conversation parts" (SPEC211)
            "conversation_parts": everything[-500:],
            "total_count": len(everything[-500:]),
        }
        return body

    # ------------------------------------------------------- lists and search
    def list_contacts(self, per_page_raw: Any = None, starting_after: Any = None) -> bytes:
        """GET /contacts: live contacts, newest-created first."""
        return self._list("contacts", "t.live = 1", "t.created_at", per_page_raw, starting_after)

    def list_conversations(self, per_page_raw: Any = None, starting_after: Any = None) -> bytes:
        """GET /conversations: most recently updated first."""
        return self._list("conversations", "1", "t.updated_at", per_page_raw, starting_after)

    def _list(
        self, table: str, where: str, key: str, per_page_raw: Any, starting_after: Any
    ) -> bytes:
        default = DEFAULT_PER_PAGE["list_contacts" if table == "contacts" else "conversations"]
        size = per_page(per_page_raw, default)
        cursor = decode_cursor(starting_after)
        with self.lock:
            return self._page(
                table=table,
                where=where,
                params=(),
                body_sql="t.body",
                key=key,
                descending=True,
                millis=True,
                size=size,
                cursor=cursor,
                shape=table,
            )

    def search_contacts(self, request: Any) -> bytes:
        return self._search(CONTACTS, "contacts", "t.live = 1 AND t.idx_state > 0", request)

    def search_conversations(self, request: Any) -> bytes:
        return self._search(CONVERSATIONS, "conversations", "t.idx_state > 0", request)

    def _search(self, model: SearchModel, table: str, base: str, request: Any) -> bytes:
        if not isinstance(request, Mapping):
            raise parameter_invalid("The request body must be a JSON object")
        pagination = request.get("pagination") or {}
        if not isinstance(pagination, Mapping):
            raise parameter_invalid("pagination must be an object", "pagination")
        default = DEFAULT_PER_PAGE["search_contacts" if table == "contacts" else "conversations"]
        size = per_page(pagination.get("per_page"), default)
        cursor = decode_cursor(pagination.get("starting_after"))
        with self.lock:
            compiled = model.compile(request, self.custom_types(model.model))
            self.store.flush_index(self.clock())
            return self._page(
                table=table,
                where=f"{base} AND {compiled.where}",
                params=compiled.params,
                body_sql=SEARCH_BODY,
                key=compiled.sort_key,
                descending=compiled.descending,
                millis=compiled.sort_field.type == DATE,
                size=size,
                cursor=cursor,
                shape=table,
            )

    def _count(self, table: str, where: str, params: tuple[Any, ...]) -> int:
        if self._count_version != self.store.data_version:
            self._count_cache.clear()
            self._count_version = self.store.data_version
        key = (table, where, params)
        if key not in self._count_cache:
            self._count_cache[key] = self.store.conn.execute(
                f"SELECT count(*) FROM {table} t WHERE {where}", params
            ).fetchone()[0]
        return self._count_cache[key]

    def _page(
        self,
        *,
        table: str,
        where: str,
        params: tuple[Any, ...],
        body_sql: str,
        key: str,
        descending: bool,
        millis: bool,
        size: int,
        cursor: Any,
        shape: str,
    ) -> bytes:
        total = self._count(table, where, params)
        direction, compare = ("DESC", "<") if descending else ("ASC", ">")
        keyset, page = "", 1
        extra: tuple[Any, ...] = ()
        if cursor is not None:
            value = cursor.sort_value
            if millis and isinstance(value, int):
                value //= 1000
            # Written so SQLite seeks the (key, rowid) index instead of scanning from the start.
            bound = "<=" if descending else ">="
            keyset = f" AND {key} {bound} ? AND ({key} {compare} ? OR t.rowid {compare} ?)"
            extra = (value, value, cursor.rowid)
            page = cursor.page
        rows = self.store.conn.execute(
            f"SELECT {body_sql}, {key}, t.rowid FROM {table} t WHERE {where}{keyset}"
            f" ORDER BY {key} {direction}, t.rowid {direction} LIMIT ?",
            (*params, *extra, size + 1),
        ).fetchall()
        next_cursor = None
        if len(rows) > size:
            rows = rows[:size]
            last_value = rows[-1][1]
            if millis and isinstance(last_value, int):
                last_value *= 1000
            next_cursor = encode_cursor(last_value, rows[-1][2], page + 1)
        pages = orjson.dumps(pages_object(page, size, total, next_cursor)).decode()
        items = ",".join(r[0] for r in rows)
        if shape == "contacts":
            text = f'{{"type":"list","data":[{items}],"total_count":{total},"pages":{pages}}}'
        else:
            text = (
                f'{{"type":"conversation.list","pages":{pages},"total_count":{total},'
                f'"conversations":[{items}]}}'
            )
        return text.encode()

    # ============================================================== contacts
    def _check_attributes(self, model: str, values: Any) -> None:
        """Custom attribute values against the declared data attributes of `model`."""
        if not isinstance(values, Mapping):
            raise parameter_invalid("custom_attributes must be an object", "custom_attributes")
        what = "Custom attribute" if model == "contact" else "Conversation attribute"
        declared = self.custom_types(model)
        for name, value in values.items():
            if name not in declared:
                # Conversation wording from intercom-node#349 (reference §2).
                raise parameter_invalid(f"{what} '{name}' does not exist", "custom_attributes")
            if value is None:
                # Intercom refused null values ("not of type Numeric, String or Boolean").
                raise parameter_invalid(
                    f"{what} '{name}': value is not of type Numeric, String or Boolean",
                    "custom_attributes",
                )
            _check_value(name, declared[name], value, what)

    def _apply_contact_fields(
        self, body: dict[str, Any], changes: Mapping[str, Any], *, check: bool
    ) -> None:
        for name, kinds in CONTACT_FIELD_TYPES.items():
            if name not in changes:
                continue
            value = changes[name]
            wrong_int = isinstance(value, bool) and bool not in kinds
            if check and (wrong_int or not isinstance(value, kinds)):
                raise parameter_invalid(f"{name} has an invalid value", name)
            if name == "role" and value not in ("user", "lead"):
                raise parameter_invalid("role must be user or lead", "role")
            if name == "custom_attributes":
                if value:
                    if check:
                        self._check_attributes("contact", value)
                    body["custom_attributes"] = body["custom_attributes"] | dict(value)
            elif name == "avatar":
                body["avatar"] = {"type": "avatar", "image_url": value} if value else None
            elif name == "owner_id" and value is not None and check:
                self._admin(str(value))
                body["owner_id"] = value
            else:
                body[name] = value
        if changes.get("external_id"):
            clash = self.store.conn.execute(
                "SELECT id FROM contacts WHERE external_id = ? AND live = 1 AND id != ?",
                (changes["external_id"], body["id"]),
            ).fetchone()
            if clash:
                raise ApiError(
                    409,
                    "conflict",
                    f"A contact matching those details already exists with id={clash[0]}",
                )

    def create_contact(self, fields: Any) -> dict[str, Any]:
        if not isinstance(fields, Mapping) or not any(
            fields.get(k) for k in ("email", "external_id", "role")
        ):
            raise parameter_invalid("Provide at least one of email, external_id or role")
        with self.lock:
            now = self._stamp()
            body = records.contact(
                contact_id=self._new_contact_id(now),
                workspace_id=self.workspace["workspace_id"],
                role=fields.get("role") or "user",
                created_at=now,
                updated_at=now,
            )
            self._apply_contact_fields(body, fields, check=True)
            self.store.add_contact(body, self.clock(), self.index_lag_seconds)
        return body

    def update_contact(self, contact_id: str, changes: Any) -> dict[str, Any]:
        """PUT /contacts/{id}: only the keys sent change; custom attributes merge per key."""
        if not isinstance(changes, Mapping):
            raise parameter_invalid("The request body must be a JSON object")
        with self.lock:
            rowid, body = self._live_contact(contact_id)
            self._apply_contact_fields(body, changes, check=True)
            body["updated_at"] = self._stamp(body["updated_at"])
            self._write("contacts", rowid, body)
        return body

    def set_contact_attributes_raw(self, contact_id: str, values: Mapping[str, Any]) -> dict:
        """Emulator-only: set custom attributes without type checks, to plant dirty data."""
        with self.lock:
            rowid, body = self._live_contact(contact_id)
            body["custom_attributes"] = body["custom_attributes"] | dict(values)
            body["updated_at"] = self._stamp(body["updated_at"])
            self._write("contacts", rowid, body)
        return body

    def delete_contact(self, contact_id: str) -> dict[str, Any]:
        with self.lock:
            rowid, body = self._live_contact(contact_id)
            self.store.set_contact_status(rowid, 0)
        return {
            "id": body["id"],
            "external_id": body["external_id"],
            "type": "contact",
            "deleted": True,
        }

    def merge_contacts(self, from_id: Any, into_id: Any) -> dict[str, Any]:
        """POST /contacts/merge: a lead into a user. The lead's conversations move to the user;
        the lead disappears from list and search, and GET on it is a 404."""
        for name, value in (("from", from_id), ("into", into_id)):
            if not isinstance(value, str) or not value:
                raise parameter_invalid(f"{name} is a required parameter", name)
        if from_id == into_id:
            raise parameter_invalid("from and into must be different contacts", "into")
        with self.lock:
            lead_rowid, lead = self._live_contact(from_id)
            user_rowid, user = self._live_contact(into_id)
            if lead["role"] != "lead":
                raise parameter_invalid("The contact to merge from must be a lead", "from")
            if user["role"] != "user":
                raise parameter_invalid("The contact to merge into must be a user", "into")
            user["custom_attributes"] = lead["custom_attributes"] | user["custom_attributes"]
            for field in ("email", "phone", "name"):
                user[field] = user[field] or lead[field]
            user["updated_at"] = self._stamp(user["updated_at"])
            self._write("contacts", user_rowid, user)
            self.store.set_contact_status(lead_rowid, -1, into_id)
            self._move_conversations(
                from_id, records.contact_reference(user["id"], user["external_id"])
            )
        return user

    def _move_conversations(self, from_id: str, into_ref: dict[str, Any]) -> None:
        conn = self.store.conn
        rowids = {
            r[0]
            for r in conn.execute(
                "SELECT conv_rowid FROM conversation_contacts WHERE contact_id = ?", (from_id,)
            )
        }
        rowids |= {
            r[0]
            for r in conn.execute(
                "SELECT rec_rowid FROM pending WHERE kind = 'conversations' AND instr(body, ?) > 0",
                (from_id,),
            )
        }
        for rowid in sorted(rowids):
            body = orjson.loads(
                conn.execute("SELECT body FROM conversations WHERE rowid = ?", (rowid,)).fetchone()[
                    0
                ]
            )
            refs = body["contacts"]["contacts"]
            if not any(ref["id"] == from_id for ref in refs):
                continue
            moved: list[dict[str, Any]] = []
            for ref in refs:
                new = into_ref if ref["id"] == from_id else ref
                if all(m["id"] != new["id"] for m in moved):
                    moved.append(new)
            body["contacts"]["contacts"] = moved
            body["updated_at"] = self._stamp(body["updated_at"])
            self._write("conversations", rowid, body)

    # ======================================================== data attributes
    def create_data_attribute(self, fields: Any) -> dict[str, Any]:
        if not isinstance(fields, Mapping):
            raise parameter_invalid("The request body must be a JSON object")
        name = fields.get("name")
        if not name:
            raise ApiError(400, "parameter_not_found", "Name is a required parameter.", "name")
        if not isinstance(name, str) or not _ATTRIBUTE_NAME.match(name) or "." in name:
            raise parameter_invalid(
                "Your name for this attribute must only contain alphanumeric characters, "
                "currency symbols, and hyphens",
                "name",
            )
        model = fields.get("model")
        if model not in ("contact", "company"):
            raise parameter_invalid(
                "The Data Attribute model field must be either contact or company", "model"
            )
        data_type = fields.get("data_type")
        if data_type not in _DATA_TYPES:
            raise parameter_invalid("Data Type isn't an option", "data_type")
        options = fields.get("options")
        if options is not None and (
            not isinstance(options, list) or not all(isinstance(o, str) for o in options)
        ):
            raise parameter_invalid("options must be a list of strings", "options")
        words = {"contact": "people", "company": "company"}
        with self.lock:
            existing = self.store.conn.execute(
                "SELECT model FROM data_attributes WHERE name = ? AND model IN"
                " ('contact', 'company')",
                (name,),
            ).fetchone()
            if existing:
                raise parameter_invalid(
                    f"You already have '{name}' in your {words[existing[0]]} data. "
                    f"To save this as new {words[model]} data, use a different name.",
                    "name",
                )
            next_id = self.store.conn.execute(
                "SELECT coalesce(max(json_extract(body, '$.id')), 0) + 1 FROM data_attributes"
            ).fetchone()[0]
            body = records.data_attribute(
                model=model,
                name=name,
                data_type="date" if data_type == "datetime" else data_type,
                description=fields.get("description") or "",
                custom=True,
                attribute_id=next_id,
                options=options,
                messenger_writable=bool(fields.get("messenger_writable", False)),
                created_at=self._stamp(),
                admin_id=self.workspace["me_admin_id"],
            )
            self.store.insert_data_attribute(body)
            self._types_cache.clear()
        return body

    # ========================================================= conversations
    def _contact_refs(self, contact_ids: list[str], *, allow_deleted: bool) -> list[dict]:
        refs = []
        for contact_id in contact_ids:
            row = self.store.contact_row(contact_id) if isinstance(contact_id, str) else None
            if row is None or (row[1] != 1 and not allow_deleted):
                raise contact_not_found()
            refs.append(records.contact_reference(contact_id, orjson.loads(row[2])["external_id"]))
        return refs

    def create_conversation(
        self,
        *,
        contact_ids: list[str],
        admin_id: str | None = None,
        body: str = "<p>Coaching session</p>",
        state: str = "open",
        custom_attributes: Mapping[str, Any] | None = None,
        admin_assignee_id: int | None = None,
        team_assignee_id: int | None = None,
        created_at: int | None = None,
        closed_at: int | None = None,
        snoozed_until: int | None = None,
        source_type: str = "conversation",
        check_attributes: bool = True,
    ) -> dict[str, Any]:
        """An admin-initiated conversation (what the public API cannot express in one call).

        `contact_ids` may name deleted contacts (to plant orphan references) but must exist;
        `admin_id` (default: the assignee, else the workspace's own admin) authors the source.
        `check_attributes=False` skips the type check of custom attributes (dirty data).
        """
        if state not in ("open", "closed", "snoozed"):
            raise parameter_invalid("state must be open, closed or snoozed", "state")
        if state == "snoozed" and not isinstance(snoozed_until, int):
            raise parameter_invalid("snoozed_until is required to snooze", "snoozed_until")
        with self.lock:
            refs = self._contact_refs(list(contact_ids), allow_deleted=True)
            author_id = admin_id or (
                str(admin_assignee_id) if admin_assignee_id else self.workspace["me_admin_id"]
            )
            writer = self._admin(str(author_id))
            attributes = dict(custom_attributes or {})
            if check_attributes:
                self._check_attributes("conversation", attributes)
            now = self._stamp()
            start = created_at if created_at is not None else now
            rowid = self._next_conversation_rowid()
            conversation_id = str(CONVERSATION_ID_BASE + rowid)
            conv = records.conversation(
                conversation_id=conversation_id,
                created_at=start,
                updated_at=now,
                source=records.source(
                    kind=source_type,
                    source_id=str(SOURCE_ID_BASE + rowid),
                    delivered_as="admin_initiated",
                    body=body,
                    source_author=records.author(
                        "admin", writer["id"], writer["name"], writer["email"]
                    ),
                ),
                contacts=refs,
                state="open",
                admin_assignee_id=admin_assignee_id,
                team_assignee_id=team_assignee_id,
                teammate_ids=[writer["id"]],
                stats=records.statistics(
                    first_admin_reply_at=start,
                    last_admin_reply_at=start,
                    first_assignment_at=start if admin_assignee_id else None,
                    last_assignment_at=start if admin_assignee_id else None,
                    count_assignments=1 if admin_assignee_id else 0,
                ),
                custom_attributes=attributes,
            )
            parts = []
            by = records.author("admin", writer["id"], writer["name"], writer["email"])
            if state == "closed":
                at = closed_at if closed_at is not None else max(start, now)
                _close(conv, writer["id"], at)
                parts.append(
                    records.conversation_part(
                        part_id=f"{conversation_id}001",
                        part_type="close",
                        created_at=at,
                        part_author=by,
                    )
                )
            elif state == "snoozed":
                _snooze(conv, snoozed_until)
                parts.append(
                    records.conversation_part(
                        part_id=f"{conversation_id}001",
                        part_type="snoozed",
                        created_at=now,
                        part_author=by,
                    )
                )
            conv["statistics"]["count_conversation_parts"] = len(parts)
            rowid = self.store.add_conversation(conv, self.clock(), self.index_lag_seconds)
            if parts:
                self.store.set_parts(rowid, parts)
        return conv

    def create_conversation_from_contact(self, payload: Any) -> dict[str, Any]:
        """POST /conversations: a contact starts a conversation; answers with a message."""
        if not isinstance(payload, Mapping):
            raise parameter_invalid("The request body must be a JSON object")
        sender = payload.get("from")
        text = payload.get("body")
        if not isinstance(sender, Mapping) or not sender.get("id") or not sender.get("type"):
            raise ApiError(400, "parameter_not_found", "From is a required parameter.", "from")
        if sender["type"] not in ("user", "lead", "contact"):
            raise parameter_invalid("from.type must be user, lead or contact", "from")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "parameter_not_found", "Body is a required parameter.", "body")
        created_at = payload.get("created_at")
        if created_at is not None and (
            isinstance(created_at, bool) or not isinstance(created_at, int)
        ):
            raise parameter_invalid("created_at must be a unix timestamp", "created_at")
        with self.lock:
            _, person = self._live_contact(sender["id"])
            now = self._stamp()
            start = created_at if created_at is not None else now
            rowid = self._next_conversation_rowid()
            conversation_id = str(CONVERSATION_ID_BASE + rowid)
            message_id = str(SOURCE_ID_BASE + rowid)
            conv = records.conversation(
                conversation_id=conversation_id,
                created_at=start,
                updated_at=now,
                source=records.source(
                    kind="conversation",
                    source_id=message_id,
                    delivered_as="customer_initiated",
                    body=f"<p>{text}</p>",
                    source_author=records.author(
                        person["role"], person["id"], person["name"], person["email"]
                    ),
                ),
                contacts=[records.contact_reference(person["id"], person["external_id"])],
                state="open",
                admin_assignee_id=None,
                team_assignee_id=None,
                teammate_ids=[],
                stats=records.statistics(last_contact_reply_at=start),
                custom_attributes={},
                waiting_since=start,
                read=False,
            )
            self.store.add_conversation(conv, self.clock(), self.index_lag_seconds)
        return {
            "type": "user_message",
            "id": message_id,
            "created_at": start,
            "subject": "",  # required by the 2.11 `message` schema; empty for in-app messages
            "body": text,
            "message_type": "inapp",
            "conversation_id": conversation_id,
        }

    def _change_conversation(
        self,
        conversation_id: str,
        change: Callable[[dict[str, Any], int], dict[str, Any] | None],
    ) -> dict[str, Any]:
        """Apply `change(body, now)` (which may return a new part), bump, store, return it."""
        with self.lock:
            rowid, body, parts = self._conversation(conversation_id)
            now = self._stamp(body["updated_at"])
            part = change(body, now)
            if part is not None:
                index = len(self._history(rowid, body)) + len(parts) + 1
                part["id"] = str(int(body["id"]) * 1000 + index)
                parts.append(part)
                body["statistics"]["count_conversation_parts"] += 1
                self.store.set_parts(rowid, parts)
            body["updated_at"] = now
            self._write("conversations", rowid, body)
        return self.conversation(conversation_id)

    def manage_conversation(self, conversation_id: str, payload: Any) -> dict[str, Any]:
        """POST /conversations/{id}/parts: close, snoozed, open or assignment (SPEC211)."""
        if not isinstance(payload, Mapping):
            raise parameter_invalid("The request body must be a JSON object")
        kind = payload.get("message_type")
        if kind not in ("close", "snoozed", "open", "assignment"):
            raise parameter_invalid(
                f"message_type {kind!r} is not one of close, snoozed, open, assignment",
                "message_type",
            )
        with self.lock:
            self._conversation(conversation_id)  # 404 before validating the admin
            admin = self._admin(_admin_id(payload.get("admin_id")))
        author = records.author("admin", admin["id"], admin["name"], admin["email"])
        if kind == "close":
            return self.close_conversation(conversation_id, admin["id"], body=payload.get("body"))
        if kind == "open":
            return self.open_conversation(conversation_id, admin["id"])
        if kind == "snoozed":
            until = payload.get("snoozed_until")
            if isinstance(until, bool) or not isinstance(until, int):
                raise parameter_invalid("snoozed_until must be a unix timestamp", "snoozed_until")
            return self.snooze_conversation(conversation_id, until, admin["id"])
        target_type = payload.get("type")
        if target_type not in ("admin", "team"):
            raise parameter_invalid("type must be admin or team", "type")
        assignee = str(payload.get("assignee_id", ""))
        if not assignee.isdigit():
            raise parameter_invalid("assignee_id must be an admin or team id", "assignee_id")
        if assignee != "0":
            if target_type == "admin":
                self._admin(assignee)
            elif not self.store.conn.execute(
                "SELECT 1 FROM teams WHERE id = ?", (assignee,)
            ).fetchone():
                raise ApiError(404, "not_found", "Team Not Found", "assignee_id")

        def assign(body: dict[str, Any], now: int) -> dict[str, Any]:
            value = int(assignee) or None
            body["admin_assignee_id" if target_type == "admin" else "team_assignee_id"] = value
            stats = body["statistics"]
            stats["first_assignment_at"] = stats["first_assignment_at"] or now
            stats["last_assignment_at"] = now
            stats["count_assignments"] += 1
            return records.conversation_part(
                part_id="",
                part_type="assignment",
                created_at=now,
                part_author=author,
                body=payload.get("body"),
                assigned_to={"type": target_type, "id": assignee} if value else None,
            )

        return self._change_conversation(conversation_id, assign)

    def close_conversation(
        self, conversation_id: str, admin_id: str | None = None, *, body: str | None = None
    ) -> dict[str, Any]:
        return self._admin_action(
            conversation_id, admin_id, "close", lambda conv, by, now: _close(conv, by, now), body
        )

    def open_conversation(self, conversation_id: str, admin_id: str | None = None) -> dict:
        return self._admin_action(
            conversation_id, admin_id, "open", lambda conv, by, now: _reopen(conv)
        )

    def snooze_conversation(
        self, conversation_id: str, until: int, admin_id: str | None = None
    ) -> dict[str, Any]:
        return self._admin_action(
            conversation_id, admin_id, "snoozed", lambda conv, by, now: _snooze(conv, until)
        )

    def _admin_action(
        self,
        conversation_id: str,
        admin_id: str | None,
        part_type: str,
        apply: Callable[[dict[str, Any], str, int], None],
        body: str | None = None,
    ) -> dict[str, Any]:
        """A state change by an admin (default: the workspace's own), recorded as a part."""
        with self.lock:
            admin = self._admin(admin_id or self.workspace["me_admin_id"])
        author = records.author("admin", admin["id"], admin["name"], admin["email"])

        def change(conv: dict[str, Any], now: int) -> dict[str, Any]:
            apply(conv, admin["id"], now)
            return records.conversation_part(
                part_id="", part_type=part_type, created_at=now, body=body, part_author=author
            )

        return self._change_conversation(conversation_id, change)

    def reply(self, conversation_id: str, payload: Any) -> dict[str, Any]:
        """POST /conversations/{id}/reply: an admin comment or note, or a contact's comment."""
        if not isinstance(payload, Mapping):
            raise parameter_invalid("The request body must be a JSON object")
        kind, sender_type, text = (payload.get(k) for k in ("message_type", "type", "body"))
        if sender_type == "admin":
            if kind not in ("comment", "note"):
                raise parameter_invalid("message_type must be comment or note", "message_type")
            with self.lock:
                self._conversation(conversation_id)
                admin = self._admin(_admin_id(payload.get("admin_id")))
            writer = records.author("admin", admin["id"], admin["name"], admin["email"])
        elif sender_type == "user":
            if kind != "comment":
                raise parameter_invalid("message_type must be comment", "message_type")
            with self.lock:
                self._conversation(conversation_id)
                person = self._find_replying_contact(payload)
            writer = records.author(person["role"], person["id"], person["name"], person["email"])
        else:
            raise parameter_invalid("type must be admin or user", "type")
        if not isinstance(text, str) or not text:
            raise ApiError(400, "parameter_not_found", "Body is a required parameter.", "body")

        def add(conv: dict[str, Any], now: int) -> dict[str, Any]:
            stats = conv["statistics"]
            if sender_type == "admin":
                mates = conv["teammates"]["teammates"]
                if all(m["id"] != writer["id"] for m in mates):
                    mates.append({"type": "admin", "id": writer["id"]})
                if kind == "comment":
                    stats["first_admin_reply_at"] = stats["first_admin_reply_at"] or now
                    stats["last_admin_reply_at"] = now
                    conv["waiting_since"] = None
            else:
                stats["last_contact_reply_at"] = now
                stats["first_contact_reply_at"] = stats["first_contact_reply_at"] or now
                conv["waiting_since"] = now
                if conv["state"] != "open":
                    _reopen(conv)
            return records.conversation_part(
                part_id="", part_type=kind, created_at=now, body=text, part_author=writer
            )

        return self._change_conversation(conversation_id, add)

    def _find_replying_contact(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        if payload.get("intercom_user_id"):
            return self._live_contact(payload["intercom_user_id"])[1]
        for key, column in (("user_id", "external_id"), ("email", "email")):
            if payload.get(key):
                row = self.store.conn.execute(
                    f"SELECT id FROM contacts WHERE live = 1 AND"
                    f" json_extract(body, '$.{column}') = ?",
                    (payload[key],),
                ).fetchone()
                if row is None:
                    raise contact_not_found()
                return self._live_contact(row[0])[1]
        raise parameter_invalid("intercom_user_id, user_id or email is required", "type")

    def update_conversation(self, conversation_id: str, changes: Any) -> dict[str, Any]:
        """PUT /conversations/{id}: `read` and `custom_attributes` (merged per key)."""
        if not isinstance(changes, Mapping):
            raise parameter_invalid("The request body must be a JSON object")
        read = changes.get("read")
        if read is not None and not isinstance(read, bool):
            raise parameter_invalid("read must be a boolean", "read")
        attributes = changes.get("custom_attributes")
        with self.lock:
            self._conversation(conversation_id)
            if attributes is not None:
                self._check_attributes("conversation", attributes)

        def update(conv: dict[str, Any], now: int) -> None:
            if read is not None:
                conv["read"] = read
            if attributes:
                conv["custom_attributes"] = conv["custom_attributes"] | dict(attributes)

        return self._change_conversation(conversation_id, update)

    def set_conversation_attributes_raw(
        self, conversation_id: str, values: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Emulator-only: set conversation custom attributes without checks (dirty data)."""

        def update(conv: dict[str, Any], now: int) -> None:
            conv["custom_attributes"] = conv["custom_attributes"] | dict(values)

        return self._change_conversation(conversation_id, update)

    def simulate_day(self, share: float, seed: int = 0) -> dict[str, Any]:
        """Emulator-only: a day of activity on `share` of the conversations, picked by `seed`.
        An open or snoozed one is closed by its assignee (else the workspace's admin); a closed
        one gets an admin note, which changes it (parts, `updated_at`) but not its state.
        Answers how many of each, and the ids changed."""
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 < share <= 1:
            raise parameter_invalid("share must be a number above 0 and at most 1", "share")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise parameter_invalid("seed must be an integer", "seed")
        with self.lock:
            rows = self.store.conn.execute(
                "SELECT id, json_extract(body, '$.state'),"
                " json_extract(body, '$.admin_assignee_id') FROM conversations ORDER BY rowid"
            ).fetchall()
        admins = self._admins_by_id()
        picked = random.Random(seed).sample(rows, max(1, round(len(rows) * share)))
        closed = noted = 0
        for conversation_id, state, assignee in picked:
            admin = str(assignee) if assignee is not None and str(assignee) in admins else None
            if state == "closed":
                author = admin or self.workspace["me_admin_id"]
                note = {"message_type": "note", "type": "admin", "body": "Day's follow-up"}
                self.reply(conversation_id, note | {"admin_id": author})
                noted += 1
            else:
                self.close_conversation(conversation_id, admin)
                closed += 1
        return {
            "changed": len(picked),
            "closed": closed,
            "noted": noted,
            "conversation_ids": sorted(row[0] for row in picked),
        }

    # ========================================================== ground truth
    GROUND_TRUTH_STREAMS = (
        "contacts",
        "conversations",
        "admins",
        "teams",
        "data_attributes",
        "deleted_contacts",
        "merged_contacts",
        "manifest",
    )

    def iter_ground_truth(self, stream: str, batch: int = 5000) -> Iterator[dict[str, Any]]:
        """The records a perfect ingest would hold now, a stream at a time, in small batches
        (the lock is taken per batch so a running server keeps answering)."""
        if stream not in self.GROUND_TRUTH_STREAMS:
            raise parameter_invalid(
                f"stream must be one of {', '.join(self.GROUND_TRUTH_STREAMS)}", "stream"
            )
        if stream in ("admins", "teams"):
            yield from self.admins()["admins"] if stream == "admins" else self.teams()["teams"]
            return
        if stream == "data_attributes":
            yield from self.data_attributes()["data"]
            return
        if stream == "manifest":
            with self.lock:  # never yield while holding the lock: a consumer may switch threads
                manifest = self.store.meta_json("manifest", {})
            yield manifest
            return
        table, where, columns = {
            "contacts": ("contacts", "live = 1", "body"),
            "conversations": ("conversations", "1", "body"),
            "deleted_contacts": ("contacts", "live = 0", "id, external_id"),
            "merged_contacts": ("contacts", "live = -1", "id, external_id, merged_into"),
        }[stream]
        last = 0
        while True:
            with self.lock:
                rows = self.store.conn.execute(
                    f"SELECT rowid, {columns} FROM {table} WHERE {where} AND rowid > ?"
                    " ORDER BY rowid LIMIT ?",
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            last = rows[-1][0]
            for row in rows:
                if columns == "body":
                    yield orjson.loads(row[1])
                elif len(row) == 3:
                    yield {"id": row[1], "external_id": row[2]}
                else:
                    yield {"id": row[1], "external_id": row[2], "merged_into": row[3]}

    def ground_truth(self) -> dict[str, Any]:
        """Everything at once: fine for tiny to small workspaces; stream larger ones."""
        truth = {s: list(self.iter_ground_truth(s)) for s in self.GROUND_TRUTH_STREAMS}
        truth["manifest"] = truth["manifest"][0]
        return truth

    def counts(self) -> dict[str, int]:
        with self.lock:
            conn = self.store.conn
            return {
                "contacts": conn.execute("SELECT count(*) FROM contacts WHERE live = 1").fetchone()[
                    0
                ],
                "conversations": conn.execute("SELECT count(*) FROM conversations").fetchone()[0],
                "admins": conn.execute("SELECT count(*) FROM admins").fetchone()[0],
                "teams": conn.execute("SELECT count(*) FROM teams").fetchone()[0],
            }

    def reset(self) -> None:
        with self.lock:
            self.store.reset()
            self.workspace = self.store.meta_json("workspace", {})
            self._id_counter = 0
            self._count_cache.clear()
            self._types_cache.clear()

    def set_index_lag(self, seconds: float) -> None:
        with self.lock:
            self.index_lag_seconds = seconds
            if seconds <= 0:
                self.store.flush_all()


# ====================================================== conversation states
def _close(conv: dict[str, Any], admin_id: str, at: int) -> None:
    stats = conv["statistics"]
    stats["first_close_at"] = stats["first_close_at"] or at
    stats["time_to_first_close"] = stats["first_close_at"] - conv["created_at"]
    stats["last_close_at"] = at
    stats["time_to_last_close"] = at - conv["created_at"]
    stats["last_closed_by_id"] = admin_id
    conv.update(state="closed", open=False, snoozed_until=None, waiting_since=None)
    mates = conv["teammates"]["teammates"]
    if all(m["id"] != admin_id for m in mates):
        mates.append({"type": "admin", "id": admin_id})


def _reopen(conv: dict[str, Any]) -> None:
    if conv["state"] == "closed":
        conv["statistics"]["count_reopens"] += 1
    conv.update(state="open", open=True, snoozed_until=None)


def _snooze(conv: dict[str, Any], until: int) -> None:
    conv.update(state="snoozed", open=True, snoozed_until=until)
