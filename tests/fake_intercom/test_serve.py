"""`coach emulator serve` on loopback, its errors, and the workspace cache."""

from __future__ import annotations

import re
import signal
import socket
import stat
from datetime import UTC, datetime

import httpx
import orjson
import pytest
from click.testing import CliRunner

from cli import main
from fake_intercom import FakeIntercom
from fake_intercom.cache import cache_file, cached_store, generator_version
from fake_intercom.server import spawn
from tests.fake_intercom.conftest import NOW


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_serve_starts_answers_and_stops_cleanly(tmp_path, stop):
    proc, url, line = spawn(
        ["--workspace", "tiny", "--token", "t-1", "--now", "2026-06-15", "--rate-limit", "100"],
        cwd=tmp_path,
    )
    try:
        match = re.search(
            r"workspace tiny \((\d+) contacts, (\d+) conversations, \d+ admins\) "
            r"at http://127\.0\.0\.1:\d+ with token t-1",
            line,
        )
        assert match, line
        response = httpx.get(url + "/contacts", headers={"Authorization": "Bearer t-1"})
        assert response.status_code == 200
        assert response.json()["total_count"] == int(match.group(1))
        assert response.headers["x-ratelimit-limit"] == "100"
        assert httpx.get(url + "/contacts").status_code == 401
    finally:
        proc.send_signal(stop)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "stopped" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--latency", "5x"], "not a duration"),
        (["--now", "yesterday"], "--now must be an ISO date"),
        (["--fault-kinds", "500,meteor"], "fault kinds must be"),
        (["--fault-rate", "3"], "fault_rate must be between 0 and 1"),
    ],
)
def test_bad_options_are_one_line_errors(args, message):
    result = CliRunner().invoke(main, ["emulator", "serve", "--workspace", "tiny", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_busy_port_is_a_one_line_error():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(
            main,
            [
                "emulator",
                "serve",
                "--workspace",
                "tiny",
                "--port",
                str(port),
                "--now",
                "2026-06-15",
            ],
        )
    assert result.exit_code == 1
    assert f"Cannot listen on 127.0.0.1:{port}" in result.output


def test_workspace_cache(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    directory.mkdir(mode=0o700)
    store = cached_store("tiny", 5, NOW, directory)
    target = cache_file(directory, "tiny", 5, NOW)
    assert target.name == f"tiny-seed5-2026-06-15-{generator_version()}.sqlite"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    working = store.path
    assert working != target and stat.S_IMODE(working.stat().st_mode) == 0o600
    generated_at = target.stat().st_mtime_ns
    again = cached_store("tiny", 5, datetime(2026, 6, 15, 18, tzinfo=UTC), directory)
    assert target.stat().st_mtime_ns == generated_at  # reused, not regenerated
    again.close()
    store.close()
    assert not working.exists() and not again.path.exists()
    # another generator's file for the same workspace goes when a new one is made
    older = directory / "tiny-seed5-2026-06-15-g0.deadbeef.sqlite"
    older.write_bytes(b"")
    target.unlink()
    cached_store("tiny", 5, NOW, directory).close()
    assert target.exists() and not older.exists()
    # a copy left behind by a dead process is cleaned up on the next start
    dead = 2**22 + 12345  # above Linux's pid_max: no such process
    stale = [
        directory / f".working-{dead}-x-{target.name}",
        directory / f".{target.name}.{dead}.partial",
    ]
    for path in stale:
        path.write_bytes(b"")
    cached_store("tiny", 5, NOW, directory).close()
    assert not any(path.exists() for path in stale)


def test_cached_workspace_serves_and_resets_like_a_fresh_one(tmp_path, monkeypatch):
    fresh = FakeIntercom.create("tiny", seed=9, now=NOW)
    monkeypatch.setattr("fake_intercom.fake.CACHED_SIZES", ("tiny",))
    cached = FakeIntercom.create("tiny", seed=9, now=NOW, cache=tmp_path)
    try:
        truth = fresh.backend.ground_truth()
        assert orjson.dumps(cached.backend.ground_truth()) == orjson.dumps(truth)
        contact = truth["contacts"][0]
        cached.backend.update_contact(contact["id"], name="Changed")
        cached.reset()
        assert orjson.dumps(cached.backend.ground_truth()) == orjson.dumps(truth)
        assert [p.name for p in tmp_path.glob("tiny-seed9-*.sqlite")] == [
            f"tiny-seed9-2026-06-15-{generator_version()}.sqlite"
        ]
    finally:
        fresh.close()
        cached.close()
