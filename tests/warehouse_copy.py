"""The one way a test takes a private copy of a built warehouse, to change it without touching
the session's."""

from __future__ import annotations

import shutil
from pathlib import Path

from warehouse.store import WarehousePaths


def copy_warehouse(paths: WarehousePaths, directory: Path) -> WarehousePaths:
    """The working file, the published file (if published) and dbt's artifacts (if built, so
    the next build parses partially) of `paths`, copied into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    copy = WarehousePaths(directory / paths.published.name)
    shutil.copyfile(paths.working, copy.working)
    if paths.published.exists():
        shutil.copyfile(paths.published, copy.published)
    artifacts = paths.directory / f"{paths.published.stem}.dbt"
    if artifacts.is_dir():
        shutil.copytree(artifacts, directory / artifacts.name, dirs_exist_ok=True)
    return copy
