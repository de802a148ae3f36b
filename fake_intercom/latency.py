"""Per-request latency: a fixed delay or a distribution, parsed from a short spec string.

Specs: `0` (none), `150ms`, `0.2s`, `uniform:100ms:200ms`, `lognormal:150ms:40ms` (median and
standard deviation of the delay; the log-space sigma is derived from them).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from statistics import NormalDist

from fake_intercom.errors import KnobError

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


def parse_duration(text: str) -> float:
    """`150ms` / `0.15s` / `0.15` (seconds) to seconds."""
    match = _DURATION.match(text)
    if not match:
        raise KnobError(f"not a duration: {text!r} (use e.g. 150ms or 0.15s)")
    value = float(match.group(1))
    return value / 1000 if match.group(2) == "ms" else value


@dataclass(frozen=True)
class Latency:
    kind: str  # "none" | "fixed" | "uniform" | "lognormal"
    a: float = 0.0
    b: float = 0.0
    spec: str = "0"

    @classmethod
    def parse(cls, spec: str | float | None) -> Latency:
        if spec is None:
            return cls("none")
        if isinstance(spec, int | float):
            spec = f"{float(spec)}s"
        text = spec.strip()
        if text in ("", "0", "none", "off"):
            return cls("none", spec="0")
        kind, _, rest = text.partition(":")
        if not rest:
            seconds = parse_duration(text)
            return cls("fixed" if seconds > 0 else "none", seconds, spec=text)
        parts = rest.split(":")
        if kind not in ("uniform", "lognormal") or len(parts) != 2:
            raise KnobError(
                f"latency {text!r}: use 150ms, uniform:100ms:200ms or lognormal:150ms:40ms"
            )
        a, b = (parse_duration(p) for p in parts)
        if kind == "uniform" and b < a:
            raise KnobError(f"latency {text!r}: the upper bound is below the lower bound")
        if kind == "lognormal" and a <= 0:
            raise KnobError(f"latency {text!r}: the median must be positive")
        return cls(kind, a, b, spec=text)

    def sample(self, u: float) -> float:
        """The delay for a uniform draw `u` in (0, 1): deterministic given the draw."""
        if self.kind == "none":
            return 0.0
        if self.kind == "fixed":
            return self.a
        if self.kind == "uniform":
            return self.a + (self.b - self.a) * u
        # lognormal with median a; sigma chosen so the standard deviation is about b
        median, spread = self.a, self.b
        sigma = math.sqrt(math.log(0.5 * (1 + math.sqrt(1 + 4 * (spread / median) ** 2))))
        u = min(max(u, 1e-12), 1 - 1e-12)
        return median * math.exp(sigma * NormalDist().inv_cdf(u))
