"""`coach users` and `coach access-log` through the CLI, on the session warehouse."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from access.log import AccessLog, Entry
from access.store import AccessStore
from cli import main
from tests.pipeline import Pipeline

GOOD = "Pencil-Harbor-Quartz-91"


@pytest.fixture
def env(pipeline: Pipeline, tmp_path) -> dict[str, str]:
    return pipeline.env(COACH_ACCESS_DB=str(tmp_path / "access.sqlite"))


def coach(env, *args, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def test_users_lifecycle(env, pipeline: Pipeline):
    with pipeline.connect() as con:
        employer, coach_id, coach_name = con.execute(
            "select e.employer, c.coach_id, c.coach_name from employers e, coaches c "
            "order by 1, 2 limit 1"
        ).fetchone()
    added = coach(
        env,
        "users",
        "add",
        "alice",
        "--role",
        "viewer",
        "--employer",
        employer.upper(),
        "--coach",
        coach_name,
        "--password-stdin",
        stdin=GOOD + "\n",
    )
    assert added.exit_code == 0, added.output
    assert GOOD not in added.output
    again = coach(env, "users", "add", "Alice", "--role", "admin", "--password-stdin", stdin=GOOD)
    assert again.exit_code == 2 and "already a user" in again.output
    listed = json.loads(coach(env, "users", "list", "--format", "json").stdout)
    assert listed == [
        {
            "name": "alice",
            "role": "viewer",
            "disabled": False,
            "employers": [employer],
            "coaches": [coach_id],
            "created_at": listed[0]["created_at"],
        }
    ]
    assert coach(env, "users", "disable", "alice").exit_code == 0
    assert json.loads(coach(env, "users", "list", "--format", "json").stdout)[0]["disabled"]
    assert coach(env, "users", "enable", "alice").exit_code == 0
    changed = coach(
        env, "users", "passwd", "alice", "--password-stdin", stdin="Another-Long-Phrase-77\n"
    )
    assert changed.exit_code == 0, changed.output
    assert coach(env, "users", "remove", "alice").exit_code == 0
    gone = coach(env, "users", "disable", "alice")
    assert gone.exit_code == 2 and "No user 'alice'" in gone.output


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("--role", "viewer", "--employer", "Initech"), "No employer 'Initech' in the warehouse"),
        (("--role", "viewer", "--coach", "Nobody Atall"), "No coach 'Nobody Atall'"),
        (("--role", "owner"), "Invalid value for '--role'"),
    ],
)
def test_a_scope_that_matches_nobody_is_refused(env, args, fragment):
    result = coach(env, "users", "add", "carol", *args, "--password-stdin", stdin=GOOD)
    assert result.exit_code == 2 and fragment in result.output


def test_a_weak_password_is_refused_and_not_echoed(env):
    result = coach(
        env, "users", "add", "dave", "--role", "admin", "--password-stdin", stdin="password1234\n"
    )
    assert result.exit_code == 2 and "commonly used" in result.output
    assert "password1234" not in result.output


def test_access_log_reads_by_user_and_day_in_every_format(env, tmp_path):
    log = AccessLog(AccessStore(tmp_path / "access.sqlite"))
    log.record(Entry("login", user_name="alice", client="127.0.0.1"))
    log.record(
        Entry(
            "view",
            user_name="alice",
            method="GET",
            route="/caseload",
            filters={"employer": ["=HYPERLINK(1)"]},
            row_count=12,
            status=200,
        )
    )
    log.record(
        Entry("download", user_name="bob", method="GET", route="/caseload.csv", row_count=40)
    )
    rows = json.loads(coach(env, "access-log", "--format", "json", "--user", "ALICE").stdout)
    assert [r["event"] for r in rows] == ["login", "view"]
    assert rows[1]["row_count"] == 12 and "HYPERLINK" in rows[1]["filters"]
    csv_text = coach(env, "access-log", "--format", "csv").stdout
    assert "'{" not in csv_text.splitlines()[0] and len(csv_text.splitlines()) == 4
    future = coach(env, "access-log", "--since", "2999-01-01", "--format", "json")
    assert json.loads(future.stdout) == []
    table = coach(env, "access-log")
    assert table.exit_code == 0 and "/caseload.csv" in table.stdout
    bad = coach(env, "access-log", "--since", "yesterday")
    assert bad.exit_code == 2 and "--since must be a date" in bad.output
