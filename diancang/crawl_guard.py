"""What keeps one crawl honest while it runs: the collection's lock, its heartbeat, and the
watch for a stop request.

``diancang crawl`` takes the lock before anything else (so a manual crawl and the scheduler
never overlap), reaps crawls whose process died, and releases the lock however it exits.  A
background thread refreshes the heartbeat every ``crawl.heartbeat`` seconds and, when the
catalogue says a stop was requested, interrupts this process as Ctrl-C would: Scrapy then
stops gracefully and closes every WARC.  So does a lock taken over by another process (this
one was judged dead, e.g. after a long freeze): two crawls never write one collection, and the
one that lost its lock ends ``failed`` ("lock lost") with an ERROR in its log.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from catalog.crawl_requests import stop_requested
from catalog.db import Catalog
from catalog.locks import CollectionLocked, acquire, heartbeat, reap, release

log = logging.getLogger(__name__)


class Watch:
    def __init__(self, catalog: Catalog, collection_id: int, interval: float):
        self.catalog = catalog
        self.collection_id = collection_id
        self.interval = interval
        self.crawl_id: int | None = None
        self.stop_seen = False
        self.lock_lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="crawl-heartbeat", daemon=True)

    def start(self, crawl_id: int) -> None:
        self.crawl_id = crawl_id
        self.beat()
        self._thread.start()

    def beat(self) -> None:
        with self.catalog.session() as session:
            if not heartbeat(session, self.collection_id, crawl_id=self.crawl_id):
                if not self.lock_lost:
                    self.lock_lost = True
                    log.error("the collection's crawl lock was taken over by another process: "
                              "stopping crawl %s", self.crawl_id)
                    os.kill(os.getpid(), signal.SIGINT)
                return
            if self.crawl_id is not None and not self.stop_seen \
                    and stop_requested(session, self.crawl_id):
                self.stop_seen = True
                log.info("stop requested: stopping crawl %s", self.crawl_id)
                os.kill(os.getpid(), signal.SIGINT)

    def _run(self) -> None:
        while not self._done.wait(self.interval):
            try:
                self.beat()
            except Exception:   # a lost beat is retried at the next one
                log.exception("heartbeat failed")

    def stop(self) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)


@contextmanager
def crawl_lock(catalog: Catalog, collection_id: int, slug: str, *, heartbeat_every: float,
               stale_after: float) -> Iterator[Watch]:
    """Hold the collection's lock (raising ``CollectionLocked``); reap dead crawls first."""
    with catalog.session() as session:
        try:
            acquire(session, collection_id, stale_after=stale_after)
        except CollectionLocked as exc:
            raise CollectionLocked(exc.holder, slug) from None
    watch = Watch(catalog, collection_id, heartbeat_every)
    try:
        with catalog.session() as session:
            for crawl_id in reap(session, collection_id, stale_after=stale_after):
                log.warning("crawl %d had died; marked failed", crawl_id)
        yield watch
    finally:
        watch.stop()
        with catalog.session() as session:
            release(session, collection_id)
