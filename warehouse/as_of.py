"""Builds for another day than today (audits, reproductions) go to a warehouse of their own, so
that a mistyped or forgotten `--as-of` never changes what everyone reads.

`coach build --as-of DAY` (and `coach run --as-of DAY`) on the shared warehouse (the default
path or `COACH_WAREHOUSE`) copies the working file to `<name>.as-of-DAY.pipeline.duckdb` and
builds and publishes `<name>.as-of-DAY.duckdb` beside it; `--replace-published` builds the shared
one instead. A warehouse named with `--warehouse` is built as asked.
"""

from __future__ import annotations

import functools
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from warehouse.errors import CoachError
from warehouse.files import PRIVATE_FILE
from warehouse.store import WarehousePaths, pipeline_lock

PROJECT_FILE = Path(__file__).resolve().parent.parent / "dbt_project" / "dbt_project.yml"


@functools.cache
def program_timezone() -> str:
    """The dbt var `program_timezone`: the zone whose calendar days the models count in."""
    with PROJECT_FILE.open(encoding="utf-8") as handle:
        return str(yaml.safe_load(handle)["vars"]["program_timezone"])


def today() -> date:
    return datetime.now(ZoneInfo(program_timezone())).date()


def is_other_day(day: date | None) -> bool:
    return day is not None and day != today()


def audit_paths(paths: WarehousePaths, day: date) -> WarehousePaths:
    published = paths.published
    return WarehousePaths(published.with_name(f"{published.stem}.as-of-{day.isoformat()}.duckdb"))


def prepare_audit(paths: WarehousePaths, day: date) -> WarehousePaths:
    """A private copy of the shared working file (taken under its lock, so it is consistent)
    for a build as of `day`; returns the audit warehouse's paths."""
    audit = audit_paths(paths, day)
    if not paths.working.exists():
        raise CoachError(
            f"Nothing has been ingested into {paths.published} yet; run `coach ingest` first."
        )
    with pipeline_lock(paths, command="coach build --as-of"), pipeline_lock(audit):
        for source, target in (
            (paths.working, audit.working),
            (_wal(paths.working), _wal(audit.working)),  # a killed run's log, replayed on open
        ):
            target.unlink(missing_ok=True)
            if source.exists():
                shutil.copyfile(source, target)
                target.chmod(PRIVATE_FILE)
    return audit


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")
