"""`FakeIntercom`: a generated workspace, its backend and its ASGI app, in one object."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from fake_intercom.app import EmulatorApp, RequestInfo
from fake_intercom.backend import IntercomBackend
from fake_intercom.cache import cache_dir, cached_store
from fake_intercom.config import EmulatorConfig
from fake_intercom.generator import SIZES, generate_workspace
from fake_intercom.server import serve_in_thread
from fake_intercom.store import Store

CACHED_SIZES = ("medium", "large")


class FakeIntercom:
    """A stateful fake of Intercom's REST API (2.11) over a generated workspace.

    >>> fake = FakeIntercom.create(workspace="tiny", seed=7, now=datetime(2026, 6, 15, tzinfo=UTC))
    >>> client = httpx.Client(transport=httpx.ASGITransport(app=fake.app), base_url="http://fake")
    """

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.backend = app.backend

    @classmethod
    def create(
        cls,
        workspace: str = "tiny",
        seed: int = 7,
        now: datetime | None = None,
        config: EmulatorConfig | None = None,
        *,
        cache: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> FakeIntercom:
        """Generate (or, for medium and large, load from the cache) a workspace.

        `now` (default: the current time) places all history before it; `clock` is what the
        backend stamps writes with and what the rate limit and index lag measure (wall time).
        """
        if workspace not in SIZES:
            raise ValueError(f"unknown workspace {workspace!r}; use one of {', '.join(SIZES)}")
        now = now or datetime.now(UTC)
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware (e.g. datetime(..., tzinfo=UTC))")
        config = config or EmulatorConfig()
        if workspace in CACHED_SIZES:
            store = cached_store(workspace, seed, now, cache_dir(cache))
        else:
            store = Store()
            generate_workspace(store, workspace, seed, now)
        backend = IntercomBackend(
            store, seed=seed, clock=clock, index_lag_seconds=config.index_lag_seconds
        )
        return cls(EmulatorApp(backend, config, seed=seed, clock=clock))

    # ------------------------------------------------------------- knobs
    @property
    def config(self) -> EmulatorConfig:
        return self.app.config

    def configure(self, changes: Mapping[str, Any] | None = None, **knobs: Any) -> EmulatorConfig:
        """Change knobs while running, e.g. `fake.configure(fault_rate=0.1)`."""
        self.app.apply_config(self.config.updated({**(changes or {}), **knobs}))
        return self.config

    # -------------------------------------------------------- inspection
    def stats(self) -> dict[str, Any]:
        return self.app.stats_snapshot()

    def counts(self) -> dict[str, int]:
        return self.backend.counts()

    def reset(self) -> None:
        """Back to the generated workspace; request counters, rate window and faults zeroed."""
        self.backend.reset()
        self.app.reset_counters()

    def on_request(self, callback: Callable[[RequestInfo], None]) -> Callable[[RequestInfo], None]:
        """Call `callback(info)` before each authenticated API request is handled (also usable
        as a decorator). It runs on the server's thread and may change data through
        `fake.backend`; remove it with `fake.remove_hook(callback)`."""
        self.app.hooks.append(callback)
        return callback

    def remove_hook(self, callback: Callable[[RequestInfo], None]) -> None:
        self.app.hooks.remove(callback)

    # ------------------------------------------------------------ serving
    @contextlib.contextmanager
    def serve_in_thread(self, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
        with serve_in_thread(self.app, host, port) as base_url:
            yield base_url

    def close(self) -> None:
        self.backend.store.close()

    def __enter__(self) -> FakeIntercom:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
