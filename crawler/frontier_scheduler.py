"""The crawl's Scrapy scheduler, its frontier kept on disk so a crawl survives anything.

Scrapy's JOBDIR writes its queue pointers only at a clean stop; after SIGKILL or a power cut
the queue is lost.  This scheduler dispatches from Scrapy's own in-memory priority queue
(``SCHEDULER_PRIORITY_QUEUE``, DownloaderAwarePriorityQueue: no host starves the others) and
records every change in the crawl's frontier (``crawler.frontier``): a request enqueued is
*pending*, handed to the engine *inflight*, and *done* once the engine has let go of it
(response and callback handled, its links enqueued; or failed).  Buffered changes are
committed before each request is handed out (whatever is fetched is on disk as in flight
first, so a resumed crawl fetches again no more than was in flight) and every
``FLUSH_EVERY`` seconds.

Opened on a frontier that holds rows, it resumes: done rows stay done; the others are done
too if the crawl's WARCs hold their response (the WARCs are the truth: nothing written is
fetched again), else they are queued again (in-flight requests are fetched again).  A request
whose fingerprint the frontier knows is dropped: the seeds the spider yields again on resume,
and anything a resumed crawl finds again.  A retry, redirect to itself or a request put aside
(``crawler.robots``) comes back as the same request and is let through.
"""

from __future__ import annotations

import logging
import pickle
import weakref
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.core.scheduler import Scheduler
from scrapy.utils.request import request_from_dict
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall

from crawler.frontier import DONE, INFLIGHT, PENDING, Frontier
from crawler.job import CrawlJob
from warc_store.reader import Corrupt, Record, Unsupported, iter_records, iter_records_warcio

log = logging.getLogger(__name__)

FLUSH_EVERY = 0.5      # seconds between commits while nothing new is handed out
WRITTEN_TYPES = ("response", "revisit", "resource")


def _warc_crawl(path: Path) -> str | None:
    """The ``crawl`` field of a WARC file's warcinfo record (None if it has none)."""
    for record in _records(path):
        if record.type == "warcinfo":
            for line in record.block.decode("utf-8", "replace").splitlines():
                name, _, value = line.partition(":")
                if name.strip() == "crawl":
                    return value.strip()
        return None
    return None


def _records(path: Path) -> Iterator[Record]:
    try:
        for record in iter_records(path):
            if not isinstance(record, Corrupt):
                yield record
    except Unsupported:
        for record in iter_records_warcio(path):
            if not isinstance(record, Corrupt):
                yield record


def written_urls(archive_dir: Path, crawl_id: int) -> set[str]:
    """Every URL whose response the crawl ``crawl_id`` wrote into the closed WARCs of
    ``archive_dir`` (open ones are repaired before a crawl starts)."""
    urls: set[str] = set()
    for path in sorted(archive_dir.glob("*.warc.gz")):
        if _warc_crawl(path) != str(crawl_id):
            continue
        urls.update(r.url for r in _records(path) if r.type in WRITTEN_TYPES)
    return urls


class FrontierScheduler(Scheduler):
    """Scrapy's scheduler (memory queues only) with the crawl's frontier on disk."""

    def open(self, spider: Spider) -> Deferred[None] | None:
        result = super().open(spider)
        job = getattr(spider, "job", None)
        if not isinstance(job, CrawlJob) or job.crawl_id is None or job.frontier_file is None:
            raise ValueError("the frontier scheduler needs a Diancang crawl job with a crawl id")
        assert self.crawler is not None
        self.fingerprint = self.crawler.request_fingerprinter.fingerprint
        self.frontier = Frontier(job.frontier_file)
        self.states: dict[str, int] = {}
        self.handed: dict[str, Request] = {}     # inflight: fp -> the request handed out
        self.ours: weakref.WeakValueDictionary[str, Request] = weakref.WeakValueDictionary()
        self._resume(job)
        self._flusher = LoopingCall(self._flush)
        self._flusher.start(FLUSH_EVERY, now=False)
        return result

    def _resume(self, job: CrawlJob) -> None:
        rows = list(self.frontier.rows())
        if not rows:
            return
        assert job.crawl_id is not None and self.stats is not None
        written = written_urls(job.archive_dir, job.crawl_id) \
            if any(row.state != DONE for row in rows) else set()
        requeued = 0
        for row in rows:
            state = row.state
            if state != DONE and row.url in written:
                state = DONE
                self.frontier.set_state([row.fp], DONE)
            elif state != DONE:
                request = request_from_dict(row.request, spider=self.spider)
                self.mqs.push(request)
                self.ours[row.fp] = request
                requeued += 1
                if state == INFLIGHT:
                    self.frontier.set_state([row.fp], PENDING)
                    self.stats.inc_value("diancang/frontier/refetched")
                state = PENDING
            self.states[row.fp] = state
        self.frontier.commit()
        self.stats.set_value("diancang/frontier/resumed", len(rows))
        log.info("resuming from the frontier: %d requests known, %d queued again, "
                 "%d found in the crawl's WARCs", len(rows), requeued, len(written))

    def enqueue_request(self, request: Request) -> bool:
        fp = self.fingerprint(request).hex()
        state = self.states.get(fp)
        assert self.stats is not None
        if state is not None and self.ours.get(fp) is not request \
                and self.handed.get(fp) is not request and state != INFLIGHT:
            self.stats.inc_value("diancang/frontier/known")
            return False
        self.states[fp] = PENDING
        self.ours[fp] = request
        try:
            self.frontier.add(fp, request.url, urlsplit(request.url).netloc, request.priority,
                              request.to_dict(spider=self.spider))
        except (ValueError, TypeError, AttributeError, pickle.PicklingError) as exc:
            # kept in memory only: a resumed crawl finds it again from its page
            log.warning("not kept in the frontier: %s (%s)", request.url, exc)
            self.stats.inc_value("diancang/frontier/unserializable")
        self.mqs.push(request)
        self.stats.inc_value("scheduler/enqueued/memory")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        self._sweep()
        request = super().next_request()
        if request is None:
            return None
        fp = self.fingerprint(request).hex()
        self.states[fp] = INFLIGHT
        self.handed[fp] = request
        self.frontier.set_state([fp], INFLIGHT)
        self.frontier.commit()    # on disk before it is fetched, with what was found before
        return request

    def _sweep(self) -> None:
        """Mark done the requests the engine has let go of."""
        engine = self.crawler.engine if self.crawler is not None else None
        slot = getattr(engine, "_slot", None)
        in_progress = getattr(slot, "inprogress", None)
        if in_progress is None:
            return
        finished = [fp for fp, request in self.handed.items() if request not in in_progress]
        for fp in finished:
            del self.handed[fp]
            if self.states.get(fp) == INFLIGHT:   # not queued again (retry, redirect)
                self.states[fp] = DONE
                self.frontier.set_state([fp], DONE)

    def _flush(self) -> None:
        try:
            self._sweep()
            self.frontier.commit()
        except Exception:      # retried at the next flush; the frontier stays consistent
            log.exception("could not write the frontier")

    def close(self, reason: str) -> Deferred[None] | None:
        if self._flusher.running:
            self._flusher.stop()
        self._sweep()
        self.frontier.close()
        return super().close(reason)
