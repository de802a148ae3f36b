"""Checks made before reading anything: whose workspace the token opens, and whether it has the
data attributes the product needs. Each failure is one sentence (`ConfigError`, exit code 2)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from intercom.client import CallStats, IntercomClient
from intercom.errors import IntercomNotFound, IntercomUnavailable
from intercom.retry import RetryPolicy
from warehouse.attributes import RequiredAttribute
from warehouse.errors import ConfigError

# A wrong host should fail in seconds, not after a full run's patience.
PREFLIGHT_RETRY = RetryPolicy(max_attempts=3, backoff_initial=0.25, backoff_max=1.0)


@dataclass(frozen=True)
class Workspace:
    app_id: str
    name: str | None
    timezone: str | None
    admin_email: str | None

    @property
    def zone(self) -> ZoneInfo:
        """The zone Intercom counts contact-search days in (UTC when unknown)."""
        try:
            return ZoneInfo(self.timezone or "UTC")
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo("UTC")


async def identify(client: IntercomClient, stats: CallStats | None = None) -> Workspace:
    """`GET /me`: proves the host is Intercom's API and the token is accepted."""
    try:
        me = await client.request("GET", "/me", stats=stats, retry=PREFLIGHT_RETRY)
    except IntercomNotFound:
        raise ConfigError(
            f"{client.api_base}/me does not exist: INTERCOM_API_BASE is not an Intercom REST API "
            "host (https://api.intercom.io, https://api.eu.intercom.io or "
            "https://api.au.intercom.io)."
        ) from None
    except IntercomUnavailable as exc:
        if getattr(exc, "unreachable", False):
            raise ConfigError(
                f"Cannot reach Intercom at {client.api_base}; check INTERCOM_API_BASE and the "
                "network."
            ) from None
        raise
    app = me.get("app") if isinstance(me, Mapping) else None
    if not isinstance(app, Mapping) or not app.get("id_code"):
        raise ConfigError(
            f"{client.api_base}/me did not describe an Intercom workspace; check INTERCOM_API_BASE."
        )
    return Workspace(
        app_id=str(app["id_code"]),
        name=app.get("name"),
        timezone=app.get("timezone"),
        admin_email=me.get("email"),
    )


def attribute_problems(
    definitions: Iterable[Mapping[str, Any]], required: Iterable[RequiredAttribute]
) -> list[str]:
    """One sentence per required attribute that the workspace lacks or types differently."""
    declared = {
        (d.get("model"), d.get("name")): d
        for d in definitions
        if isinstance(d, Mapping) and not d.get("archived")
    }
    problems = []
    for need in required:
        found = declared.get((need.model, need.name))
        if found is None:
            problems.append(
                f"The Intercom workspace has no {need.model} attribute {need.name!r} "
                f"({need.data_type}); create it in Intercom's settings."
            )
        elif found.get("data_type") != need.data_type:
            problems.append(
                f"The Intercom {need.model} attribute {need.name!r} is a "
                f"{found.get('data_type')}, but the product needs a {need.data_type}."
            )
    return problems
