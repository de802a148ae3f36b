"""The emulator's realism knobs: all off by default, all changeable while it runs."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fake_intercom.errors import KnobError
from fake_intercom.latency import Latency

__all__ = ["DEFAULT_TOKEN", "FAULT_KINDS", "EmulatorConfig", "KnobError", "parse_fault_kinds"]

FAULT_KINDS = ("500", "502", "503", "timeout", "reset", "truncated", "burst429")
DEFAULT_TOKEN = "demo-token"
# 10,000 calls a minute, Intercom's private-app default, spread over six 10-second windows.
DEFAULT_RATE_LIMIT_PER_10S = 1667


@dataclass(frozen=True)
class EmulatorConfig:
    token: str = DEFAULT_TOKEN
    latency: str = "0"
    rate_limit_per_10s: int = DEFAULT_RATE_LIMIT_PER_10S  # 0 = unlimited
    index_lag_seconds: float = 0.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    fault_seed: int | None = None  # None: the workspace seed
    burst429_length: int = 3
    # How long a `timeout` fault keeps the client waiting on a real socket.
    timeout_hang_seconds: float = 30.0

    def __post_init__(self) -> None:
        if not isinstance(self.token, str) or not self.token:
            raise KnobError("token must be a non-empty string")
        Latency.parse(self.latency)  # validates the spec
        _check_number("rate_limit_per_10s", self.rate_limit_per_10s, integer=True)
        _check_number("index_lag_seconds", self.index_lag_seconds)
        _check_number("fault_rate", self.fault_rate)
        if self.fault_rate > 1:
            raise KnobError("fault_rate must be between 0 and 1")
        kinds = tuple(self.fault_kinds)
        unknown = [k for k in kinds if k not in FAULT_KINDS]
        if unknown or not kinds:
            raise KnobError(
                f"fault kinds must be a non-empty subset of {', '.join(FAULT_KINDS)}; "
                f"got {', '.join(map(str, kinds)) or 'nothing'}"
            )
        object.__setattr__(self, "fault_kinds", kinds)
        if self.fault_seed is not None:
            _check_number("fault_seed", self.fault_seed, integer=True)
        _check_number("burst429_length", self.burst429_length, integer=True)
        if self.burst429_length < 1:
            raise KnobError("burst429_length must be at least 1")
        _check_number("timeout_hang_seconds", self.timeout_hang_seconds)

    def updated(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """A copy with `changes` applied (e.g. from PUT /_emulator/config); unknown keys fail."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise KnobError(
                f"unknown knob(s): {', '.join(unknown)}; known: {', '.join(sorted(names))}"
            )
        values = dict(changes)
        if isinstance(values.get("fault_kinds"), str):
            values["fault_kinds"] = parse_fault_kinds(values["fault_kinds"])
        return dataclasses.replace(self, **values)

    def public(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["fault_kinds"] = list(self.fault_kinds)
        return data


def parse_fault_kinds(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _check_number(name: str, value: Any, *, integer: bool = False) -> None:
    allowed = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, allowed) or value < 0:
        kind = "a non-negative integer" if integer else "a non-negative number"
        raise KnobError(f"{name} must be {kind}, got {value!r}")
