"""``diancang indexer``: take closed WARC files from the catalogue's queue, index them, repeat.

Any number of these run, on any machine that mounts the collections' storage and reaches the
catalogue; each file is indexed by one of them (``catalog.index_queue``).  ``paths_of`` maps
a collection's slug to its archive and indexes folders (the composition root knows the
layout); the loop waits ``poll_interval`` seconds when the queue is empty, or returns then
with ``once``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from catalog.db import Catalog
from catalog.index_queue import GaveUp, take_next
from indexer.index import IndexResult
from indexer.taking import index_taken
from indexer.textpool import TextPool

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class QueueOptions:
    """The ``index.*`` settings an indexer process runs by."""

    lease: float
    max_attempts: int
    poll_interval: float
    workers: int
    pdf_max_bytes: int
    max_decoded_bytes: int


def run_indexer(catalog: Catalog, paths_of: Callable[[str], tuple[Path, Path]], *,
                holder: str, options: QueueOptions, once: bool,
                stop: threading.Event, collections: tuple[str, ...] = ()) -> IndexResult:
    """Index queued files until ``stop`` is set (or, with ``once``, the queue is empty)."""
    result = IndexResult(0, 0)
    with TextPool(options.workers, options.pdf_max_bytes, options.max_decoded_bytes) as pool:
        while not stop.is_set():
            try:
                with catalog.session() as session:
                    taken = take_next(session, holder, lease=options.lease,
                                      max_attempts=options.max_attempts,
                                      collections=collections)
            except GaveUp as gave_up:
                problem = (f"{gave_up.taken.collection}/{gave_up.taken.filename}: marked failed:"
                           f" taken {options.max_attempts} times, its indexer never finished")
                log.error("%s", problem)
                result.problems.append(problem)
                result.skipped += 1
                continue
            if taken is None:
                if once:
                    break
                stop.wait(options.poll_interval)
                continue
            archive, indexes = paths_of(taken.collection)
            path = archive / taken.filename
            log.info("indexing %s/%s (attempt %d)", taken.collection, taken.filename,
                     taken.attempt)
            one = index_taken(catalog, taken, path, indexes, pool=pool, lease=options.lease)
            result.add(one)
    return result
