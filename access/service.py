"""Everything the web app needs of the access store, opened once: users, sessions, log-ins, the
access log and the CSRF key."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from access.log import AccessLog
from access.login import Login
from access.sessions import Sessions
from access.settings import AccessSettings, access_settings
from access.store import AccessStore
from access.users import Users


@dataclass(frozen=True)
class Access:
    settings: AccessSettings
    store: AccessStore
    users: Users
    sessions: Sessions
    login: Login
    log: AccessLog
    csrf_secret: str

    @classmethod
    def open(cls, settings: AccessSettings, clock: Callable[[], float] = time.time) -> Access:
        store = AccessStore(settings.store)
        users = Users(store)
        return cls(
            settings=settings,
            store=store,
            users=users,
            sessions=Sessions(store, users, settings, clock),
            login=Login(store, users, settings, clock),
            log=AccessLog(store),
            csrf_secret=store.secret("csrf"),
        )


def warehouse_users(published: Path) -> Users:
    """The users of the warehouse published at `published` (its access store, created on first
    use): what `coach users`, the demo and the benchmarks manage."""
    return Users(AccessStore(access_settings(published).store))
