"""The fake's whole state, moto-style: the workspace (`backend`) and the realism knobs acting on
requests (rate limit, faults, latency, index lag), with the request counters and hooks.
`reset()` returns all of it to how the fake started: the generated workspace, the knobs it was
created with, counters zeroed."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fake_intercom.config import EmulatorConfig
from fake_intercom.faults import FaultInjector
from fake_intercom.latency import Latency
from fake_intercom.models import IntercomBackend
from fake_intercom.ratelimit import RateLimiter


@dataclass(frozen=True)
class RequestInfo:
    """What a request hook is told about each authenticated API request."""

    method: str
    endpoint: str  # the route template, e.g. "/conversations/search"
    path: str
    number: int  # 1 for the first authenticated API request since start or reset


Hook = Callable[[RequestInfo], None]


class Stats:
    """Requests by endpoint template and outcome, 429s, 401s and the versions clients sent."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests = 0
            self.by_endpoint: defaultdict[str, Counter[str]] = defaultdict(Counter)
            self.rate_limited = 0
            self.unauthorized = 0
            self.versions: Counter[str] = Counter()

    def count_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    def record(self, endpoint: str, outcome: str, version: str | None) -> None:
        with self._lock:
            self.requests += 1
            self.by_endpoint[endpoint][outcome] += 1
            self.versions[version or "(none)"] += 1
            if outcome == "401":
                self.unauthorized += 1

    def snapshot(self, faults: Counter[str]) -> dict[str, Any]:
        with self._lock:
            return {
                "requests": self.requests,
                "by_endpoint": {k: dict(v) for k, v in sorted(self.by_endpoint.items())},
                "rate_limited": self.rate_limited,
                "unauthorized": self.unauthorized,
                "faults": dict(faults),
                "intercom_versions": dict(self.versions),
            }


class Emulator:
    def __init__(
        self,
        backend: IntercomBackend,
        config: EmulatorConfig,
        *,
        seed: int,
        clock: Callable[[], float],
    ) -> None:
        self.backend = backend
        self.clock = clock
        self.workspace_seed = seed
        self.initial_config = config
        self.stats = Stats()
        self.hooks: list[Hook] = []
        self.limiter = RateLimiter(config.rate_limit_per_10s, clock)
        self.faults = FaultInjector(self._fault_seed(config))
        self.latency = Latency.parse(config.latency)
        self.authenticated = 0
        self.apply_config(config)

    # ----------------------------------------------------------------- knobs
    def apply_config(self, config: EmulatorConfig) -> None:
        self.config = config
        self.limiter.limit = config.rate_limit_per_10s
        self.latency = Latency.parse(config.latency)
        if self._fault_seed(config) != self.faults.seed:
            self.faults = FaultInjector(self._fault_seed(config))
        self.backend.set_index_lag(config.index_lag_seconds)

    def configure(self, changes: Mapping[str, Any]) -> EmulatorConfig:
        """Change some knobs (unknown names and bad values are a KnobError)."""
        self.apply_config(self.config.updated(changes))
        return self.config

    def _fault_seed(self, config: EmulatorConfig) -> int:
        return self.workspace_seed if config.fault_seed is None else config.fault_seed

    # ---------------------------------------------------------------- state
    def reset(self) -> None:
        """The generated workspace, the knobs the fake was created with, counters zeroed (the
        rate window, the fault draws and the request numbers too). Hooks stay."""
        self.backend.reset()
        self.apply_config(self.initial_config)
        self.stats.reset()
        self.limiter.reset()
        self.faults.reset()
        self.authenticated = 0

    def stats_snapshot(self) -> dict[str, Any]:
        return self.stats.snapshot(self.faults.injected)

    def authenticated_request(self, method: str, endpoint: str, path: str) -> None:
        """Number an authenticated API request and tell the hooks, before it is handled."""
        self.authenticated += 1
        info = RequestInfo(method, endpoint, path, self.authenticated)
        for hook in list(self.hooks):
            hook(info)
