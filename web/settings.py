"""The web app's settings: where it listens, and when the home page warns about stale data."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass

from warehouse.errors import ConfigError, UsageError

DEFAULT_MAX_INGEST_AGE_HOURS = 24.0


@dataclass(frozen=True)
class WebSettings:
    # The home page warns when the last ingest ended longer ago (or did not complete).
    max_ingest_age_hours: float = DEFAULT_MAX_INGEST_AGE_HOURS


def web_settings(env: Mapping[str, str] | None = None) -> WebSettings:
    env = os.environ if env is None else env
    text = env.get("COACH_SERVE_MAX_INGEST_AGE_HOURS", "").strip()
    if not text:
        return WebSettings()
    try:
        hours = float(text)
    except ValueError:
        hours = -1.0
    if not 0 < hours <= 24 * 366:
        raise ConfigError(
            f"COACH_SERVE_MAX_INGEST_AGE_HOURS must be a number of hours above 0, got {text!r}."
        )
    return WebSettings(max_ingest_age_hours=hours)


def check_loopback(host: str) -> None:
    """Until access control lands (issue 14), the app serves this machine only."""
    if host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise UsageError(
            f"--host {host} is not a loopback address; `coach serve` has no access control yet "
            "and serves this machine only (127.0.0.1, ::1 or localhost)."
        )
