"""`coach emulator serve`: a generated fake workspace on HTTP until interrupted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fake_intercom import EmulatorConfig, FakeIntercom
from fake_intercom.config import KnobError, parse_fault_kinds
from fake_intercom.server import serve_fake
from warehouse.errors import CoachError, UsageError

# Generated once, then cached on disk: loading says so, since the first time takes minutes.
CACHED_WORKSPACES = ("medium", "large")


@dataclass(frozen=True)
class EmulatorOptions:
    """The knobs given on the command line; None keeps the fake's default."""

    host: str
    port: int
    workspace: str
    seed: int
    token: str | None = None
    now: str | None = None
    latency: str | None = None
    rate_limit: int | None = None
    index_lag: float | None = None
    fault_rate: float | None = None
    fault_kinds: str | None = None
    cache_dir: str | None = None

    def config(self) -> EmulatorConfig:
        knobs: dict[str, Any] = {
            "token": self.token,
            "latency": self.latency,
            "rate_limit_per_10s": self.rate_limit,
            "index_lag_seconds": self.index_lag,
            "fault_rate": self.fault_rate,
        }
        try:
            if self.fault_kinds is not None:
                knobs["fault_kinds"] = parse_fault_kinds(self.fault_kinds)
            return EmulatorConfig(**{k: v for k, v in knobs.items() if v is not None})
        except KnobError as exc:
            raise UsageError(str(exc)) from None


def parse_now(text: str | None) -> datetime | None:
    """`--now`: an ISO date or date-time (UTC when it names no zone)."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"--now must be an ISO date or date-time such as 2026-06-15, got {text!r}."
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def serve_emulator(options: EmulatorOptions, echo: Callable[..., None]) -> None:
    now = parse_now(options.now)
    config = options.config()
    if options.workspace in CACHED_WORKSPACES:
        echo(
            f"Loading the {options.workspace} workspace (generated once, then cached)...", err=True
        )
    with FakeIntercom.create(
        options.workspace, options.seed, now, config, cache=options.cache_dir
    ) as fake:
        try:
            serve_fake(fake, options.host, options.port, echo)
        except KeyboardInterrupt:  # Ctrl-C is how it is meant to stop
            pass
        except OSError as exc:
            raise CoachError(
                f"Cannot listen on {options.host}:{options.port}: {exc.strerror or exc}."
            ) from None
        # Also when uvicorn ended on the signal without raising it again (seen under load).
        echo("Fake Intercom stopped.", err=True)
