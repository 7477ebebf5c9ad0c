"""Text extraction on every core: pages go to worker processes in chunks.

The indexer reads the WARC (and writes the CDXJ) in this process while the workers decode,
extract and segment pages; at most a few chunks per worker are in flight, so memory stays
bounded whatever the size of the file.  With one worker it all runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Self

from indexer.extract_text import Page, describe_chunk
from search.words import initialise

CHUNK = 24
Described = list[tuple[int, dict[str, Any]]]


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else (os.cpu_count() or 1))


class TextPool:
    """A pool of text extractors; use as a context manager, feed pages, collect results."""

    def __init__(self, workers: int, pdf_max_bytes: int, max_decoded_bytes: int):
        """``workers``: processes (0: one per core); PDFs over ``pdf_max_bytes`` keep no text;
        pages are read from at most ``max_decoded_bytes`` of their decoded payload."""
        self.workers = workers or default_workers()
        self.pdf_max_bytes = pdf_max_bytes
        self.max_decoded_bytes = max_decoded_bytes
        self._executor: ProcessPoolExecutor | None = None
        self._pending: list[Page] = []
        self._futures: deque[Future[Described]] = deque()
        self._done: Described = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _submit(self, pages: list[Page]) -> None:
        if self.workers <= 1:
            initialise()
            self._done += describe_chunk(pages, self.pdf_max_bytes, self.max_decoded_bytes)
            return
        if self._executor is None:
            # fork only a single-threaded process (``diancang index``): beside the crawl's
            # threads and reactor the workers are spawned afresh
            method = ("fork" if threading.active_count() == 1
                      and "fork" in multiprocessing.get_all_start_methods() else "spawn")
            if method == "fork":
                initialise()     # once here, and every worker (of every pool) inherits it
            self._executor = ProcessPoolExecutor(
                self.workers, mp_context=multiprocessing.get_context(method),
                initializer=initialise)
        self._futures.append(self._executor.submit(describe_chunk, pages, self.pdf_max_bytes,
                                                   self.max_decoded_bytes))
        while len(self._futures) > 3 * self.workers:
            self._done += self._futures.popleft().result()

    def add(self, page: Page) -> None:
        self._pending.append(page)
        if len(self._pending) >= CHUNK:
            self._submit(self._pending)
            self._pending = []

    def results(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Every page added since the last call, described (in the order added)."""
        if self._pending:
            self._submit(self._pending)
            self._pending = []
        while self._futures:
            self._done += self._futures.popleft().result()
        done, self._done = self._done, []
        yield from done

    def discard(self) -> None:
        """Forget pages added so far (the file is being read again another way)."""
        for future in self._futures:
            future.cancel()
        self._futures.clear()
        self._pending, self._done = [], []
