"""The workspace itself: its admin (GET /me), admins, teams and data attributes."""

from __future__ import annotations

import re
from typing import Any

import orjson

from fake_intercom import records
from fake_intercom.errors import ApiError, parameter_invalid
from fake_intercom.models.base import BackendBase

_ATTRIBUTE_NAME = re.compile(r"^[\w\s$€£¥\-]+$")
DATA_TYPES = ("string", "integer", "float", "boolean", "date", "datetime")
DATA_ATTRIBUTE_MODELS = ("contact", "company", "conversation")
_MODEL_WORDS = {"contact": "people", "company": "company"}


class WorkspaceMixin(BackendBase):
    def me(self) -> dict[str, Any]:
        """The admin who owns the access token, with the workspace (app) it belongs to."""
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

    def admins(self) -> list[dict[str, Any]]:
        return self._bodies("SELECT body FROM admins ORDER BY rowid")

    def teams(self) -> list[dict[str, Any]]:
        return self._bodies("SELECT body FROM teams ORDER BY rowid")

    def data_attributes(self, model: str | None = None) -> list[dict[str, Any]]:
        """Every data attribute, or those of one model (contact, company, conversation)."""
        if model is not None and model not in DATA_ATTRIBUTE_MODELS:
            raise parameter_invalid(
                "model must be one of contact, company or conversation", "model"
            )
        if model:
            return self._bodies(
                "SELECT body FROM data_attributes WHERE model = ? ORDER BY rowid", (model,)
            )
        return self._bodies("SELECT body FROM data_attributes ORDER BY rowid")

    def _bodies(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        with self.lock:
            rows = self.store.conn.execute(sql, params).fetchall()
        return [orjson.loads(r[0]) for r in rows]

    def create_data_attribute(
        self,
        *,
        name: str,
        model: str,
        data_type: str,
        description: str = "",
        options: list[str] | None = None,
        messenger_writable: bool = False,
    ) -> dict[str, Any]:
        """POST /data_attributes: a custom attribute of contacts or companies."""
        if not name:
            raise ApiError(400, "parameter_not_found", "Name is a required parameter.", "name")
        if not _ATTRIBUTE_NAME.match(name) or "." in name:
            raise parameter_invalid(
                "Your name for this attribute must only contain alphanumeric characters, "
                "currency symbols, and hyphens",
                "name",
            )
        if model not in _MODEL_WORDS:
            raise parameter_invalid(
                "The Data Attribute model field must be either contact or company", "model"
            )
        if data_type not in DATA_TYPES:
            raise parameter_invalid("Data Type isn't an option", "data_type")
        with self.lock:
            existing = self.store.conn.execute(
                "SELECT model FROM data_attributes WHERE name = ? AND model IN"
                " ('contact', 'company')",
                (name,),
            ).fetchone()
            if existing:
                raise parameter_invalid(
                    f"You already have '{name}' in your {_MODEL_WORDS[existing[0]]} data. "
                    f"To save this as new {_MODEL_WORDS[model]} data, use a different name.",
                    "name",
                )
            next_id = self.store.conn.execute(
                "SELECT coalesce(max(json_extract(body, '$.id')), 0) + 1 FROM data_attributes"
            ).fetchone()[0]
            body = records.data_attribute(
                model=model,
                name=name,
                data_type="date" if data_type == "datetime" else data_type,
                description=description,
                custom=True,
                attribute_id=next_id,
                options=options,
                messenger_writable=messenger_writable,
                created_at=self._stamp(),
                admin_id=self.workspace["me_admin_id"],
            )
            self.store.insert_data_attribute(body)
            self._types_cache.clear()
        return body
