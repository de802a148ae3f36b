"""The access token never reaches an output, whatever its value: tokens with surrounding white
space (an env file saved with Windows line endings) are trimmed and work; tokens with a character
an HTTP header cannot carry are refused without being echoed; and after every command, failing
or not, stdout, stderr, every text column of every table written and every file beside the
warehouse are scanned for the token in any form."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from fake_intercom import EmulatorConfig, FakeIntercom
from tests.ingest.conftest import NOW
from warehouse.secrets import scrub

REPO = Path(__file__).resolve().parent.parent
TOKEN = "tok-Secret_9f8e7d6c5b4a"
AS_OF = "2026-06-15"

# Accepted once trimmed: what editors and shells leave around a token.
TRIMMED = {
    "windows line ending": TOKEN + "\r",
    "crlf": TOKEN + "\r\n",
    "newline": TOKEN + "\n",
    "spaces and tabs": f" \t{TOKEN}  ",
}
# Refused: no header can carry these.
REFUSED = {
    "carriage return inside": TOKEN[:8] + "\r" + TOKEN[8:],
    "space inside": TOKEN[:8] + " " + TOKEN[8:],
    "escape inside": TOKEN[:8] + "\x1b[2J" + TOKEN[8:],
    "non-ascii inside": TOKEN[:8] + "é" + TOKEN[8:],
}


def forms(secret: str) -> set[str]:
    """The token as any library might quote it."""
    core = secret.strip()
    found = {core, secret, repr(secret)[1:-1], repr(secret.encode("utf-8", "replace"))[2:-1]}
    return {f for f in found if len(f) >= 8}


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    with (
        FakeIntercom.create("tiny", seed=7, now=NOW, config=EmulatorConfig(token=TOKEN)) as fake,
        fake.serve_in_thread() as base_url,
    ):
        yield base_url


def coach(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A real process, so that stderr, log lines and Python's own last words are all seen."""
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env={"PATH": "/usr/bin:/bin", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )


def text_columns(path: Path) -> list[str]:
    """Every value of every text or JSON column of every table in a DuckDB file."""
    values: list[str] = []
    with duckdb.connect(str(path), read_only=True) as con:
        columns = con.execute(
            """select table_schema, table_name, column_name from information_schema.columns
            where data_type in ('VARCHAR', 'JSON')"""
        ).fetchall()
        for schema, table, column in columns:
            rows = con.execute(
                f'select "{column}" from "{schema}"."{table}" where "{column}" is not null'
            ).fetchall()
            values += [str(row[0]) for row in rows]
    return values


def assert_nowhere(secret: str, texts: list[str], directory: Path) -> None:
    for text in texts:
        for form in forms(secret):
            assert form not in text
        assert "Traceback" not in text
    for path in directory.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            for form in forms(secret):
                assert form.encode() not in content, path


@pytest.mark.parametrize("name", sorted(TRIMMED))
def test_a_token_with_white_space_around_it_is_trimmed_and_never_shown(served, tmp_path, name):
    secret = TRIMMED[name]
    warehouse = tmp_path / "warehouse.duckdb"
    env = {
        "INTERCOM_ACCESS_TOKEN": secret,
        "INTERCOM_API_BASE": served,
        "COACH_WAREHOUSE": str(warehouse),
    }
    runs = [coach(["doctor"], env), coach(["ingest"], env)]
    if name == "windows line ending":  # the whole chain once: build, write-back, audit
        runs += [
            coach(["build", "--as-of", AS_OF, "--replace-published"], env),
            coach(["writeback", "--apply", "--allow-large-plan", "--allow-other-as-of"], env),
        ]
    for run in runs:
        assert run.returncode == 0, run.stderr
    # A failing path too: Intercom unreachable, errors quoting the HTTP library.
    gone = coach(["ingest"], {**env, "INTERCOM_API_BASE": "http://127.0.0.1:9"})
    assert gone.returncode == 2
    texts = [out for run in [*runs, gone] for out in (run.stdout, run.stderr)]
    texts += text_columns(warehouse) + text_columns(
        warehouse.with_name("warehouse.pipeline.duckdb")
    )
    assert_nowhere(secret, texts, tmp_path)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_token_no_header_can_carry_is_refused_without_echo(served, tmp_path, name):
    secret = REFUSED[name]
    env = {
        "INTERCOM_ACCESS_TOKEN": secret,
        "INTERCOM_API_BASE": served,
        "COACH_WAREHOUSE": str(tmp_path / "warehouse.duckdb"),
    }
    for args in (["doctor"], ["ingest"], ["run"], ["writeback", "--apply"]):
        run = coach(args, env)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert "INTERCOM_ACCESS_TOKEN holds a space, control or non-ASCII character" in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1
        assert_nowhere(secret, [run.stdout, run.stderr], tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        "Illegal header value b'Bearer {t}\\r'",
        "Authorization: Bearer {t}",
        "headers={{'authorization': 'Bearer {t}'}}",
        "GET /me?token={t}",
    ],
)
def test_scrub_masks_a_known_token_and_any_bearer_credential(text):
    from warehouse.config import intercom_settings

    intercom_settings({"INTERCOM_ACCESS_TOKEN": TOKEN + "\r"})
    assert TOKEN not in scrub(text.format(t=TOKEN))
    assert "Bearer abc.def-unknown" not in scrub("Bearer abc.def-unknown")
