"""Configuration in one place: every setting, its environment variable, default and validation."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from warehouse.errors import ConfigError
from warehouse.secrets import register

DEFAULT_API_BASE = "https://api.intercom.io"
DEFAULT_API_VERSION = "2.11"
DEFAULT_WAREHOUSE = "data/warehouse.duckdb"
# Schemas of the warehouse and DuckDB's own catalogs: not usable as a warehouse file's name.
RESERVED_NAMES = frozenset(
    {"raw", "ingest", "staging", "intermediate", "writeback", "main", "memory", "system", "temp"}
)
SUPPORTED_API_VERSIONS = ("2.11",)


class Secret:
    """A string that never prints itself: repr, str and f-strings show a mask."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register(value)

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


# What an HTTP header can carry: visible ASCII. Intercom's tokens are base64-like.
_TOKEN = re.compile(r"[\x21-\x7e]+")


def _token(raw: str | None) -> Secret | None:
    """The access token without surrounding white space (an env file saved with Windows line
    endings ends it with a carriage return); a character inside it that a header cannot carry is
    refused without echoing the token."""
    if raw is None:
        return None
    register(raw)
    token = raw.strip()
    if not token:
        return None
    if not _TOKEN.fullmatch(token):
        raise ConfigError(
            "INTERCOM_ACCESS_TOKEN holds a space, control or non-ASCII character inside it, "
            "which an HTTP header cannot carry; copy the token again (it is not shown here)."
        )
    return Secret(token)


def intercom_settings(env: Mapping[str, str] | None = None) -> IntercomSettings:
    env = os.environ if env is None else env
    token = _token(env.get("INTERCOM_ACCESS_TOKEN"))
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
    return IntercomSettings(token=token, api_base=api_base, version=version)


def warehouse_path(option: str | None = None, env: Mapping[str, str] | None = None) -> Path:
    """The published warehouse: `--warehouse`, else COACH_WAREHOUSE, else data/warehouse.duckdb."""
    env = os.environ if env is None else env
    raw = option or env.get("COACH_WAREHOUSE") or DEFAULT_WAREHOUSE
    path = Path(raw).expanduser()
    if path.exists() and path.is_dir():
        raise ConfigError(f"The warehouse path {raw} is a directory; give a .duckdb file path.")
    # DuckDB names a database after its file, up to the first dot; a name equal to one of the
    # warehouse's schemas would make `raw.intercom_contacts` and the like ambiguous.
    catalog = path.name.split(".", 1)[0].lower()
    if catalog in RESERVED_NAMES:
        raise ConfigError(
            f"The warehouse file name {path.name} clashes with the schema {catalog!r}; "
            "choose another name, such as warehouse.duckdb."
        )
    return path


@dataclass(frozen=True)
class PostgresSettings:
    """Where `--target postgres` builds: the models' schema and the server holding it."""

    host: str
    port: int
    user: str
    database: str
    schema: str
    password: Secret | None = None

    @property
    def schema_prefix(self) -> str:
        """Prefix of the raw/staging/intermediate schemas: none for the default `public`, so a
        named schema (a test, a second program) never shares them with another warehouse."""
        return "" if self.schema == DEFAULT_PG_SCHEMA else f"{self.schema}_"

    @property
    def raw_schema(self) -> str:
        return f"{self.schema_prefix}raw"

    def dbt_env(self) -> dict[str, str]:
        env = {
            "COACH_PG_HOST": self.host,
            "COACH_PG_PORT": str(self.port),
            "COACH_PG_USER": self.user,
            "COACH_PG_DATABASE": self.database,
            "COACH_PG_SCHEMA": self.schema,
        }
        if self.password is not None:
            env["COACH_PG_PASSWORD"] = self.password.reveal()
        return env


DEFAULT_PG_SCHEMA = "public"
_PG_SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,40}")


def postgres_settings(env: Mapping[str, str] | None = None) -> PostgresSettings:
    env = os.environ if env is None else env
    port_text = env.get("COACH_PG_PORT") or "5432"
    if not port_text.isdigit():
        raise ConfigError(f"COACH_PG_PORT must be a port number, got {port_text!r}.")
    schema = env.get("COACH_PG_SCHEMA") or DEFAULT_PG_SCHEMA
    if not _PG_SCHEMA_NAME.fullmatch(schema):
        raise ConfigError(
            f"COACH_PG_SCHEMA must be a lower-case identifier (letters, digits, _), got {schema!r}."
        )
    password = env.get("COACH_PG_PASSWORD")
    return PostgresSettings(
        host=env.get("COACH_PG_HOST") or "127.0.0.1",
        port=int(port_text),
        user=env.get("COACH_PG_USER") or "postgres",
        database=env.get("COACH_PG_DATABASE") or "test",
        schema=schema,
        password=Secret(password) if password else None,
    )


DEFAULT_OVERLAP_SECONDS = 600
DEFAULT_CONCURRENCY = 32
DEFAULT_BATCH_RECORDS = 2000
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_ATTEMPTS = 8
MAX_PAGE_SIZE = 150  # Intercom's cap on per_page
# DuckDB's memory cap during ingest; beyond it DuckDB spills to temporary files. Landing needs
# a bounded amount whatever the table's size (bench/landing_memory.py measures it).
DEFAULT_INGEST_MEMORY_LIMIT = "256MB"
_MEMORY_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)


@dataclass(frozen=True)
class IngestSettings:
    """How ingest reads Intercom. Every knob has an environment variable (see the README)."""

    overlap_seconds: int = DEFAULT_OVERLAP_SECONDS
    concurrency: int = DEFAULT_CONCURRENCY
    batch_records: int = DEFAULT_BATCH_RECORDS
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    page_size: int = MAX_PAGE_SIZE
    memory_limit: str = DEFAULT_INGEST_MEMORY_LIMIT


def memory_size(env: Mapping[str, str], name: str, default: str) -> str:
    """A DuckDB memory size such as `256MB` or `1.5GiB` (at least 1 MB), as DuckDB spells it."""
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    match = _MEMORY_SIZE.fullmatch(raw)
    units = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 2**10, "mib": 2**20}
    units |= {"gib": 2**30, "tib": 2**40}
    if match is None or float(match[1]) * units[match[2].lower()] < 1e6:
        raise ConfigError(
            f"{name} must be a size such as 256MB or 1GB (at least 1MB), got {raw!r}."
        )
    return f"{match[1]}{match[2]}"


def _number(env: Mapping[str, str], name: str, default: float, kind: type, low: float, high: float):
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ConfigError(f"{name} must be a number from {low:g} to {high:g}, got {raw!r}.")
    return value


def ingest_settings(env: Mapping[str, str] | None = None) -> IngestSettings:
    env = os.environ if env is None else env
    return IngestSettings(
        overlap_seconds=_number(
            env, "COACH_INGEST_OVERLAP_SECONDS", DEFAULT_OVERLAP_SECONDS, int, 0, 7 * 86400
        ),
        concurrency=_number(env, "COACH_INGEST_CONCURRENCY", DEFAULT_CONCURRENCY, int, 1, 256),
        batch_records=_number(
            env, "COACH_INGEST_BATCH_RECORDS", DEFAULT_BATCH_RECORDS, int, 1, 100_000
        ),
        timeout_seconds=_number(
            env, "COACH_HTTP_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS, float, 0.1, 600
        ),
        max_attempts=_number(env, "COACH_HTTP_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS, int, 1, 50),
        page_size=_number(env, "COACH_INGEST_PAGE_SIZE", MAX_PAGE_SIZE, int, 1, MAX_PAGE_SIZE),
        memory_limit=memory_size(env, "COACH_INGEST_MEMORY_LIMIT", DEFAULT_INGEST_MEMORY_LIMIT),
    )


DEFAULT_WRITEBACK_MAX_INGEST_AGE_HOURS = 24.0
DEFAULT_WRITEBACK_MAX_SHARE_PERCENT = 20.0
DEFAULT_WRITEBACK_CONCURRENCY = 32


@dataclass(frozen=True)
class WritebackSettings:
    """`coach writeback`'s guard-rail thresholds and pacing (flags override the environment)."""

    max_ingest_age_hours: float = DEFAULT_WRITEBACK_MAX_INGEST_AGE_HOURS
    max_share_percent: float = DEFAULT_WRITEBACK_MAX_SHARE_PERCENT
    max_attribute_share_percent: float = DEFAULT_WRITEBACK_MAX_SHARE_PERCENT
    concurrency: int = DEFAULT_WRITEBACK_CONCURRENCY


def writeback_settings(env: Mapping[str, str] | None = None) -> WritebackSettings:
    env = os.environ if env is None else env
    return WritebackSettings(
        max_ingest_age_hours=_number(
            env,
            "COACH_WRITEBACK_MAX_INGEST_AGE_HOURS",
            DEFAULT_WRITEBACK_MAX_INGEST_AGE_HOURS,
            float,
            0,
            24 * 366,
        ),
        max_share_percent=_number(
            env,
            "COACH_WRITEBACK_MAX_SHARE_PERCENT",
            DEFAULT_WRITEBACK_MAX_SHARE_PERCENT,
            float,
            0,
            100,
        ),
        max_attribute_share_percent=_number(
            env,
            "COACH_WRITEBACK_MAX_ATTRIBUTE_SHARE_PERCENT",
            DEFAULT_WRITEBACK_MAX_SHARE_PERCENT,
            float,
            0,
            100,
        ),
        concurrency=_number(
            env, "COACH_WRITEBACK_CONCURRENCY", DEFAULT_WRITEBACK_CONCURRENCY, int, 1, 256
        ),
    )
