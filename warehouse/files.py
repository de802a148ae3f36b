"""Files holding personal data: owner-only permissions and atomic replacement."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from warehouse.errors import UsageError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and parents) if missing; a directory we create is owner-only."""
    if not path.exists():
        path.mkdir(parents=True, mode=PRIVATE_DIR, exist_ok=True)
        os.chmod(path, PRIVATE_DIR)
    return path


def make_private(path: Path) -> None:
    if path.exists():
        os.chmod(path, PRIVATE_FILE)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_private_file(
    target: Path, *, force: bool = False, mode: str = "w", newline: str | None = ""
) -> Iterator[IO]:
    """Write to a temporary owner-only file beside `target`, then rename it into place.

    Readers never see a half-written file; on any error the temporary file is removed and
    `target` is untouched. An existing `target` is refused unless `force` is set.
    """
    target = Path(target)
    if not target.name or target.is_dir():
        raise UsageError(
            f"{str(target) or 'An empty name'!r} is not a file name; name the file to write, "
            "such as data/report.csv."
        )
    if target.exists() and not force:
        raise UsageError(f"{target} already exists; pass --force to overwrite it.")
    ensure_private_dir(target.parent if str(target.parent) else Path("."))
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        os.fchmod(fd, PRIVATE_FILE)
        binary = "b" in mode
        with os.fdopen(
            fd, mode, **({} if binary else {"encoding": "utf-8", "newline": newline})
        ) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
        fsync_dir(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
