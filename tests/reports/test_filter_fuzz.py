"""Generated values thrown at every filter of every report and export command: whatever the
value, the command exits 0 or 2, says at most one line on stderr, never a traceback, and writes
nothing when it fails."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli import main
from tests.pipeline import Pipeline

# Each command with the options it takes a value for.
COMMANDS = {
    ("report", "caseload"): [
        "--lookback", "--coach", "--employer", "--exclude-employer", "--channel",
    ],
    ("report", "sessions"): [
        "--lookback", "--from", "--to", "--coach", "--employer", "--exclude-employer", "--channel",
    ],
    ("report", "participants"): [
        "--lookback", "--from", "--to", "--coach", "--employer", "--exclude-employer",
    ],
    ("report", "billing"): ["--month", "--employer", "--exclude-employer"],
    ("export", "engagement"): [
        "--referral", "--employer", "--exclude-employer", "--enrolled-from", "--enrolled-to",
        "--last-session-from", "--last-session-to", "--status",
    ],
    ("export", "billing"): ["--month", "--employer", "--exclude-employer"],
    ("export", "participants"): [
        "--lookback", "--from", "--to", "--coach", "--employer", "--exclude-employer",
    ],
}  # fmt: skip

# Values at and past every edge, by the kind of value an option takes, each tried on its own;
# then generated values (near-misses, dates, months, numbers, any text) in combinations.
EDGES = {
    "date": ["2026-02-30", "0001-01-01", "9999-12-31", "2026-13-01", "26-1-1", "today"],
    "month": ["0000-01", "2026-13", "2026-00", "10000-01", "-2026-01", "2026-1"],
    "number": ["0", "-1", "366", "99999999999999999999", "1e3", "7.5"],
    "text": ["\x1b[2J\x1b]0;x\x07", "x" * 100_000, "", " ", "%", "'; drop table members; --"],
}
KIND = {
    "--lookback": "number",
    "--month": "month",
    "--from": "date",
    "--to": "date",
    "--enrolled-from": "date",
    "--enrolled-to": "date",
    "--last-session-from": "date",
    "--last-session-to": "date",
}
dates = st.dates().map(lambda d: d.isoformat())
months = st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(0, 10_000), st.integers(-1, 14))
numbers = st.integers(-(10**20), 10**20).map(str)
near = st.sampled_from(["Phone", "phone ", "Engaged", "at risk", "Acme", "2026-06", "2026-06-15"])
values = st.one_of(near, dates, months, numbers, st.text(max_size=300))


def invoke(pipeline: Pipeline, args: list[str]):
    return CliRunner().invoke(main, args, env=pipeline.env(COACH_DEBUG=None))


@pytest.mark.parametrize("command", sorted(COMMANDS), ids=" ".join)
def test_any_filter_value_gives_a_result_or_one_line(pipeline: Pipeline, tmp_path: Path, command):
    options = COMMANDS[command]
    for option in options:
        for value in EDGES[KIND.get(option, "text")]:
            check_one(pipeline, tmp_path, command, [(option, value)])

    @settings(
        max_examples=15,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(chosen=st.lists(st.tuples(st.sampled_from(options), values), min_size=1, max_size=3))
    def check(chosen: list[tuple[str, str]]) -> None:
        check_one(pipeline, tmp_path, command, chosen)

    check()


def check_one(
    pipeline: Pipeline, tmp_path: Path, command: tuple[str, str], chosen: list[tuple[str, str]]
) -> None:
    args = [*command]
    out = tmp_path / f"{uuid.uuid4().hex}.csv"
    if command[0] == "export":
        args += ["--out", str(out)]
    else:
        args += ["--format", "json"]
    for option, value in chosen:
        args += [option, value]
    result = invoke(pipeline, args)
    assert result.exit_code in (0, 2), (args, result.exit_code, result.stderr[-500:])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        repr(result.exception),
    )
    stderr = result.stderr.strip().splitlines()
    if result.exit_code == 2:
        # click's own usage errors print a usage line and a hint, then one "Error:" line.
        errors = [line for line in stderr if line.startswith("Error")]
        assert len(errors) == 1, stderr
        assert len(errors[0]) < 2_000
        assert not out.exists()  # nothing written on failure
    else:
        assert len(stderr) <= 1, stderr
