"""`coach emulator serve` on loopback, its errors, and the workspace cache."""

from __future__ import annotations

import re
import signal
import socket
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx
import orjson
import pytest
from click.testing import CliRunner

from cli import main
from fake_intercom import FakeIntercom
from fake_intercom.cache import cache_file, cached_store
from tests.fake_intercom.conftest import NOW

COACH = str(Path(sys.executable).with_name("coach"))


def test_serve_starts_and_answers_on_loopback(tmp_path):
    proc = subprocess.Popen(
        [
            COACH,
            "emulator",
            "serve",
            "--port",
            "0",
            "--workspace",
            "tiny",
            "--token",
            "t-1",
            "--now",
            "2026-06-15",
            "--rate-limit",
            "100",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        line = proc.stdout.readline()
        match = re.search(
            r"workspace tiny \((\d+) contacts, (\d+) conversations, \d+ admins\) "
            r"at (http://127\.0\.0\.1:\d+) with token t-1",
            line,
        )
        assert match, line
        url = match.group(3)
        response = httpx.get(url + "/contacts", headers={"Authorization": "Bearer t-1"})
        assert response.status_code == 200
        assert response.json()["total_count"] == int(match.group(1))
        assert response.headers["x-ratelimit-limit"] == "100"
        assert httpx.get(url + "/contacts").status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err


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
    assert target.name == "tiny-seed5-2026-06-15-g1.sqlite"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    working = store.path
    assert working != target and stat.S_IMODE(working.stat().st_mode) == 0o600
    generated_at = target.stat().st_mtime_ns
    again = cached_store("tiny", 5, datetime(2026, 6, 15, 18, tzinfo=UTC), directory)
    assert target.stat().st_mtime_ns == generated_at  # reused, not regenerated
    again.close()
    store.close()
    assert not working.exists() and not again.path.exists()
    # a copy left behind by a dead process is cleaned up on the next start
    stale = directory / f".working-{2**22 + 12345}-dead-{target.name}"
    stale.write_bytes(b"")
    cached_store("tiny", 5, NOW, directory).close()
    assert not stale.exists()


def test_cached_workspace_serves_and_resets_like_a_fresh_one(tmp_path, monkeypatch):
    monkeypatch.setattr("fake_intercom.fake.CACHED_SIZES", ("tiny",))
    fresh = FakeIntercom.create("tiny", seed=9, now=NOW)
    cached = FakeIntercom.create("tiny", seed=9, now=NOW, cache=tmp_path)
    try:
        truth = fresh.backend.ground_truth()
        assert orjson.dumps(cached.backend.ground_truth()) == orjson.dumps(truth)
        contact = truth["contacts"][0]
        cached.backend.update_contact(contact["id"], {"name": "Changed"})
        cached.reset()
        assert orjson.dumps(cached.backend.ground_truth()) == orjson.dumps(truth)
        assert [p.name for p in tmp_path.glob("tiny-seed9-*.sqlite")] == [
            "tiny-seed9-2026-06-15-g1.sqlite"
        ]
    finally:
        fresh.close()
        cached.close()
