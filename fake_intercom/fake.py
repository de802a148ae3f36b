"""`FakeIntercom`: a generated workspace, its backend and its ASGI app, in one object."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

from fake_intercom.app import EmulatorApp
from fake_intercom.cache import cache_dir, cached_store
from fake_intercom.config import EmulatorConfig
from fake_intercom.emulator import Emulator, Hook
from fake_intercom.generator import SIZES, generate_workspace
from fake_intercom.models import IntercomBackend
from fake_intercom.server import serve_in_thread
from fake_intercom.store import Store

CACHED_SIZES = ("medium", "large")


class FakeIntercom:
    """A stateful fake of Intercom's REST API (2.11) over a generated workspace.

    >>> fake = FakeIntercom.create(workspace="tiny", seed=7, now=datetime(2026, 6, 15, tzinfo=UTC))
    >>> client = httpx.Client(transport=httpx.ASGITransport(app=fake.app), base_url="http://fake")
    """

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator  # the state: backend, knobs, counters, hooks
        self.backend = emulator.backend  # the workspace, with typed methods (models/)
        self.app = EmulatorApp(emulator)  # the ASGI app

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
        return cls(Emulator(backend, config, seed=seed, clock=clock))

    # ------------------------------------------------------------- knobs
    @property
    def config(self) -> EmulatorConfig:
        return self.emulator.config

    def configure(self, changes: Mapping[str, Any] | None = None, **knobs: Any) -> EmulatorConfig:
        """Change knobs while running, e.g. `fake.configure(fault_rate=0.1)`."""
        return self.emulator.configure({**(changes or {}), **knobs})

    # -------------------------------------------------------- inspection
    def stats(self) -> dict[str, Any]:
        return self.emulator.stats_snapshot()

    def counts(self) -> dict[str, int]:
        return self.backend.counts()

    def reset(self) -> None:
        """Back to how the fake started: the generated workspace, the knobs it was created
        with; request counters, rate window and fault draws zeroed. Hooks stay."""
        self.emulator.reset()

    def on_request(self, callback: Hook) -> Hook:
        """Call `callback(info)` (a RequestInfo) before each authenticated API request is
        handled (also usable as a decorator). It runs on the server's thread and may change
        data through `fake.backend`; remove it with `fake.remove_hook(callback)`."""
        self.emulator.hooks.append(callback)
        return callback

    def remove_hook(self, callback: Hook) -> None:
        self.emulator.hooks.remove(callback)

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
