"""Generated workspaces cached as SQLite files, so `medium` and `large` are generated once.

A cache file is keyed by (size, seed, as-of date, generator version) and lives in the cache
directory (`COACH_FAKE_CACHE`, default `data/fake-cache/`, owner-only, git-ignored). Each fake
works on its own private copy of the file, deleted when the fake closes, so the cached
workspace is never modified.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import shutil
import uuid
from datetime import datetime
from pathlib import Path

from filelock import FileLock

from fake_intercom.generator import GENERATOR_VERSION, anchor_of, generate_workspace
from fake_intercom.rules import load_rules
from fake_intercom.store import Store

DEFAULT_CACHE_DIR = Path("data/fake-cache")
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    path = Path(override or os.environ.get("COACH_FAKE_CACHE") or DEFAULT_CACHE_DIR)
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)
    return path


# The modules whose code decides what a generated workspace holds.
_PACKAGE = Path(__file__).parent
_GENERATOR_SOURCES = (
    *sorted(p.relative_to(_PACKAGE).as_posix() for p in (_PACKAGE / "generator").glob("*.py")),
    "rules.py",
    "dirty.py",
    "records.py",
    "history.py",
    "store.py",
    "store_schema.py",
)


@functools.cache
def generator_version() -> str:
    """GENERATOR_VERSION plus a digest of the generator's sources and of the rules it reads from
    the dbt project, so neither a code change nor a changed var or seed can serve a stale cached
    workspace."""
    digest = hashlib.blake2b(digest_size=4)
    for name in _GENERATOR_SOURCES:
        digest.update((_PACKAGE / name).read_bytes())
    digest.update(repr(load_rules()).encode())
    return f"g{GENERATOR_VERSION}.{digest.hexdigest()}"


def cache_file(directory: Path, size: str, seed: int, now: datetime) -> Path:
    day = anchor_of(now).date().isoformat()
    return directory / f"{size}-seed{seed}-{day}-{generator_version()}.sqlite"


def _remove_other_versions(target: Path) -> None:
    """Cached files of the same workspace made by other generator code."""
    prefix = target.name.rsplit("-g", 1)[0] + "-g"
    for path in target.parent.glob(prefix + "*.sqlite*"):
        if not path.name.startswith(target.name):
            path.unlink(missing_ok=True)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_copies(directory: Path) -> None:
    """Working copies and half-generated files left by processes that died (their pid is in
    the name: `.working-<pid>-...` and `.<name>.<pid>.partial`)."""
    for path in directory.iterdir():
        name = path.name
        if name.startswith(".working-"):
            pid = name.split("-")[1]
        elif name.endswith(".partial"):
            pid = name.rsplit(".", 2)[-2]
        else:
            continue
        if pid.isdigit() and not _pid_alive(int(pid)):
            path.unlink(missing_ok=True)


def cached_store(size: str, seed: int, now: datetime, directory: Path) -> Store:
    """A store on a private copy of the cached workspace, generating it first if needed."""
    target = cache_file(directory, size, seed, now)
    with FileLock(str(target) + ".lock", mode=PRIVATE_FILE):
        _remove_stale_copies(directory)
        if not target.exists():
            partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
            partial.unlink(missing_ok=True)
            store = Store(partial)
            os.chmod(partial, PRIVATE_FILE)
            try:
                generate_workspace(store, size, seed, now)
                store.conn.execute("PRAGMA optimize")
            finally:
                store.close()
            os.replace(partial, target)
            _remove_other_versions(target)
        working = directory / f".working-{os.getpid()}-{uuid.uuid4().hex[:8]}-{target.name}"
        shutil.copyfile(target, working)
        os.chmod(working, PRIVATE_FILE)
    try:
        return Store(working, delete_on_close=True)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            working.unlink()
        raise
