"""`coach doctor`: is the configuration good enough to run the product against this workspace?

Checks the token and host (`GET /me`), the API version, and that every data attribute the
product reads or writes (the dbt seed `intercom_attributes.csv`) exists with the right type;
and, from the warehouse's run log, whether the recent ingest runs succeeded (`ingest_runs`).
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from intercom.client import IntercomClient
from intercom.endpoints import DATA_ATTRIBUTE_REQUESTS, DATA_ATTRIBUTES_KEY
from intercom.pages import keeping
from intercom.preflight import Workspace, attribute_problems, identify
from warehouse.attributes import required_attributes
from warehouse.config import SUPPORTED_API_VERSIONS, IntercomSettings
from warehouse.errors import CoachError
from warehouse.run_log import refresh_health
from warehouse.store import WarehousePaths, latest_for_reading


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    checked: bool = True

    @property
    def verdict(self) -> str:
        return "ok" if self.ok else ("FAILED" if self.checked else "not checked")


async def whoami(
    settings: IntercomSettings, transport: httpx.AsyncBaseTransport | None = None
) -> Workspace:
    async with IntercomClient(settings, transport=transport, max_in_flight=2) as client:
        return await identify(client)


async def diagnose(
    settings: IntercomSettings, transport: httpx.AsyncBaseTransport | None = None
) -> list[Check]:
    try:
        settings.require_token()
    except CoachError as exc:
        return [Check("access token", False, str(exc))]
    version = f"Intercom-Version {settings.version} at {settings.api_base}"
    checks = [Check("API version", settings.version in SUPPORTED_API_VERSIONS, version)]
    async with IntercomClient(settings, transport=transport, max_in_flight=2) as client:
        try:
            workspace = await identify(client)
        except CoachError as exc:
            # Nothing answered as Intercom: the version cannot be said to work.
            unanswered = Check("API version", False, f"{version}: no answer to check", False)
            return [Check("access token", False, str(exc)), unanswered]
        checks.insert(
            0,
            Check(
                "access token",
                True,
                f"accepted for workspace {workspace.name!r} ({workspace.app_id}), "
                f"time zone {workspace.timezone or 'unknown'}",
            ),
        )
        definitions = []
        for path, params in DATA_ATTRIBUTE_REQUESTS:
            try:
                page = await client.get(
                    path, params=params, decode=keeping(DATA_ATTRIBUTES_KEY, path)
                )
            except CoachError as exc:
                return [*checks, Check(f"{path}?model={params['model']}", False, str(exc))]
            definitions.extend(page.records or [])
    for need in required_attributes():
        problems = attribute_problems(definitions, [need])
        role = "written by the product" if need.maintained else "read by the product"
        checks.append(
            Check(
                f"{need.model} attribute {need.name!r}",
                not problems,
                problems[0] if problems else f"{need.data_type}, {role}",
            )
        )
    return checks


def ingest_runs(paths: WarehousePaths) -> Check:
    """Whether the latest ingest run succeeded, else how many in a row failed and since when.
    Read from the working file, which also holds the runs that failed (they publish nothing),
    unless a command is writing it."""
    with latest_for_reading(paths) as con:
        if con is None:
            return Check("ingest runs", True, f"no warehouse at {paths.published} yet")
        ok, detail = refresh_health(con)
    return Check("ingest runs", ok, detail)
