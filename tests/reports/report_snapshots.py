"""Every report and export command's output on a fixed warehouse, saved and compared.

A migration check for changes that must not change what users see (issue 11: the rules moved
from reports/ into dbt). Save the outputs before the change, again after, and compare:

    python -m tests.reports.report_snapshots save before.json [--workspace tiny,demo]
    python -m tests.reports.report_snapshots save after.json
    python -m tests.reports.report_snapshots compare before.json after.json

Each workspace is ingested from the fake Intercom and built with a fixed as-of date
(tests/pipeline.py); the filter values (coach, employer, referral) are chosen from its data, so
both runs ask the same questions. Errors (exit code and message) are saved as well as successes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.pipeline import Pipeline, build_pipeline

REPORT_FORMATS = ("json",)


def _one(pipeline: Pipeline, sql: str) -> str:
    with pipeline.connect() as con:
        row = con.execute(sql).fetchone()
    assert row is not None, sql
    return str(row[0])


def _report_commands(pipeline: Pipeline) -> Iterator[tuple[str, ...]]:
    coach = _one(
        pipeline,
        "select coach_id from coaching_sessions where coach_id is not null"
        " group by 1 order by count(*) desc, 1 limit 1",
    )
    coach_name = _one(
        pipeline, f"select min(coach_name) from coaching_sessions where coach_id = '{coach}'"
    )
    employer = _one(
        pipeline,
        "select employer from members where employer is not null"
        " group by 1 order by count(*) desc, 1 limit 1",
    )
    other = _one(
        pipeline,
        "select employer from members where employer is not null"
        " group by 1 order by count(*) desc, 1 limit 1 offset 1",
    )
    caseload = [
        (),
        ("--lookback", "7"),
        ("--lookback", "28"),
        ("--lookback", "90"),
        ("--lookback", "365"),
        ("--coach", coach),
        ("--coach", coach_name.upper(), "--lookback", "90"),
        ("--channel", "phone", "--channel", "Video Conference"),
        ("--channel", "Email", "--lookback", "28"),
        ("--employer", employer),
        ("--exclude-employer", employer),
        ("--employer", employer, "--employer", other, "--lookback", "90"),
        ("--coach", coach, "--channel", "Chat", "--exclude-employer", other),
    ]
    for args in caseload:
        yield ("report", "caseload", *args)
    sessions = [
        (),
        ("--lookback", "7"),
        ("--lookback", "28"),
        ("--lookback", "90"),
        ("--from", "2026-05-01", "--to", "2026-05-31"),
        ("--from", "2026-06-01"),
        ("--to", "2026-01-31"),
        ("--lookback", "28", "--from", "2026-06-01"),
        ("--coach", coach, "--lookback", "120", "--channel", "Email"),
        ("--employer", employer),
        ("--exclude-employer", employer, "--channel", "Phone"),
        ("--from", "2020-01-01", "--to", "2020-01-31"),
    ]
    for args in sessions:
        yield ("report", "sessions", *args)
    participants = [
        (),
        ("--lookback", "7"),
        ("--lookback", "28"),
        ("--lookback", "90"),
        ("--from", "2026-01-01", "--to", "2026-03-31"),
        ("--coach", coach_name),
        ("--employer", employer),
        ("--exclude-employer", employer, "--lookback", "90"),
    ]
    for args in participants:
        yield ("report", "participants", *args)
    billing = [
        (),
        ("--previous",),
        ("--month", "2026-03"),
        ("--month", "2026-01"),
        ("--employer", employer),
        ("--exclude-employer", employer, "--previous"),
    ]
    for args in billing:
        yield ("report", "billing", *args)


def _table_commands() -> Iterator[tuple[str, ...]]:
    yield ("report", "caseload", "--lookback", "28")
    yield ("report", "sessions", "--lookback", "28")
    yield ("report", "participants")
    yield ("report", "billing", "--previous")


BAD_INPUT = [
    ("report", "caseload", "--lookback", "0"),
    ("report", "caseload", "--lookback", "366"),
    ("report", "caseload", "--coach", "nobody at all"),
    ("report", "caseload", "--channel", "SMS"),
    ("report", "caseload", "--employer", "No Such Employer Inc"),
    ("report", "sessions", "--from", "2026-05-31", "--to", "2026-05-01"),
    ("report", "sessions", "--channel", "Fax"),
    ("report", "participants", "--lookback", "400"),
    ("report", "billing", "--month", "2026-13"),
    ("report", "billing", "--month", "2026-03", "--previous"),
]


def _export_commands(pipeline: Pipeline) -> Iterator[tuple[str, ...]]:
    referral = _one(
        pipeline,
        "select referral from members where referral is not null"
        " group by 1 order by count(*) desc, 1 limit 1",
    )
    employer = _one(
        pipeline,
        "select employer from members where employer is not null"
        " group by 1 order by count(*) desc, 1 limit 1",
    )
    yield ("export", "engagement")
    yield ("export", "engagement", "--status", "engaged")
    yield ("export", "engagement", "--status", "At Risk", "--status", "Unengaged")
    yield ("export", "engagement", "--referral", referral)
    yield ("export", "engagement", "--referral", referral.lower(), "--status", "Engaged")
    yield ("export", "engagement", "--employer", employer, "--enrolled-from", "2026-01-01")
    yield ("export", "engagement", "--last-session-from", "2026-05-01", "--status", "Engaged")
    yield ("export", "engagement", "--status", "Gone")
    yield ("export", "billing")
    yield ("export", "billing", "--previous", "--exclude-employer", employer)
    yield ("export", "participants", "--lookback", "60")


# When the build ran differs between two builds of the same data: masked.
BUILT_AT = (
    (re.compile(r'"built_at": "[^"]*"'), '"built_at": "<built>"'),
    (re.compile(r"built \d{4}-\d{2}-\d{2} \d{2}:\d{2} \S+"), "built <built>"),
)


def _masked(text: str) -> str:
    for pattern, replacement in BUILT_AT:
        text = pattern.sub(replacement, text)
    return text


def snapshot(pipeline: Pipeline, scratch: Path) -> dict[str, dict]:
    outputs: dict[str, dict] = {}

    def record(args: tuple[str, ...], out: Path | None = None) -> None:
        result = pipeline.coach(*args)
        entry = {
            "exit_code": result.exit_code,
            "stdout": _masked(result.stdout),
            "stderr": _masked(result.stderr),
        }
        if out is not None:
            entry["stdout"] = entry["stdout"].replace(str(out), "<out>")
            entry["file"] = out.read_text(encoding="utf-8") if out.exists() else None
            out.unlink(missing_ok=True)
        key = " ".join(args)
        outputs[key.replace(str(out), "<out>") if out is not None else key] = entry

    for args in _report_commands(pipeline):
        for fmt in REPORT_FORMATS:
            record((*args, "--format", fmt))
    for args in _table_commands():
        record(args)
    for args in BAD_INPUT:
        record(args)
    for number, args in enumerate(_export_commands(pipeline)):
        out = scratch / f"export-{number}.csv"
        record((*args, "--out", str(out)), out)
    return outputs


def save(target: Path, workspaces: list[str]) -> None:
    saved: dict[str, dict] = {}
    for workspace in workspaces:
        with (
            tempfile.TemporaryDirectory() as directory,
            build_pipeline(Path(directory) / "w", workspace=workspace) as pipeline,
        ):
            saved[workspace] = snapshot(pipeline, Path(directory))
    target.write_text(json.dumps(saved, indent=1, ensure_ascii=False, sort_keys=True))
    count = sum(len(v) for v in saved.values())
    print(f"Saved {count} command outputs to {target}.")


def compare(before: Path, after: Path) -> int:
    old, new = json.loads(before.read_text()), json.loads(after.read_text())
    differences = 0
    for workspace in sorted(set(old) | set(new)):
        a, b = old.get(workspace, {}), new.get(workspace, {})
        for command in sorted(set(a) | set(b)):
            if a.get(command) != b.get(command):
                differences += 1
                print(f"DIFFERENT [{workspace}] coach {command}")
                for key in ("exit_code", "stdout", "stderr", "file"):
                    x, y = (a.get(command) or {}).get(key), (b.get(command) or {}).get(key)
                    if x != y:
                        print(f"  {key}: before {str(x)[:300]!r}\n  {key}: after  {str(y)[:300]!r}")
    total = sum(len(v) for v in new.values())
    print(f"{differences} of {total} command outputs differ.")
    return 1 if differences else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    saving = sub.add_parser("save")
    saving.add_argument("target", type=Path)
    saving.add_argument("--workspace", default="tiny,demo")
    comparing = sub.add_parser("compare")
    comparing.add_argument("before", type=Path)
    comparing.add_argument("after", type=Path)
    args = parser.parse_args()
    if args.command == "save":
        save(args.target, args.workspace.split(","))
    else:
        sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
