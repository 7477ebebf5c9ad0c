"""Indexing one file taken from the index queue: its heartbeat kept while it is indexed, and
every way it can end written back to its queue row.

- indexed: marked done in the transaction that writes its rows (``index_file``);
- unreadable: marked failed with its reason, logged ERROR (``index_file``), not retried;
- taken again meanwhile (this indexer froze past its lease): nothing written, logged ERROR;
- any other error (the file missing on this machine's mount, the database gone away): logged
  ERROR and put back in the queue, where its attempts count toward giving up on it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path
from types import TracebackType

from catalog import index_queue
from catalog.db import Catalog
from catalog.index_queue import LeaseLost, Taken
from indexer.index import IndexResult, index_file
from indexer.textpool import TextPool

log = logging.getLogger(__name__)


def holder_name(name: str = "") -> str:
    """How an indexer names itself in the queue: ``name`` (``--name``), else host:pid."""
    return name or f"{socket.gethostname()}:{os.getpid()}"


class Heartbeat:
    """Renews a take's heartbeat every ``lease / 4`` seconds while the file is indexed."""

    def __init__(self, catalog: Catalog, taken: Taken, lease: float):
        self.catalog, self.taken, self.every = catalog, taken, lease / 4
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="index-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._done.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._done.wait(self.every):
            try:
                with self.catalog.session() as session:
                    if not index_queue.renew(session, self.taken):
                        self.lost = True
                        return
            except Exception:       # a lost beat is retried at the next one
                log.exception("index queue heartbeat failed")


def index_taken(catalog: Catalog, taken: Taken, warc_path: Path, indexes_dir: Path, *,
                pool: TextPool, lease: float) -> IndexResult:
    """Index the taken file and record how it ended in the queue."""
    try:
        with Heartbeat(catalog, taken, lease):
            return index_file(catalog, taken.collection, warc_path, indexes_dir, pool=pool,
                              taken=taken)
    except LeaseLost as exc:
        pool.discard()
        log.error("%s: not recorded", exc)
        return IndexResult(0, 0, [f"{warc_path}: {exc}; not recorded"])
    except Exception as exc:
        pool.discard()
        problem = f"{warc_path}: indexing failed: {type(exc).__name__}: {exc}"
        log.exception("%s; put back in the queue", problem)
        with catalog.session() as session:
            index_queue.put_back(session, taken, problem)
        return IndexResult(0, 0, [problem], skipped=1)
