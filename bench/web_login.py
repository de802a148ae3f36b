"""The web benchmark's user: an admin added to the bench warehouse's access store with a new
random password per run, and HTTP clients logged in through the log-in form as a browser is."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import httpx

from access.service import warehouse_users

BENCH_USER = "bench-admin"


def bench_user(warehouse: Path) -> str:
    """(Re)create the bench admin; returns its password."""
    users = warehouse_users(warehouse)
    if users.find(BENCH_USER) is not None:
        users.remove(BENCH_USER)
    password = secrets.token_urlsafe(18)
    users.add(BENCH_USER, "admin", password)
    return password


@contextlib.contextmanager
def logged_in(base: str, password: str, timeout: float = 60) -> Iterator[httpx.Client]:
    """A client with a session of the bench admin."""
    with httpx.Client(base_url=base, timeout=timeout, follow_redirects=True) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        if token is None:
            raise SystemExit(f"No log-in form at {base}/login ({form.status_code})")
        response = client.post(
            "/login",
            data={"name": BENCH_USER, "password": password, "csrf": token.group(1)},
            headers={"origin": base},
        )
        if response.status_code != 200 or "/login" in str(response.url):
            raise SystemExit(f"The bench user could not log in at {base} ({response.status_code})")
        yield client
