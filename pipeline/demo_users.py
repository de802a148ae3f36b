"""The demo's log-ins: an admin and a viewer limited to one employer, with new random passwords
at each demo, so a new user can open the web app and see a scope at work."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from access.service import warehouse_users
from warehouse.readers import open_snapshot
from warehouse.store import WarehousePaths

ADMIN, VIEWER = "demo-admin", "demo-viewer"


@dataclass(frozen=True)
class DemoLogin:
    name: str
    password: str
    sees: str


def _largest_employer(paths: WarehousePaths) -> str:
    with open_snapshot(paths) as con:
        row = con.execute(
            "select employer from members where employer is not null "
            "group by employer order by count(*) desc, employer limit 1"
        ).fetchone()
    if row is None:
        raise RuntimeError("the demo workspace has no employer")
    return row[0]


def create_demo_users(paths: WarehousePaths) -> list[DemoLogin]:
    """(Re)create the two demo users in the demo warehouse's access store."""
    users = warehouse_users(paths.published)
    employer = _largest_employer(paths)
    logins = []
    for name, role, employers, sees in (
        (ADMIN, "admin", (), "every member and the write-back page"),
        (VIEWER, "viewer", (employer,), f"the members employed by {employer} only"),
    ):
        if users.find(name) is not None:
            users.remove(name)
        password = secrets.token_urlsafe(12)
        users.add(name, role, password, employers)
        logins.append(DemoLogin(name, password, sees))
    return logins
