"""File-system trouble is one line and an exit code, by class, never a traceback: a destination
that cannot be written (not a directory, /proc, an immutable directory, a full disk), a report
piped into a full disk, a warehouse without a write-back asked for its audit, and publishing
onto a full disk (which leaves nothing behind)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pipeline import Pipeline
from tests.warehouse_copy import copy_warehouse

REPO = Path(__file__).resolve().parents[2]


def coach_process(
    pipeline: Pipeline, args: list[str], *, file_limit: int | None = None, stdout=subprocess.PIPE
) -> subprocess.CompletedProcess[str]:
    """`coach ARGS` in a process of its own; `file_limit` caps the size of any file it writes
    (the kernel then refuses the write with EFBIG, as a full disk refuses it with ENOSPC)."""

    def limit() -> None:
        if file_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        env={"PATH": "/usr/bin:/bin", **pipeline.env()},
        cwd=REPO,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=limit,
        timeout=300,
    )


def one_line(run: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert run.returncode == code, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("Error: ") and fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("destination", "code", "fragment"),
    [
        ("/proc/coach-export.csv", 2, "Cannot write /proc/coach-export.csv"),
        ("{tmp}/a-file/export.csv", 2, "Not a directory"),
        ("{tmp}/no/such/dir/../../x/export.csv", 2, "Cannot write"),
    ],
)
def test_an_export_that_cannot_be_written_is_one_line(
    pipeline: Pipeline, tmp_path, destination, code, fragment
):
    (tmp_path / "a-file").write_text("not a directory")
    target = destination.format(tmp=tmp_path)
    run = coach_process(pipeline, ["export", "billing", "--out", target])
    if "no/such" in destination:  # parents are created: it is written
        assert run.returncode == 0, run.stderr
        return
    one_line(run, code, fragment)


def test_an_export_into_an_immutable_directory(pipeline: Pipeline, tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        pytest.skip("this file system cannot make a directory immutable (chattr +i)")
    try:
        run = coach_process(pipeline, ["export", "billing", "--out", str(locked / "x.csv")])
        one_line(run, 2, f"Cannot write {locked / 'x.csv'}: Operation not permitted")
    finally:
        subprocess.run(["chattr", "-i", str(locked)], check=True)


def test_an_export_onto_a_full_disk_leaves_nothing(pipeline: Pipeline, tmp_path):
    target = tmp_path / "engagement.csv"
    run = coach_process(pipeline, ["export", "engagement", "--out", str(target)], file_limit=512)
    one_line(run, 1, f"Cannot write {target}: File too large; nothing was written")
    assert os.listdir(tmp_path) == []


def test_a_report_piped_into_a_full_disk(pipeline: Pipeline):
    with open("/dev/full", "w") as full:
        run = coach_process(pipeline, ["report", "caseload", "--format", "csv"], stdout=full)
    one_line(run, 1, "Cannot write the output: No space left on device")


@pytest.mark.parametrize(
    "args", [[], ["--all"], ["--run", "writeback-x"], ["--format", "json", "--all"]]
)
def test_the_audit_of_a_warehouse_that_never_had_a_write_back(pipeline: Pipeline, args):
    run = coach_process(pipeline, ["writeback", "audit", *args])
    one_line(run, 1, "No write-back has been applied to this warehouse yet")


def test_publishing_onto_a_full_disk_is_one_line_and_leaves_no_copy(pipeline: Pipeline, tmp_path):
    copy = copy_warehouse(pipeline.paths, tmp_path / "full")
    before = copy.published.read_bytes()
    size = copy.working.stat().st_size
    run = coach_process(
        pipeline,
        ["build", "--warehouse", str(copy.published), "--as-of", pipeline.as_of],
        file_limit=size // 2,  # dbt can work in the file; the published copy cannot be made
    )
    # The disk fills while the build checkpoints or while the copy is made: one line either way.
    one_line(run, 1, "File too large")
    assert not list(copy.directory.glob(".*.publishing"))
    assert copy.published.read_bytes() == before  # readers keep the previous copy
    # Space again: the next build works.
    again = pipeline.coach("build", "--warehouse", str(copy.published), "--as-of", pipeline.as_of)
    assert again.exit_code == 0, again.output


def test_the_publish_copy_onto_a_full_disk_leaves_no_copy(pipeline: Pipeline, tmp_path):
    copy = copy_warehouse(pipeline.paths, tmp_path / "copy-full")
    before = copy.published.read_bytes()
    publish = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from pathlib import Path; from warehouse.store import WarehousePaths, "
            "publish; from warehouse.errors import CoachError\n"
            "try: publish(WarehousePaths(Path(sys.argv[1])))\n"
            "except CoachError as e: print(e, file=sys.stderr); sys.exit(1)",
            str(copy.published),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        preexec_fn=lambda: (
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN),
            resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096)),
        ),
    )
    assert publish.returncode == 1, publish.stderr
    assert publish.stderr.startswith(f"Cannot publish {copy.published}: File too large.")
    assert not list(copy.directory.glob(".*.publishing"))
    assert copy.published.read_bytes() == before
