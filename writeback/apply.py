"""Sending a plan to Intercom: one `PUT /contacts/{id}` per contact, only its changed attributes.

Requests go through the shared `IntercomClient` (one rate-limit budget, retries of 429s, 5xx,
timeouts and broken bodies), `concurrency` contacts at a time. For each contact the intent is
committed to the audit log before the PUT is sent, and the outcome is committed together with
the landing of the contact Intercom returned, so a killed run leaves at most the writes that were
in flight undecided. `settle_in_doubt` decides those on the next run by reading the contacts
back, instead of sending them again.

Database work goes through a `Journal`: writers queue their rows and wait; one loop commits
whatever has gathered in one transaction (a group commit), so the warehouse keeps up with a
hundred writes a second.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import duckdb

from intercom.client import CallStats, IntercomClient
from intercom.errors import IntercomAuthError, IntercomError, IntercomNotFound
from warehouse.writer import Database
from writeback import audit
from writeback.audit import Outcome, PendingWrite
from writeback.plan import ContactChange, typed_value


class Journal:
    """Group commits of intents and outcomes on the warehouse thread, in arrival order."""

    def __init__(self, db: Database, landing_run_id: str) -> None:
        self._db = db
        self._landing_run_id = landing_run_id
        self._queue: list[tuple[Callable[[duckdb.DuckDBPyConnection], None], asyncio.Future]] = []
        self._wake = asyncio.Event()
        self._closed = False
        self._loop_task = asyncio.ensure_future(self._loop())

    async def intend(self, run_id: str, change: ContactChange) -> None:
        await self._submit(lambda con: audit.record_intents(con, run_id, [change]))

    async def settle(self, outcome: Outcome) -> None:
        await self._submit(lambda con: audit.record_outcomes(con, [outcome], self._landing_run_id))

    async def skip(self, run_id: str, changes: Sequence[ContactChange], reason: str) -> None:
        await self._submit(
            lambda con: audit.record_intents(con, run_id, changes, "skipped", reason)
        )

    async def _submit(self, action: Callable[[duckdb.DuckDBPyConnection], None]) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((action, future))
        self._wake.set()
        await future

    async def close(self) -> None:
        self._closed = True
        self._wake.set()
        await self._loop_task

    async def _loop(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            batch, self._queue = self._queue, []
            if batch:
                try:
                    await self._db.transaction(*(action for action, _ in batch))
                except BaseException as exc:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(exc)
                    if not isinstance(exc, Exception):
                        raise
                else:
                    for _, future in batch:
                        if not future.done():
                            future.set_result(None)
            elif self._closed:
                return


@dataclass
class ApplyResult:
    applied: int = 0
    failed: int = 0
    skipped: int = 0
    fatal: IntercomError | None = None


def contact_path(contact_id: str) -> str:
    return f"/contacts/{quote(contact_id, safe='')}"


async def send_changes(
    client: IntercomClient,
    journal: Journal,
    run_id: str,
    changes: Sequence[ContactChange],
    *,
    concurrency: int,
    stats: CallStats,
) -> ApplyResult:
    """PUT every change, `concurrency` at a time. A rejected write is recorded and the run goes
    on; an authentication failure stops it (the rest are recorded as skipped)."""
    result = ApplyResult()
    todo = iter(changes)
    started = 0

    async def fail(change: ContactChange, error: str) -> None:
        await journal.settle(Outcome(run_id, change.contact_id, "failed", error))
        result.failed += 1

    async def write(change: ContactChange) -> None:
        await journal.intend(run_id, change)
        try:
            record = await client.put(
                contact_path(change.contact_id),
                json={"custom_attributes": change.custom_attributes},
                stats=stats,
            )
        except IntercomError as exc:
            if isinstance(exc, IntercomAuthError):
                result.fatal = result.fatal or exc
            await fail(change, str(exc))
            return
        if not isinstance(record, dict) or record.get("id") != change.contact_id:
            await fail(change, "Intercom answered without the contact")
            return
        await journal.settle(Outcome(run_id, change.contact_id, "applied", record=record))
        result.applied += 1

    async def worker() -> None:
        nonlocal started
        for change in todo:
            if result.fatal is not None:
                return
            started += 1
            await write(change)

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, min(concurrency, len(changes)))):
            group.create_task(worker())
    if result.fatal is not None:
        rest = list(changes[started:])
        if rest:
            await journal.skip(run_id, rest, f"not sent: the run stopped ({result.fatal})")
            result.skipped = len(rest)
    return result


def _matches(record: Any, writes: Sequence[PendingWrite]) -> bool:
    if not isinstance(record, dict):
        return False
    values = record.get("custom_attributes") or {}
    return all(
        values.get(w.attribute) == typed_value(w.data_type, w.new_value, w.attribute)
        for w in writes
    )


async def settle_in_doubt(
    client: IntercomClient,
    journal: Journal,
    pending: Sequence[PendingWrite],
    *,
    concurrency: int,
    stats: CallStats,
) -> int:
    """Decide the writes a killed run left pending by reading each contact back (one GET per
    contact): `applied` when Intercom holds the new values, else `failed`; either way the contact
    as read is landed, so the next plan starts from what Intercom holds. Returns how many
    contacts were applied."""
    by_contact: dict[tuple[str, str], list[PendingWrite]] = {}
    for write in pending:
        by_contact.setdefault((write.run_id, write.contact_id), []).append(write)
    slots = asyncio.Semaphore(concurrency)
    applied = 0

    async def settle(key: tuple[str, str], writes: list[PendingWrite]) -> None:
        nonlocal applied
        run_id, contact_id = key
        async with slots:
            try:
                record = await client.get(contact_path(contact_id), stats=stats)
            except IntercomNotFound:
                await journal.settle(
                    Outcome(run_id, contact_id, "failed", "interrupted; the contact is gone")
                )
                return
        if _matches(record, writes):
            applied += 1
            await journal.settle(
                Outcome(
                    run_id,
                    contact_id,
                    "applied",
                    "interrupted; confirmed by reading the contact back",
                    record,
                )
            )
        else:
            await journal.settle(
                Outcome(
                    run_id,
                    contact_id,
                    "failed",
                    "interrupted before Intercom applied it; retried by the next run",
                    record if isinstance(record, dict) else None,
                )
            )

    await asyncio.gather(*(settle(key, writes) for key, writes in by_contact.items()))
    return applied


async def with_journal(
    db: Database, landing_run_id: str, body: Callable[[Journal], Awaitable[Any]]
) -> Any:
    journal = Journal(db, landing_run_id)
    try:
        return await body(journal)
    finally:
        with contextlib.suppress(Exception):
            await journal.close()
