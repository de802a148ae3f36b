"""How much memory DuckDB held at most while a command ran.

DuckDB reports what it holds now (`duckdb_memory()`), not a high-water mark, so `PeakMemory`
samples it from a thread of its own (every 50 ms, on a cursor of the command's connection)
until stopped. Ingest records the peak in its run log, so a run's headroom under
`COACH_INGEST_MEMORY_LIMIT` is visible; a peak between two samples can be missed.
"""

from __future__ import annotations

import contextlib
import threading

import duckdb

INTERVAL_SECONDS = 0.05


class PeakMemory:
    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._cursor = con.cursor()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="duckdb-memory", daemon=True)
        self.peak_bytes = 0

    def _watch(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(duckdb.Error):
                held = self._cursor.execute(
                    "select sum(memory_usage_bytes) from duckdb_memory()"
                ).fetchone()[0]
                self.peak_bytes = max(self.peak_bytes, int(held or 0))
            self._stop.wait(INTERVAL_SECONDS)

    @property
    def peak_mb(self) -> float:
        return round(self.peak_bytes / 2**20, 1)

    def start(self) -> PeakMemory:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        with contextlib.suppress(duckdb.Error):
            self._cursor.close()
