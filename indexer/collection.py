"""Indexing a whole collection: every closed WARC file not yet indexed (or all, rebuilt).

Each file is taken from the index queue first (queued then if it never was: a file copied
in, or closed before the queue existed), so a whole-collection pass and ``diancang indexer``
processes never index one file twice: a file another indexer holds is left to it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, select

from catalog import digests
from catalog.db import Catalog
from catalog.index_queue import DONE, FAILED, take_file
from catalog.models import Capture, Collection, WarcFile
from indexer.index import IndexProgress, IndexResult, closed_warcs, warc_row
from indexer.taking import holder_name, index_taken
from indexer.textpool import TextPool

log = logging.getLogger(__name__)


def index_collection(catalog: Catalog, slug: str, archive_dir: Path, indexes_dir: Path, *,
                     workers: int, pdf_max_bytes: int, max_decoded_bytes: int, lease: float,
                     rebuild: bool = False, retry_failed: bool = True,
                     on_file: Callable[[IndexProgress], None] | None = None) -> IndexResult:
    """Index the WARC files in ``archive_dir`` not yet indexed (all of them with ``rebuild``)
    into CDXJ files in ``indexes_dir`` and the catalogue; ``workers`` (0: one per core),
    ``pdf_max_bytes``, ``max_decoded_bytes`` and ``lease`` are the ``index.*`` settings; a
    file the queue holds failed is tried again only with ``retry_failed``; ``on_file`` hears
    after each file how far it has come."""
    warcs = closed_warcs(archive_dir)
    with catalog.session() as session:
        coll = session.scalars(select(Collection).where(Collection.slug == slug)).one()
        coll_id = coll.id
        if rebuild:
            session.execute(delete(Capture).where(Capture.collection_id == coll.id))
            digests.forget(session, coll.id)
            done: set[str] = set()
        else:
            done = set(session.scalars(select(WarcFile.filename).where(
                WarcFile.collection_id == coll.id, WarcFile.indexed.is_not(None))))
    if rebuild and indexes_dir.is_dir():
        for stale in indexes_dir.glob("*.cdxj"):
            stale.unlink()
    result = IndexResult(0, 0)
    todo = [p for p in warcs
            if not (p.name in done and (indexes_dir / (p.name + ".cdxj")).exists())]
    if not todo:
        return result
    again = (DONE, FAILED) if retry_failed else (DONE,)
    holder = holder_name()
    sizes = [path.stat().st_size for path in todo]
    started, done_bytes = time.monotonic(), 0
    with TextPool(workers, pdf_max_bytes, max_decoded_bytes) as pool:
        for path, size in zip(todo, sizes, strict=True):
            with catalog.session() as session:
                row_id = warc_row(session, session.get_one(Collection, coll_id), path).id
                session.commit()
                taken = take_file(session, row_id, coll_id, holder, lease=lease, again=again)
            if taken is None:
                log.info("%s: held by another indexer, or failed before; left alone",
                         path.name)
                one = IndexResult(0, 0)
            else:
                one = index_taken(catalog, taken, path, indexes_dir, pool=pool, lease=lease)
            result.add(one)
            done_bytes += size
            if on_file is not None:
                on_file(IndexProgress(path.name, one.captures, result.files + result.skipped,
                                      len(todo),
                                      done_bytes, sum(sizes), time.monotonic() - started))
    return result
