"""Decoding pages off the event loop.

Parsing a 150-record page and serialising and hashing its records costs a few milliseconds of
pure Python; at a hundred pages a second that alone would fill the event loop's core. Large
pages are therefore decoded in one worker process (started once, from a fork server, so it is
cheap to start again), on the other core; the event loop keeps to HTTP, and only strings
ready to land come back. Small pages are decoded in place.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from ingest.pages import Page, decode_page

INLINE_BYTES = 32_768  # below this a page is cheaper to decode than to ship


class PageDecoder:
    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None

    def for_stream(self, stream: str, records_key: str, where: str):
        """A decoder for `search_pages`/`list_pages` that prepares `stream`'s records."""

        async def decode(body: bytes) -> Page:
            work = partial(decode_page, body, records_key=records_key, where=where, stream=stream)
            if len(body) < INLINE_BYTES:
                return work()
            return await asyncio.get_running_loop().run_in_executor(self._worker(), work)

        return decode

    def _worker(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["ingest.pages"])
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=context)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
