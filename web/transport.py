"""How a request reached the app: the client's address, whether it came over TLS, and the origin
the browser used, trusting `X-Forwarded-*` only from the proxies `--behind-proxy` lists."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.types import Scope

from access.guards import Network, address_in


@dataclass(frozen=True)
class Transport:
    """How `coach serve` is reached: directly (over TLS or on loopback), or through proxies."""

    tls: bool = False
    proxies: tuple[Network, ...] = ()
    # proxy mode: the header in which a listed proxy names the user it has authenticated
    user_header: str | None = None


@dataclass(frozen=True)
class Peer:
    address: str | None  # the client: the connecting address, or what a listed proxy forwarded
    via_proxy: bool  # connected from a listed proxy
    https: bool
    host: str

    @property
    def origin(self) -> str:
        return f"{'https' if self.https else 'http'}://{self.host}".lower()


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _last(value: str | None) -> str | None:
    """The last entry of a comma list: the one the nearest (listed) proxy added."""
    if not value:
        return None
    return value.split(",")[-1].strip() or None


def peer_of(scope: Scope, transport: Transport) -> Peer:
    headers = _headers(scope)
    client = scope.get("client")
    connected = client[0] if client else None
    via_proxy = address_in(connected, transport.proxies)
    https = transport.tls or scope.get("scheme") == "https"
    host = headers.get("host", "")
    address = connected
    if via_proxy:
        address = _last(headers.get("x-forwarded-for")) or connected
        https = (_last(headers.get("x-forwarded-proto")) or "").lower() == "https" or https
        host = _last(headers.get("x-forwarded-host")) or host
    return Peer(address, via_proxy, https, host)


def forwarded_user(scope: Scope, peer: Peer, transport: Transport) -> str | None:
    """The user name a listed proxy set (proxy mode only; None from anyone else)."""
    if transport.user_header is None:
        return None
    if not peer.via_proxy:
        return None
    value = _headers(scope).get(transport.user_header.lower(), "").strip()
    return value or None
