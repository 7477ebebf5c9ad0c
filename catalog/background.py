"""Indexing a WARC file as soon as it closes, off the crawl's hot path.

The crawl's writer calls back when a file closes; ``submit`` only queues the path, and one
thread indexes queued files in turn (its text workers are separate processes), so the crawl
goes on fetching while closed files are indexed.  ``close`` waits for the queue to drain.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from catalog.db import Catalog
from catalog.indexer import IndexResult, index_file
from catalog.textpool import TextPool

log = logging.getLogger(__name__)


class BackgroundIndexer:
    def __init__(self, catalog: Catalog, slug: str, indexes_dir: Path, *, workers: int = 0,
                 pdf_max_bytes: int = 20_000_000):
        self.catalog, self.slug, self.indexes_dir = catalog, slug, indexes_dir
        self.workers, self.pdf_max_bytes = workers, pdf_max_bytes
        self.result = IndexResult(0, 0)
        self._queue: queue.Queue[Path | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="diancang-indexer", daemon=True)
        self._thread.start()

    def submit(self, warc: Path) -> None:
        self._queue.put(warc)

    def close(self) -> IndexResult:
        self._queue.put(None)
        self._thread.join()
        return self.result

    def _run(self) -> None:
        with TextPool(self.workers, self.pdf_max_bytes) as pool:
            while (path := self._queue.get()) is not None:
                try:
                    one = index_file(self.catalog, self.slug, path, self.indexes_dir, pool=pool)
                except Exception:     # the crawl-end pass indexes it again; say why here
                    log.exception("indexing %s failed; it is retried when the crawl ends",
                                  path.name)
                    continue
                self.result.files += 1
                self.result.captures += one.captures
                self.result.pages += one.pages
                self.result.problems += one.problems
