"""Configuration in one place: every setting, its environment variable, default and validation."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from warehouse.errors import ConfigError

DEFAULT_API_BASE = "https://api.intercom.io"
DEFAULT_API_VERSION = "2.11"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
SUPPORTED_API_VERSIONS = ("2.11",)


class Secret:
    """A string that never prints itself: repr, str and f-strings show a mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('****')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class IntercomSettings:
    token: Secret | None
    api_base: str
    version: str

    def require_token(self) -> Secret:
        if self.token is None or not self.token.reveal().strip():
            raise ConfigError(
                "No Intercom access token: set INTERCOM_ACCESS_TOKEN "
                "(or run `make demo`, which uses the built-in fake Intercom)."
            )
        return self.token


def intercom_settings(env: Mapping[str, str] | None = None) -> IntercomSettings:
    env = os.environ if env is None else env
    token = env.get("INTERCOM_ACCESS_TOKEN")
    api_base = (env.get("INTERCOM_API_BASE") or DEFAULT_API_BASE).rstrip("/")
    parts = urlsplit(api_base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(
            f"INTERCOM_API_BASE must be an http(s) URL such as {DEFAULT_API_BASE}, "
            f"got {api_base!r}."
        )
    version = env.get("INTERCOM_VERSION") or DEFAULT_API_VERSION
    if version not in SUPPORTED_API_VERSIONS:
        raise ConfigError(
            f"INTERCOM_VERSION {version!r} is not supported; use one of "
            f"{', '.join(SUPPORTED_API_VERSIONS)}."
        )
    return IntercomSettings(
        token=Secret(token) if token else None, api_base=api_base, version=version
    )


def warehouse_path(option: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The published warehouse: `--warehouse`, else COACH_WAREHOUSE, else data/warehouse.duckdb."""
    env = os.environ if env is None else env
    raw = option or env.get("COACH_WAREHOUSE") or DEFAULT_WAREHOUSE
    path = Path(raw).expanduser()
    if path.exists() and path.is_dir():
        raise ConfigError(f"The warehouse path {raw} is a directory; give a .duckdb file path.")
    return path
