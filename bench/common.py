"""What every benchmark shares: the fake Intercom in its own process, measuring a subprocess
(wall time, peak RSS of its process tree, CPU), the machine and commit a result was measured on,
and min/median/max over repetitions."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil

from fake_intercom.server import spawn

REPO = Path(__file__).resolve().parent.parent
TOKEN = "bench-token"
# Fixed, so generated workspaces are cached across runs; history ends at the start of this day.
NOW = "2026-06-15T00:00:00+00:00"


@dataclass
class FakeServer:
    """`coach emulator serve` in its own process (client and server do not share a GIL)."""

    workspace: str
    latency: str
    rate_limit_per_10s: int
    seed: int = 7
    now: str = NOW  # where the generated history ends (ISO 8601)
    process: subprocess.Popen | None = field(default=None, repr=False)
    base_url: str = ""

    def __enter__(self) -> FakeServer:
        self.process, self.base_url, _ = spawn(
            [
                *("--workspace", self.workspace, "--seed", str(self.seed), "--now", self.now),
                *("--token", TOKEN, "--latency", self.latency),
                *("--rate-limit", str(self.rate_limit_per_10s)),
            ],
            cwd=REPO,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=60)

    def control(self, method: str, path: str, body: Any = None) -> Any:
        answer = httpx.request(method, f"{self.base_url}/_emulator{path}", json=body, timeout=600)
        answer.raise_for_status()
        return answer.json()

    def stats(self) -> dict[str, Any]:
        return self.control("GET", "/stats")

    def env(self) -> dict[str, str]:
        """The environment a `coach` command needs to read this fake."""
        return {"INTERCOM_ACCESS_TOKEN": TOKEN, "INTERCOM_API_BASE": self.base_url}


def api_calls(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What the fake answered between two `stats()`: calls (429s included), 429s, and calls per
    endpoint template."""
    by_endpoint = {}
    for endpoint, outcomes in after["by_endpoint"].items():
        earlier = before["by_endpoint"].get(endpoint, {})
        count = sum(n - earlier.get(code, 0) for code, n in outcomes.items())
        if count:
            by_endpoint[endpoint] = count
    return {
        "calls": after["requests"] - before["requests"],
        "responses_429": after["rate_limited"] - before["rate_limited"],
        "by_endpoint": by_endpoint,
    }


@dataclass
class Measured:
    wall_seconds: float
    peak_rss_mb: float
    cpu_seconds: float
    stdout: str


def measure(command: Sequence[str], env: dict[str, str] | None = None) -> Measured:
    """Run `command` from the repository; its wall time, the peak of the summed resident memory
    of it and every process it starts (sampled every 50 ms), and their CPU time. A non-zero exit
    stops the benchmark with the command's last words."""
    started = time.perf_counter()
    process = psutil.Popen(
        list(command),
        cwd=REPO,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    peak = 0
    cpu: dict[int, float] = {}
    # Pipes are read after exit: the commands measured here print little (JSON or a summary).
    while process.poll() is None:
        try:
            rss = 0
            for member in [process, *process.children(recursive=True)]:
                rss += member.memory_info().rss
                cpu[member.pid] = sum(member.cpu_times()[:4])
            peak = max(peak, rss)
        except psutil.NoSuchProcess:
            pass
        time.sleep(0.05)
    wall = time.perf_counter() - started
    stdout, stderr = process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} failed ({process.returncode}): {stderr[-2000:]}")
    return Measured(round(wall, 3), round(peak / 2**20, 1), round(sum(cpu.values()), 2), stdout)


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def coach(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("coach")), *args]


def spread(values: Sequence[float], digits: int = 3) -> dict[str, Any]:
    """min/median/max of the repetitions, and how many there were."""
    return {
        "min": round(min(values), digits),
        "median": round(statistics.median(values), digits),
        "max": round(max(values), digits),
        "n": len(values),
    }


def machine() -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo")
    models = [
        line.split(":", 1)[1].strip()
        for line in (cpuinfo.read_text().splitlines() if cpuinfo.exists() else [])
        if line.startswith("model name")
    ]
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "cpu_model": models[0] if models else platform.processor(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
    }


def commit() -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            text=True,
            capture_output=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain"], cwd=REPO, text=True, capture_output=True, check=True
        ).stdout.strip()
        return sha + ("+uncommitted" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def provenance(target: str, module: str, load_before: tuple[float, ...]) -> dict[str, Any]:
    """Where a result comes from: the command, when, the commit, the machine and its load."""
    return {
        "command": f"make {target} (python -m {module} " + " ".join(sys.argv[1:]) + ")",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit(),
        "machine": {
            **machine(),
            "load_average_1m_before": round(load_before[0], 2),
            "load_average_1m_after": round(os.getloadavg()[0], 2),
        },
    }
