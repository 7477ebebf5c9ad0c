"""Indexing a WARC file as soon as it closes, off the crawl's hot path.

The crawl's writer calls back when a file closes, and the file is recorded and put in the
catalogue's index queue; ``submit`` hands it to one thread here, which takes it from that
queue (so no ``diancang indexer`` process indexes it too) and indexes it (its text workers
are separate processes), so the crawl goes on fetching while closed files are indexed.
``close`` waits for the files submitted to be done.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from catalog.db import Catalog
from catalog.index_queue import take_file
from indexer.index import IndexProgress, IndexResult
from indexer.taking import holder_name, index_taken
from indexer.textpool import TextPool

log = logging.getLogger(__name__)


class BackgroundIndexer:
    def __init__(self, catalog: Catalog, collection_id: int, indexes_dir: Path, *,
                 workers: int, pdf_max_bytes: int, max_decoded_bytes: int, lease: float,
                 on_file: Callable[[IndexProgress], None] | None = None,
                 pool: TextPool | None = None):
        """``pool``: text workers started already (``TextPool.start``), which this indexer
        uses and closes; else it starts its own when the first file comes."""
        self.catalog, self.collection_id, self.indexes_dir = catalog, collection_id, indexes_dir
        self.lease, self.holder = lease, holder_name()
        self.workers, self.pdf_max_bytes = workers, pdf_max_bytes
        self.max_decoded_bytes = max_decoded_bytes
        self._pool = pool
        self.on_file = on_file          # hears after each file, from the indexing thread
        self.result = IndexResult(0, 0)
        self._submitted = self._finished = self._submitted_bytes = self._done_bytes = 0
        self._started: float | None = None
        self._queue: queue.Queue[tuple[Path, int] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="diancang-indexer", daemon=True)
        self._thread.start()

    def submit(self, warc: Path, warc_file_id: int) -> None:
        """Index the closed file ``warc`` (``warc_file_id``: its catalogue row)."""
        self._submitted += 1
        self._submitted_bytes += warc.stat().st_size
        if self._started is None:
            self._started = time.monotonic()
        self._queue.put((warc, warc_file_id))

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
            while (item := self._queue.get()) is not None:
                path, warc_file_id = item
                try:
                    with self.catalog.session() as session:
                        taken = take_file(session, warc_file_id, self.collection_id,
                                          self.holder, lease=self.lease)
                    if taken is None:       # another indexer has it, or had it
                        continue
                    one = index_taken(self.catalog, taken, path, self.indexes_dir, pool=pool,
                                      lease=self.lease)
                except Exception:     # the crawl-end pass indexes it again; say why here
                    log.exception("indexing %s failed; it is retried when the crawl ends",
                                  path.name)
                    continue
                finally:
                    self._finished += 1
                self.result.add(one)
                self._done_bytes += path.stat().st_size
                if self.on_file is not None:
                    self.on_file(IndexProgress(
                        path.name, one.captures, self.result.files, self._submitted,
                        self._done_bytes, self._submitted_bytes,
                        time.monotonic() - (self._started or time.monotonic())))
