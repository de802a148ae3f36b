"""Every `coach ...` example of the README runs as shown, on the demo warehouse.

The examples are the `coach` commands of the README's ```sh and ```cron blocks and the example
column of its command table. Each runs through click's test runner against the demo workspace
(what `make demo` shows, seed 7, so the README's names exist), ingested over HTTP from the fake
Intercom and built, in this module's own warehouse: it must exit 0 (or the exit code `EXIT`
documents) and print something, without a traceback; a file it writes must be there and hold
rows. A command that cannot run here is in `SKIPPED` with the reason, so a new example is run
by default, and a skip whose example left the README fails.
"""

from __future__ import annotations

import re
import shlex
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from tests.pipeline import Pipeline, build_pipeline

README = Path(__file__).resolve().parent.parent / "README.md"

# An example as the README shows it (without `.venv/bin/`, shell redirections and comments):
# why it is not run here.
SKIPPED = {
    "coach demo --no-serve": "generates and builds a workspace of its own; this module's fixture "
    "is the same pipeline, and tests/reports/test_docs_and_demo.py runs the demo",
    "coach build --as-of 2026-06-15": "a dbt build (~15 s): the fixture's `coach run --as-of` is "
    "the same build; tests/dbt cover `coach build`",
    "coach run": "ingest and a dbt build (~15 s): the fixture runs `coach run --as-of`",
    "coach build --target postgres": "needs the PostgreSQL server and a dbt build "
    "(tests/dbt/test_postgres*.py)",
    "coach docs": "serves the docs site until Ctrl-C (tests/reports/test_docs_and_demo.py runs "
    "`coach docs --no-serve`)",
    "coach serve": "serves the web app until Ctrl-C (tests/web)",
    "coach serve --port 8080": "serves the web app until Ctrl-C (tests/web)",
    "coach serve --port 8080 --warehouse data/emulator.duckdb": "serves the web app until Ctrl-C "
    "(tests/web)",
    "coach emulator serve --workspace demo": "serves the fake until Ctrl-C "
    "(tests/fake_intercom/test_serve.py)",
    "coach writeback --apply": "writes to Intercom, then runs dbt (tests/writeback, against the "
    "fake)",
    "coach ingest [--warehouse PATH] [--full] [--stream contacts --stream conversations ...]": (
        "a synopsis, not a command"
    ),
    "coach writeback audit [--run ID | --all] [--format csv|json] [--output FILE]": (
        "a synopsis, not a command"
    ),
    "coach ...": "a placeholder for any command",
}

# An example documented to end with another exit code than 0 here: the code and what it says.
EXIT = {
    # README, Write-back: before the first `--apply` there is no audit (the demo applies none).
    "coach writeback audit --all --format csv --output audit.csv": (
        1,
        "Error: No write-back has been applied to this warehouse yet.",
    ),
}

# An example that asks for a password (twice, without echo) is given one on its input.
PASSWORD_INPUT = "Pencil-Harbor-Quartz-91\nPencil-Harbor-Quartz-91\n"
ASKS_PASSWORD = ("coach users add ", "coach users passwd ")

# An example whose output is rightly only a header here: why.
HEADER_ONLY = {
    "coach access-log --since 2026-06-01 --user lead-acme --format csv": "nobody has used the web "
    "app in this test, so the access log is empty (tests/web/test_access.py fills and reads it)",
}

_ENV_ASSIGNMENT = re.compile(r"^(?:[A-Z_]+=\S*\s+)+")
_COMMAND = re.compile(r"^(?:\.venv/bin/)?(coach(?:\s.*)?)$")
_TABLE_EXAMPLE = re.compile(r"^\| `coach [^`]*` \|.*\| `(coach [^`]*)` \|$")


def _shell_commands(line: str) -> Iterator[str]:
    """The `coach` commands of one shell line: its comment dropped, split at `&&`, `;` and
    braces, environment assignments and redirections left out."""
    code = re.split(r"(?:^|\s)#", line, maxsplit=1)[0]
    for part in re.split(r"&&|\|\||;|[{}]", code):
        part = _ENV_ASSIGNMENT.sub("", part.strip())
        part = re.split(r"\s+\d?>>?", part)[0].strip()
        if match := _COMMAND.match(part):
            yield match.group(1)


def readme_examples(text: str) -> list[str]:
    """The README's `coach` examples, in order, each once."""
    found: list[str] = []
    for block in re.finditer(r"^```(?:sh|cron)\n(.*?)^```", text, re.M | re.S):
        for line in block.group(1).splitlines():
            found.extend(_shell_commands(line))
    for line in text.splitlines():
        if match := _TABLE_EXAMPLE.match(line):
            found.extend(_shell_commands(match.group(1)))
    return list(dict.fromkeys(found))


def _redirect(text: str, command: str) -> str | None:
    """The file a README line sends the command's standard output to (`coach ... > FILE`)."""
    match = re.search(re.escape(command) + r"\s+>(?!>)\s*([^\s`>]+)", text)
    return match.group(1) if match else None


def _written_file(args: list[str]) -> str | None:
    for option in ("--out", "--output"):
        if option in args:
            return args[args.index(option) + 1]
    return None


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """The demo workspace, ingested over HTTP and built as of its fixed date (~17 s)."""
    with build_pipeline(tmp_path_factory.mktemp("readme-demo"), workspace="demo") as built:
        yield built


def test_the_examples_are_found():
    examples = readme_examples(README.read_text(encoding="utf-8"))
    assert 'coach report caseload --lookback 28 --coach "Daniel Becker"' in examples
    assert "coach doctor" in examples and "coach writeback --apply" in examples
    assert not [example for example in examples if ">" in example or "#" in example]


def test_every_skip_is_still_a_readme_example():
    examples = readme_examples(README.read_text(encoding="utf-8"))
    assert sorted(set(SKIPPED) - set(examples)) == []
    assert sorted(set(EXIT) - set(examples)) == []
    assert sorted(set(HEADER_ONLY) - set(examples)) == []


def test_the_readme_examples_run(demo: Pipeline, tmp_path: Path, monkeypatch):
    """Each example in one test: the module's one warehouse is built once, whatever the worker."""
    text = README.read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # files the examples write land here
    failures, timings = [], []
    for example in readme_examples(text):
        if example in SKIPPED:
            continue
        args = shlex.split(example)[1:]
        started = time.monotonic()
        typed = PASSWORD_INPUT if example.startswith(ASKS_PASSWORD) else None
        result = CliRunner().invoke(main, args, env=demo.env(), input=typed)
        timings.append((round(time.monotonic() - started, 1), example))
        problem = _problem(example, args, result, _redirect(text, example), tmp_path)
        if problem:
            failures.append(f"{example}\n    {problem}\n    {result.output[-600:]!r}")
    assert not failures, "\n".join(failures) + f"\ntimings: {sorted(timings, reverse=True)}"


def _problem(example, args, result, redirect, directory: Path) -> str | None:
    if "Traceback" in result.output:
        return "a traceback"
    if example in EXIT:
        code, says = EXIT[example]
        if result.exit_code != code or result.output.strip() != says:
            return f"expected exit code {code} and {says!r}"
        return None
    if result.exit_code != 0:
        return f"exit code {result.exit_code}"
    if not result.output.strip():
        return "no output"
    if example in HEADER_ONLY:
        return None if result.stdout.startswith("at,user_name,event,") else "expected a header"
    if redirect is not None and len(result.stdout.strip().splitlines()) < 2:
        return f"> {redirect}: expected a header and rows on stdout"
    written = _written_file(args)
    if written is not None:
        path = directory / written
        if not path.is_file() or len(path.read_text(encoding="utf-8").splitlines()) < 2:
            return f"{written}: expected a file with a header and rows"
    return None
