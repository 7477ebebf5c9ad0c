"""Indexing a WARC file as soon as it closes, off the crawl's hot path.

The crawl's writer calls back when a file closes; ``submit`` only queues the path, and one
thread indexes queued files in turn (its text workers are separate processes), so the crawl
goes on fetching while closed files are indexed.  ``close`` waits for the queue to drain.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from catalog.db import Catalog
from indexer.index import IndexProgress, IndexResult, index_file
from indexer.textpool import TextPool

log = logging.getLogger(__name__)


class BackgroundIndexer:
    def __init__(self, catalog: Catalog, slug: str, indexes_dir: Path, *, workers: int,
                 pdf_max_bytes: int, max_decoded_bytes: int,
                 on_file: Callable[[IndexProgress], None] | None = None,
                 pool: TextPool | None = None):
        """``pool``: text workers started already (``TextPool.start``), which this indexer
        uses and closes; else it starts its own when the first file comes."""
        self.catalog, self.slug, self.indexes_dir = catalog, slug, indexes_dir
        self.workers, self.pdf_max_bytes = workers, pdf_max_bytes
        self.max_decoded_bytes = max_decoded_bytes
        self._pool = pool
        self.on_file = on_file          # hears after each file, from the indexing thread
        self.result = IndexResult(0, 0)
        self._submitted = self._finished = self._submitted_bytes = self._done_bytes = 0
        self._started: float | None = None
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="diancang-indexer", daemon=True)
        self._thread.start()

    def submit(self, warc: Path) -> None:
        self._submitted += 1
        self._submitted_bytes += warc.stat().st_size
        if self._started is None:
            self._started = time.monotonic()
        self._queue.put(warc)

    @property
    def pending(self) -> int:
        """Files submitted and not yet indexed (or given up on)."""
        return self._submitted - self._finished

    def close(self) -> IndexResult:
        self._queue.put(None)
        self._thread.join()
        return self.result

    def _run(self) -> None:
        with self._pool or TextPool(self.workers, self.pdf_max_bytes,
                                    self.max_decoded_bytes) as pool:
            while (path := self._queue.get()) is not None:
                try:
                    one = index_file(self.catalog, self.slug, path, self.indexes_dir, pool=pool)
                except Exception:     # the crawl-end pass indexes it again; say why here
                    log.exception("indexing %s failed; it is retried when the crawl ends",
                                  path.name)
                    continue
                finally:
                    self._finished += 1
                self.result.files += one.files
                self.result.skipped += one.skipped
                self.result.skipped_records += one.skipped_records
                self.result.captures += one.captures
                self.result.pages += one.pages
                self.result.problems += one.problems
                self._done_bytes += path.stat().st_size
                if self.on_file is not None:
                    self.on_file(IndexProgress(
                        path.name, one.captures, self.result.files, self._submitted,
                        self._done_bytes, self._submitted_bytes,
                        time.monotonic() - (self._started or time.monotonic())))
