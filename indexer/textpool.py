"""Text extraction on every core: pages go to worker processes in chunks.

The indexer reads the WARC (and writes the CDXJ) in this process while the workers decode,
extract and segment pages; at most a few chunks per worker are in flight, so memory stays
bounded whatever the size of the file.  With one worker it all runs in this process.

Workers are forked from a single-threaded process (they share what it has imported; a
spawned worker imports everything again and costs a second or two of CPU), else spawned.
``start`` forks them at once, so a crawl can start its pool before it starts any thread.
They ignore Ctrl-C (the process that started them stops them) and end if it dies.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Self

from indexer.extract_text import Page, describe_chunk
from search.words import initialise

CHUNK = 24
Described = list[tuple[int, dict[str, Any]]]


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)                 # the indexer is gone (killed): nothing will ask for results


def _worker_start(parent: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    initialise()


def _nothing() -> None:
    return None


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

    def start(self) -> None:
        """Start the workers now (forked, if this process has no other thread yet), each
        loading the dictionaries itself, rather than when the first page comes."""
        if self.workers > 1 and self._executor is None:
            self._executor = self._new_executor(load_here=False)
            self._executor.submit(_nothing)      # a forking pool starts its workers now

    def _new_executor(self, *, load_here: bool) -> ProcessPoolExecutor:
        # fork only a single-threaded process (``diancang index``, a crawl before it starts):
        # beside the crawl's threads and reactor the workers are spawned afresh
        method = ("fork" if threading.active_count() == 1
                  and "fork" in multiprocessing.get_all_start_methods() else "spawn")
        if method == "fork" and load_here:
            initialise()     # once here, and every worker (of every pool) inherits it
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context(method),
                                   initializer=_worker_start, initargs=(os.getpid(),))

    def _submit(self, pages: list[Page]) -> None:
        if self.workers <= 1:
            initialise()
            self._done += describe_chunk(pages, self.pdf_max_bytes, self.max_decoded_bytes)
            return
        if self._executor is None:
            self._executor = self._new_executor(load_here=True)
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
