"""Cutting a stream's `updated_at` range into slices that search can read exactly.

Conversations search compares to the second, so a slice is `[lo, hi)` in unix seconds. Contacts
search compares dates by whole day (the workspace's day in Intercom, the UTC day in the fake): a
slice is a run of whole days, and its filters use the *noon* of a boundary day, which names the
same calendar day whichever of those two clocks the server uses, so neighbouring slices tile
exactly either way: `updated_at > noon(first day - 1)` (= from the start of the first day) and
`updated_at < noon(day after the last)` (= before the start of that day).

Slices are balanced by record count: `bisect` probes `total_count` (searches with `per_page=1`)
and halves any range holding more than the target, emitting final slices as soon as they are
known so paging starts while planning goes on.

A single day of contacts cannot be cut by `updated_at`; when it holds more than the target (tens
of thousands of contacts touched on one day) `split_by_created` cuts it by `created_at` day
instead, which contact search also accepts, so the day is read by several workers at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Bound = int | None  # unix seconds; None = unbounded on that side


@dataclass(frozen=True)
class Slice:
    """`lo <= updated_at < hi`, and `created_lo <= created_at < created_hi` when a day was cut by
    `created_at` (None: unbounded on that side)."""

    lo: Bound
    hi: Bound
    expected: int = 0
    created_lo: Bound = None
    created_hi: Bound = None


@dataclass(frozen=True)
class TimeAxis:
    day_granular: bool
    tz: ZoneInfo
    field: str = "updated_at"

    def condition(self, operator: str, value: int) -> dict[str, Any]:
        return {"field": self.field, "operator": operator, "value": value}

    def _date(self, t: int) -> date:
        return datetime.fromtimestamp(t, self.tz).date()

    def _at(self, day: date, clock: time) -> int:
        return int(datetime.combine(day, clock, tzinfo=self.tz).timestamp())

    def floor(self, t: int) -> int:
        """The slice boundary at or before `t`."""
        return self._at(self._date(t), time(0)) if self.day_granular else t

    def widen(self, t: int) -> int:
        """A boundary early enough that reading from it includes every record updated at or after
        `t`, whether the server counts days in the workspace's zone or in UTC."""
        if not self.day_granular:
            return t
        return self._at(self._date(t) - timedelta(days=1), time(0))

    def midpoint(self, a: int, b: int) -> int | None:
        """A boundary strictly inside (a, b), or None when the range cannot be cut."""
        if not self.day_granular:
            mid = (a + b) // 2
            return mid if a < mid < b else None
        first, last = self._date(a), self._date(b)
        if (last - first).days < 2:
            return None
        return self._at(first + timedelta(days=(last - first).days // 2), time(0))

    def filters(self, lo: Bound, hi: Bound) -> list[dict[str, Any]]:
        """The search filters for `lo <= field < hi` on this axis (none when unbounded)."""
        parts = []
        if lo is not None:
            if self.day_granular:
                noon = self._at(self._date(lo) - timedelta(days=1), time(12))
                parts.append(self.condition(">", noon))
            else:
                parts.append(self.condition(">", lo - 1))
        if hi is not None:
            parts.append(
                self.condition("<", self._at(self._date(hi), time(12)) if self.day_granular else hi)
            )
        return parts

    def query(self, lo: Bound, hi: Bound) -> dict[str, Any]:
        """The search query for `lo <= updated_at < hi` on this axis."""
        return _joined(self.filters(lo, hi) or [self.condition(">", 0)])

    def created(self) -> TimeAxis:
        """The `created_at` axis in the same clock."""
        return TimeAxis(self.day_granular, self.tz, "created_at")


def _joined(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return parts[0] if len(parts) == 1 else {"operator": "AND", "value": parts}


def slice_query(piece: Slice, axis: TimeAxis) -> dict[str, Any]:
    """The search query for exactly the records of `piece`."""
    created = axis.created().filters(piece.created_lo, piece.created_hi)
    return _joined((axis.filters(piece.lo, piece.hi) + created) or [axis.condition(">", 0)])


def gaps(covered: Iterable[tuple[Bound, Bound]], start: Bound) -> list[tuple[Bound, Bound]]:
    """The parts of `[start, +inf)` that no slice in `covered` holds (slices never overlap)."""
    result: list[tuple[Bound, Bound]] = []
    cursor = start
    ordered = sorted(covered, key=lambda s: float("-inf") if s[0] is None else s[0])
    for lo, hi in ordered:
        if lo is not None and (cursor is None or lo > cursor):
            result.append((cursor, lo))
        if hi is None:
            return result
        cursor = hi if cursor is None else max(cursor, hi)
    result.append((cursor, None))
    return result


async def bisect(
    lo: Bound,
    hi: Bound,
    count: int,
    *,
    axis: TimeAxis,
    span: tuple[int, int],
    target: int,
    probe: Callable[[Bound, Bound], Awaitable[int]],
    emit: Callable[[Slice], Awaitable[None]],
) -> None:
    """Split `[lo, hi)` (holding `count` records) until every part holds at most `target`.

    `span` gives concrete ends for open bounds: the oldest `updated_at` and the run's start.
    """
    a = lo if lo is not None else span[0]
    b = hi if hi is not None else span[1]
    mid = axis.midpoint(a, b) if count > target and a < b else None
    if mid is None:
        await emit(Slice(lo, hi, count))
        return
    left = await probe(lo, mid)
    await asyncio.gather(
        bisect(lo, mid, left, axis=axis, span=span, target=target, probe=probe, emit=emit),
        bisect(
            mid,
            hi,
            max(count - left, 0),
            axis=axis,
            span=span,
            target=target,
            probe=probe,
            emit=emit,
        ),
    )


async def split_by_created(
    piece: Slice,
    *,
    axis: TimeAxis,
    oldest_created: int,
    latest: int,
    target: int,
    probe: Callable[[Slice], Awaitable[int]],
) -> list[Slice]:
    """Cut `piece` (a day `updated_at` cannot cut) by `created_at` day into parts of at most
    `target` records where the days allow; the parts tile the piece exactly. `oldest_created` is
    the least `created_at` in it, `latest` a time no record in it was created after."""
    parts: list[Slice] = []

    async def collect(part: Slice) -> None:
        parts.append(Slice(piece.lo, piece.hi, part.expected, part.lo, part.hi))

    await bisect(
        None,
        None,
        piece.expected,
        axis=axis.created(),
        span=(oldest_created, max(latest, oldest_created)),
        target=target,
        probe=lambda lo, hi: probe(Slice(piece.lo, piece.hi, 0, lo, hi)),
        emit=collect,
    )
    return parts
