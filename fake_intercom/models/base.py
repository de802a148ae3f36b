"""What every part of the backend shares: the store and its lock, the clock that stamps writes,
the index lag, and lookups (live contacts, conversations, admins, declared attributes) that
raise Intercom's errors."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from fake_intercom.errors import ApiError, contact_not_found, parameter_invalid, resource_not_found
from fake_intercom.history import history_parts
from fake_intercom.search import has_word
from fake_intercom.store import Store

STRING_VALUE_MAX = 255


class BackendBase:
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

    @property
    def lock(self) -> threading.RLock:
        return self.store.lock

    # ---------------------------------------------------------------- state
    def reset(self) -> None:
        """Back to the generated workspace (the store restores its saved originals)."""
        with self.lock:
            self.store.reset()
            self.workspace = self.store.meta_json("workspace", {})
            self._id_counter = 0
            self._count_cache.clear()
            self._types_cache.clear()

    def set_index_lag(self, seconds: float) -> None:
        """Writes become visible to search `seconds` later (0: at once, and now everything)."""
        with self.lock:
            self.index_lag_seconds = seconds
            if seconds <= 0:
                self.store.flush_all()

    # --------------------------------------------------------------- writes
    def _stamp(self, previous: int = 0) -> int:
        """The clock's current second, never before `previous` (updated_at never goes back)."""
        return max(int(self.clock()), previous)

    def _write(self, table: str, rowid: int, body: dict[str, Any]) -> None:
        self.store.update_body(table, rowid, body, self.clock(), self.index_lag_seconds)

    def _new_contact_id(self, created_at: int) -> str:
        while True:
            self._id_counter += 1
            tail = hashlib.blake2b(
                f"{self.seed}:{self._id_counter}".encode(), digest_size=8
            ).hexdigest()
            candidate = f"{created_at & 0xFFFFFFFF:08x}{tail}"
            if self.store.contact_row(candidate) is None:
                return candidate

    # -------------------------------------------------------------- lookups
    def _live_contact(self, contact_id: Any) -> tuple[int, dict[str, Any]]:
        """(rowid, body) of a contact that is neither deleted nor merged away, else a 404."""
        if not isinstance(contact_id, str):
            raise contact_not_found()
        row = self.store.contact_row(contact_id)
        if row is None or row[1] != 1:
            raise contact_not_found()
        return row[0], orjson.loads(row[2])

    def _conversation(self, conversation_id: Any) -> tuple[int, dict[str, Any], list[dict]]:
        """(rowid, body, parts added through the API), else a 404."""
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

    # ----------------------------------------------------- custom attributes
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


def _check_value(name: str, data_type: str, value: Any, what: str) -> None:
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
