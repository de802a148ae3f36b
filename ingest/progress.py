"""What a run shows while it works: a progress bar per stream on a terminal, log lines otherwise."""

from __future__ import annotations

import logging
import sys
import time
from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Column

log = logging.getLogger("coach.ingest")


class Reporter(Protocol):
    def start(self, stream: str, mode: str, total: int | None) -> None: ...
    def advance(self, stream: str, records: int) -> None: ...
    def finish(self, stream: str, outcome: str, summary: str) -> None: ...
    def close(self) -> None: ...


class LogReporter:
    """Plain lines on stderr: one at the start and end of each stream, one every `every` s."""

    def __init__(self, every: float = 5.0) -> None:
        self._every = every
        self._done: dict[str, int] = {}
        self._total: dict[str, int | None] = {}
        self._last: dict[str, float] = {}

    def start(self, stream: str, mode: str, total: int | None) -> None:
        """Called again when the expected total becomes known or grows."""
        again = stream in self._total
        self._done.setdefault(stream, 0)
        self._total[stream] = total
        if again:
            return
        self._last[stream] = time.monotonic()
        expected = "" if total is None else f", about {total:,} records to read"
        log.info("%s: %s started%s", stream, mode, expected)

    def advance(self, stream: str, records: int) -> None:
        self._done[stream] = self._done.get(stream, 0) + records
        now = time.monotonic()
        if now - self._last.get(stream, now) >= self._every:
            self._last[stream] = now
            total = self._total.get(stream)
            of = "" if total is None else f" of about {total:,}"
            log.info("%s: %s records%s", stream, f"{self._done[stream]:,}", of)

    def finish(self, stream: str, outcome: str, summary: str) -> None:
        log.info("%s: %s, %s", stream, outcome, summary)

    def close(self) -> None:
        pass


class RichReporter:
    def __init__(self, console: Console) -> None:
        # The bar and the counts keep their width on a narrow terminal; the note gives way.
        self._progress = Progress(
            TextColumn("{task.description:<13}", table_column=Column(no_wrap=True)),
            BarColumn(bar_width=16),
            MofNCompleteColumn(table_column=Column(no_wrap=True)),
            TimeElapsedColumn(),
            TextColumn(
                "{task.fields[note]}",
                table_column=Column(no_wrap=True, overflow="ellipsis", ratio=1),
            ),
            console=console,
            expand=True,
        )
        self._tasks: dict[str, TaskID] = {}
        self._progress.start()

    def start(self, stream: str, mode: str, total: int | None) -> None:
        if stream in self._tasks:
            self._progress.update(self._tasks[stream], total=total, note=mode)
        else:
            self._tasks[stream] = self._progress.add_task(stream, total=total, note=mode)

    def advance(self, stream: str, records: int) -> None:
        if stream not in self._tasks:
            self.start(stream, "", None)
        self._progress.advance(self._tasks[stream], records)

    def finish(self, stream: str, outcome: str, summary: str) -> None:
        if stream not in self._tasks:
            self.start(stream, "", None)
        task = self._tasks[stream]
        done = self._progress.tasks[self._tasks[stream]].completed
        self._progress.update(
            task, total=max(done, 1), completed=max(done, 1), note=f"{outcome}: {summary}"
        )

    def close(self) -> None:
        self._progress.stop()


def make_reporter() -> Reporter:
    console = Console(stderr=True)
    if console.is_terminal:
        return RichReporter(console)
    configure_logging()
    return LogReporter()


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is when a line is logged, not when the handler was made
    (one process may run several commands, as click's test runner does)."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging() -> None:
    if not log.handlers:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    # httpx logs each request at INFO: too much for a run of thousands of pages.
    logging.getLogger("httpx").setLevel(logging.WARNING)
