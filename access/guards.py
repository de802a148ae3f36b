"""What protects state-changing requests and the transport, independent of any web framework:
CSRF tokens bound to a session, the Origin check, and which addresses count as trusted proxies.

* A form of a logged-in user carries `csrf_token(secret, session)`, an HMAC of the session's
  reference under the store's secret; the log-in form, before any session, carries a random
  value that must equal the one in its own short-lived cookie (double submit).
* Every POST must come from the app's own origin: its `Origin` header (or, without one, the
  browser's `Sec-Fetch-Site`, or its `Referer`) must name the scheme, host and port the app is
  served at.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Iterable
from urllib.parse import urlsplit

from warehouse.errors import UsageError, shown

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def new_secret() -> str:
    return secrets.token_hex(32)


def csrf_token(secret: str, session_reference: str) -> str:
    return hmac.new(secret.encode(), session_reference.encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: str, session_reference: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(secret, session_reference), given or "")


def same_value(cookie: str | None, given: str | None) -> bool:
    """The double-submit check of the log-in form."""
    return bool(cookie) and bool(given) and hmac.compare_digest(cookie or "", given or "")


def origin_ok(
    origin: str | None, referer: str | None, expected: str, fetch_site: str | None = None
) -> bool:
    """Whether a POST comes from `expected` (scheme://host[:port]): by its Origin; else, when the
    browser withheld the origin (it sends `Origin: null` under `Referrer-Policy: no-referrer`,
    which this app sets), by `Sec-Fetch-Site: same-origin`, a header no page can forge; else by
    its Referer. Nothing to go by is a refusal."""
    if origin and origin != "null":
        return _origin(origin) == expected.lower()
    if fetch_site is not None:
        return fetch_site.strip().lower() == "same-origin"
    return bool(referer) and _origin(referer or "") == expected.lower()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """`--behind-proxy` values: addresses or networks (CIDR) of the proxies allowed to connect."""
    networks = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise UsageError(
                    f"--behind-proxy takes IP addresses or networks such as 10.0.0.5 or "
                    f"10.0.0.0/24, got {shown(part)}."
                ) from None
    return tuple(networks)


def address_in(address: str | None, networks: tuple[Network, ...]) -> bool:
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def is_loopback(host: str) -> bool:
    """Whether a bind address is loopback only (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
