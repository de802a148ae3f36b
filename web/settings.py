"""The web app's settings: where and how it listens, and when the home page warns about stale
data."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from access.guards import is_loopback, parse_proxies
from warehouse.errors import ConfigError, UsageError, shown
from web.transport import Transport

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


@dataclass(frozen=True)
class Listen:
    """Where and how `coach serve` listens, as its options give it."""

    host: str = "127.0.0.1"
    port: int = 8000
    tls_cert: Path | None = None
    tls_key: Path | None = None
    proxies: tuple[str, ...] = ()
    auth: str = "password"  # or "proxy": a listed proxy names the user
    auth_header: str = "X-Forwarded-User"


def transport_for(listen: Listen) -> Transport:
    """The checked transport of `listen`: loopback, TLS, or listed proxies; a mistake is one line.

    A non-loopback address over plain HTTP would send passwords and health data in clear text,
    so it is refused unless the connections come from proxies named by --behind-proxy (which
    then terminate TLS)."""
    if (listen.tls_cert is None) != (listen.tls_key is None):
        raise UsageError("--tls-cert and --tls-key go together: give both or neither.")
    for option, path in (("--tls-cert", listen.tls_cert), ("--tls-key", listen.tls_key)):
        if path is not None and not path.is_file():
            raise UsageError(f"{option}: no such file {shown(str(path))}.")
    proxies = parse_proxies(listen.proxies)
    tls = listen.tls_cert is not None
    if not tls and not proxies and not is_loopback(listen.host):
        raise UsageError(
            f"--host {shown(listen.host)} is not a loopback address: serve it over HTTPS "
            "(--tls-cert and --tls-key) or name the proxies in front of it (--behind-proxy)."
        )
    if listen.auth == "proxy":
        if not proxies:
            raise UsageError(
                "--auth proxy trusts a user name set by a proxy: name the proxy's addresses "
                "with --behind-proxy."
            )
        header = listen.auth_header.strip()
        if not header or not all(c.isalnum() or c == "-" for c in header):
            raise UsageError(f"--auth-header must be a header name, got {shown(header)}.")
        return Transport(tls=tls, proxies=proxies, user_header=header)
    return Transport(tls=tls, proxies=proxies)
