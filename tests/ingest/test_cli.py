"""`coach ingest`, `coach doctor` and `coach demo` through click's runner, against the fake
served on loopback: configuration errors, the token, the lock, readers, what gets printed."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import duckdb
import pytest
from click.testing import CliRunner, Result

from cli import main
from fake_intercom import FakeIntercom
from ingest.runner import run_ingest
from pipeline.demo import fresh_demo_warehouse
from tests.ingest.conftest import (
    NOW,
    REPO,
    TOKEN,
    assert_matches_truth,
    env_for,
    ingest,
    mutate,
    settings,
)
from warehouse.config import IngestSettings
from warehouse.errors import ConfigError


@pytest.fixture
def served(fake) -> Iterator[str]:
    with fake.serve_in_thread() as base_url:
        yield base_url


def coach(*args: str, env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def one_line_error(result: Result, exit_code: int, fragment: str) -> None:
    assert result.exit_code == exit_code, result.output
    lines = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(lines) == 1 and fragment in lines[0], result.output
    assert "Traceback" not in result.output


def drop_attribute(fake: FakeIntercom, model: str, name: str) -> None:
    """Test set-up: a workspace that lacks one of the product's attributes (the public API
    cannot delete a data attribute, so this edits the fake's store)."""
    with fake.backend.lock:
        fake.backend.store.conn.execute(
            "DELETE FROM data_attributes WHERE model = ? AND name = ?", (model, name)
        )


def test_ingest_prints_plain_lines_and_a_table_when_not_on_a_terminal(served, paths, fake):
    result = coach("ingest", "--warehouse", str(paths.published), env=env_for(served))
    assert result.exit_code == 0, result.output
    assert "contacts: backfill started" in result.output
    assert "conversations: succeeded" in result.output
    assert "succeeded" in result.output.split("ingest-")[-1]  # the summary table
    assert_matches_truth(paths, fake)


def test_a_full_run_says_full_not_incremental(served, paths, fake):
    assert coach("ingest", "--warehouse", str(paths.published), env=env_for(served)).exit_code == 0
    result = coach("ingest", "--full", "--warehouse", str(paths.published), env=env_for(served))
    assert result.exit_code == 0, result.output
    for stream in ("contacts", "conversations"):
        assert f"{stream}: full started" in result.output
        assert f"{stream}: incremental started" not in result.output
        table_row = next(
            line for line in result.output.splitlines() if line.startswith(f"│ {stream}")
        )
        assert "full" in table_row
    assert "about 0 records" not in result.output


def test_every_run_in_one_process_prints_its_lines(served, paths):
    """The log lines go to the stderr of the command running now, not of the first one."""
    for _ in range(2):
        result = coach("ingest", "--warehouse", str(paths.published), env=env_for(served))
        assert result.exit_code == 0, result.output
        assert "conversations: succeeded" in result.output


def test_only_the_streams_asked_for(served, paths):
    result = coach(
        "ingest",
        "--warehouse",
        str(paths.published),
        "--stream",
        "teams",
        "--stream",
        "admins",
        env=env_for(served),
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(paths.published), read_only=True) as con:
        streams = {row[0] for row in con.execute("select stream from ingest.run_log").fetchall()}
    assert streams == {"teams", "admins"}
    bad = coach(
        "ingest", "--warehouse", str(paths.published), "--stream", "tickets", env=env_for(served)
    )
    one_line_error(bad, 2, "Unknown stream tickets")


@pytest.mark.parametrize(
    ("env", "code", "fragment"),
    [
        ({"INTERCOM_ACCESS_TOKEN": None}, 2, "No Intercom access token"),
        ({"INTERCOM_ACCESS_TOKEN": "not-the-token"}, 2, "rejected the access token"),
        ({"INTERCOM_API_BASE": "http://127.0.0.1:9"}, 2, "Cannot reach Intercom at"),
        ({"INTERCOM_API_BASE": "ftp://example.org"}, 2, "INTERCOM_API_BASE must be an http"),
        ({"INTERCOM_VERSION": "1.0"}, 2, "INTERCOM_VERSION '1.0' is not supported"),
        ({"COACH_INGEST_CONCURRENCY": "lots"}, 2, "COACH_INGEST_CONCURRENCY must be a number"),
        ({"COACH_INGEST_PAGE_SIZE": "500"}, 2, "COACH_INGEST_PAGE_SIZE must be a number"),
        ({"COACH_INGEST_MEMORY_LIMIT": "lots"}, 2, "COACH_INGEST_MEMORY_LIMIT must be a size"),
        ({"COACH_INGEST_MEMORY_LIMIT": "512KB"}, 2, "(at least 1MB), got '512KB'"),
    ],
)
def test_configuration_errors_are_one_sentence(served, paths, env, code, fragment):
    result = coach("ingest", "--warehouse", str(paths.published), env=env_for(served, **env))
    one_line_error(result, code, fragment)


def test_a_host_that_is_not_intercom(served, paths):
    result = coach(
        "ingest", "--warehouse", str(paths.published), env=env_for(served + "/not-the-api")
    )
    one_line_error(result, 2, "is not an Intercom REST API host")


def test_a_workspace_lacking_an_attribute_the_product_reads(served, paths, fake):
    drop_attribute(fake, "contact", "Employer")
    result = coach("ingest", "--warehouse", str(paths.published), env=env_for(served))
    one_line_error(result, 2, "has no contact attribute 'Employer'")
    doctor = coach("doctor", env=env_for(served))
    one_line_error(doctor, 2, "has no contact attribute 'Employer'")


def test_doctor_checks_token_version_and_every_attribute(served, fake, paths):
    # A warehouse of its own: the default path is whatever data/ holds where the tests run.
    result = coach("doctor", "--warehouse", str(paths.published), env=env_for(served))
    assert result.exit_code == 0, result.output
    assert "no warehouse at" in result.output
    assert "accepted for workspace" in result.output
    assert "Intercom-Version 2.11" in result.output
    assert "'Last Call'" in result.output and "'Service Code'" in result.output
    with fake.backend.lock:  # a maintained attribute with the wrong type
        fake.backend.store.conn.execute(
            "UPDATE data_attributes SET data_type = 'string', "
            "body = json_set(body, '$.data_type', 'string') "
            "WHERE model = 'contact' AND name = 'Last Call'"
        )
    wrong = coach("doctor", env=env_for(served))
    one_line_error(wrong, 2, "'Last Call' is a string, but the product needs a date")
    missing = coach("doctor", env=env_for(served, INTERCOM_ACCESS_TOKEN=None))
    one_line_error(missing, 2, "No Intercom access token")


def test_the_token_never_appears_in_any_output(served, paths, fake, tmp_path):
    outputs: list[str] = []
    ok = coach("ingest", "--warehouse", str(paths.published), env=env_for(served))
    outputs.append(ok.output)
    fake.configure(fault_rate=1.0, fault_kinds=("503", "reset", "truncated"))
    failing_env = env_for(served, COACH_HTTP_MAX_ATTEMPTS="2")
    failed = coach("ingest", "--warehouse", str(paths.published), env=failing_env)
    assert failed.exit_code == 1 and "still failed after retrying" in failed.output
    outputs.append(failed.output)
    # A real process: stderr, log lines and all.
    process = subprocess.run(
        [sys.executable, "-m", "cli", "ingest", "--warehouse", str(paths.published)],
        env={"PATH": "/usr/bin:/bin", **failing_env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 1, process.stderr
    assert "Traceback" not in process.stderr
    outputs += [process.stdout, process.stderr]
    fake.configure(fault_rate=0.0)
    wrong = "wrong-token-3d9e1b7c"
    refused = coach(
        "ingest",
        "--warehouse",
        str(paths.published),
        env=env_for(served, INTERCOM_ACCESS_TOKEN=wrong),
    )
    outputs.append(refused.output)
    with duckdb.connect(str(paths.working), read_only=True) as con:
        errors = con.execute("select error from ingest.run_log where error is not null").fetchall()
    assert errors
    outputs += [row[0] for row in errors]
    for text in outputs:
        assert TOKEN not in text
        assert wrong not in text
    for path in (paths.working, paths.published):
        assert TOKEN.encode() not in path.read_bytes()


def test_two_ingests_at_once_the_second_is_refused(fake, paths):
    fake.configure(latency="40ms")
    with fake.serve_in_thread() as base_url:
        outcome: dict[str, object] = {}

        def first() -> None:
            try:
                outcome["result"] = run_ingest(
                    paths, settings(base_url), IngestSettings(page_size=10, concurrency=2)
                )
            except Exception as exc:  # surfaced by the assertion below
                outcome["error"] = exc

        worker = threading.Thread(target=first)
        worker.start()
        try:
            while not paths.working.exists() and worker.is_alive():
                worker.join(0.02)
            second = coach("ingest", "--warehouse", str(paths.published), env=env_for(base_url))
        finally:
            worker.join()
    one_line_error(second, 1, "Another coach command is writing")
    assert "error" not in outcome, outcome
    assert_matches_truth(paths, fake)


def test_an_open_reader_does_not_stop_the_pipeline(served, paths, fake):
    assert coach("ingest", "--warehouse", str(paths.published), env=env_for(served)).exit_code == 0
    reader = duckdb.connect(str(paths.published), read_only=True)
    try:
        before = reader.execute("select count(*) from ingest.run_log").fetchone()[0]
        mutate(fake, __import__("random").Random(4))
        result = coach("ingest", "--warehouse", str(paths.published), env=env_for(served))
        assert result.exit_code == 0, result.output
        # The analyst's session still sees its snapshot; a new session sees the new one.
        assert reader.execute("select count(*) from ingest.run_log").fetchone() == (before,)
    finally:
        reader.close()
    assert_matches_truth(paths, fake, deletions_noticed=False)


def test_the_demo_replaces_only_its_own_warehouse(fake, paths):
    ingest(fake, paths)
    app_id = fake.backend.workspace["workspace_id"]
    with pytest.raises(ConfigError, match="was not made by the demo"):
        fresh_demo_warehouse(paths, "another-app")
    assert paths.published.exists() and paths.working.exists()
    fresh_demo_warehouse(paths, app_id)
    assert not paths.published.exists() and not paths.working.exists()


def test_now_is_pinned_before_the_wall_clock():
    # Every test relies on generated history ending before the runs start.
    assert datetime.now(UTC) > NOW
