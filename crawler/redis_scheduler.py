"""The Scrapy scheduler of a distributed crawl's worker: the frontier in Redis, hosts leased.

Why not scrapy-redis's ``Scheduler``: it pops from one queue shared by every worker, so two
workers fetch from one host at once (per-host politeness does not hold), and a request popped
by a worker that dies is lost (there is no in-flight set).  The ideas it shares with
scrapy-redis are kept (a Redis set of fingerprints as the dupe filter, pickled
``request_to_dict`` in sorted sets), in ``crawler.redis_frontier``, with queues per host.

Here a worker holds *leases* on hosts (as Heritrix's frontier assigns a host's queue to one
thread, or Browsertrix's Redis crawl state): only the holder pops a host's URLs, into this
process's own queue (Scrapy's ``DownloaderAwarePriorityQueue``), so the host's download slot
here, with the seed's delay and concurrency, is the only one fetching from it.  A host is let
go when this worker has nothing of it left, and becomes free again after its delay.  A worker
holds at most its fair share of the hosts with work (hosts / workers) and at most
``CONCURRENT_REQUESTS`` of them.

A request popped is *in flight* in Redis until the engine lets go of it (response handled,
its links queued in Redis first), then *done*.  A retry, redirect to itself or a request put
aside comes back as the same request and stays in this worker.  Every ``REFILL_EVERY``
seconds the worker renews its leases and tops its queue up; the spider stays open while
anything is pending or in flight anywhere, and closes when the whole crawl is done or a stop
was requested.
"""

from __future__ import annotations

import logging
import math
import pickle
import weakref
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.core.scheduler import Scheduler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.request import request_from_dict
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall

from crawler.capture import WRITTEN, stop_crawl
from crawler.job import CrawlJob, Distributed
from crawler.redis_frontier import RedisFrontier, Taken

log = logging.getLogger(__name__)

REFILL_EVERY = 0.2       # seconds between looks at Redis while this worker has room
QUEUED, HANDED = 1, 2
TAKEN = "diancang_taken"    # meta: popped from Redis by this worker (copies keep it)


def host_of(url: str) -> str:
    """The host a request is queued and leased under: Scrapy's download slot key."""
    return (urlsplit(url).hostname or "").lower()


class RedisScheduler(Scheduler):
    def open(self, spider: Spider) -> Deferred[None] | None:
        result = super().open(spider)
        job = getattr(spider, "job", None)
        if not isinstance(job, CrawlJob) or job.crawl_id is None or job.distributed is None:
            raise ValueError("the Redis scheduler needs a distributed Diancang crawl job")
        assert self.crawler is not None
        dist: Distributed = job.distributed
        self.dist = dist
        self.frontier = RedisFrontier(dist.url, dist.prefix, job.crawl_id)
        self.fingerprint = self.crawler.request_fingerprinter.fingerprint
        settings = self.crawler.settings
        slots = settings.getdict("DOWNLOAD_SLOTS")
        self.default_concurrency = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.default_delay = settings.getfloat("DOWNLOAD_DELAY")
        self.slots = {host.lower(): value for host, value in slots.items()}
        self.max_hosts = max(1, settings.getint("CONCURRENT_REQUESTS"))
        self.lease_ms = int(dist.lease_timeout * 1000)
        self.states: dict[str, int] = {}           # fp -> QUEUED | HANDED, ours only
        self.handed: dict[str, Request] = {}       # fp -> the request handed to the engine
        self.ours: weakref.WeakValueDictionary[str, Request] = weakref.WeakValueDictionary()
        self.host_of_fp: dict[str, str] = {}
        self.held: dict[str, set[str]] = {}        # leased host -> its fps not done here
        self.empty: set[str] = set()               # held hosts Redis had nothing more of
        self.pending_adds: list[tuple[str, str, int, bytes]] = []
        self.last: Taken | None = None
        self.started = False
        self.stop_seen = False
        self.crawler.signals.connect(self._idle, signal=signals.spider_idle)
        self._loop = LoopingCall(self._tick)
        self._loop.start(REFILL_EVERY, now=False)
        return result

    # -- politeness of one host --------------------------------------------------------------
    def _concurrency(self, host: str) -> int:
        slot = self.slots.get(host)
        return int(slot.get("concurrency", self.default_concurrency)) if slot \
            else self.default_concurrency

    def _delay(self, host: str) -> float:
        slot = self.slots.get(host)
        return float(slot.get("delay", self.default_delay)) if slot else self.default_delay

    def _want(self, host: str) -> int:
        """How many more of the host's requests this worker holds: enough to keep its
        connections busy, few enough that a dying worker gives back little."""
        return max(0, 2 * self._concurrency(host) - len(self.held.get(host, ())))

    # -- Scrapy's scheduler interface --------------------------------------------------------
    def has_pending_requests(self) -> bool:
        return len(self.mqs) > 0

    def enqueue_request(self, request: Request) -> bool:
        fp = self.fingerprint(request).hex()
        assert self.stats is not None
        if self.ours.get(fp) is request or (fp in self.states and request.meta.get(TAKEN)):
            # ours, back again (a retry or a redirect to itself, which copy its meta; put
            # aside): it stays here and in flight in Redis.  A link found again to a URL in
            # flight here is a new request (this worker's admission never saw it): dropped
            # by the seen-set in Redis
            self.states[fp] = QUEUED
            self.ours[fp] = request
            self.mqs.push(request)
            self.stats.inc_value("scheduler/enqueued/memory")
            return True
        try:
            blob = pickle.dumps(request.to_dict(spider=self.spider),
                                protocol=pickle.HIGHEST_PROTOCOL)
        except (ValueError, TypeError, AttributeError, pickle.PicklingError) as exc:
            log.warning("cannot be queued in Redis, dropped: %s (%s)", request.url, exc)
            self.stats.inc_value("diancang/frontier/unserializable")
            return False
        self.pending_adds.append((fp, host_of(request.url), request.priority, blob))
        self.stats.inc_value("scheduler/enqueued/redis")
        self.stats.inc_value("scheduler/enqueued")
        return True

    def next_request(self) -> Request | None:
        if not self.mqs:
            return None
        self._sweep()
        request = self.mqs.pop()
        if request is None:
            return None
        fp = self.fingerprint(request).hex()
        self.states[fp] = HANDED
        self.handed[fp] = request
        assert self.stats is not None
        self.stats.inc_value("scheduler/dequeued")
        return request

    def __len__(self) -> int:
        return len(self.mqs)

    # -- keeping Redis current ---------------------------------------------------------------
    def _flush(self) -> None:
        adds, self.pending_adds = self.pending_adds, []
        if adds:
            new = self.frontier.add(adds)
            assert self.stats is not None
            self.stats.inc_value("diancang/frontier/known", len(adds) - new)

    def _sweep(self) -> None:
        """Mark done (after queuing what they found) the requests the engine let go of."""
        engine = self.crawler.engine if self.crawler is not None else None
        in_progress = getattr(getattr(engine, "_slot", None), "inprogress", None)
        if in_progress is None:
            return
        finished = [fp for fp, request in self.handed.items() if request not in in_progress]
        if not finished and not self.pending_adds:
            return
        self._flush()
        done: list[tuple[str, str]] = []
        for fp in finished:
            del self.handed[fp]
            if self.states.get(fp) != HANDED:      # queued again here (a retry)
                continue
            del self.states[fp]
            host = self.host_of_fp.pop(fp, "")
            self.held.get(host, set()).discard(fp)
            done.append((host, fp))
        self.frontier.done(done)

    def _tick(self) -> None:
        try:
            self._refill()
        except Exception:      # Redis away for a moment: tried again at the next tick
            log.exception("could not reach the Redis frontier")

    def _refill(self) -> None:
        self._sweep()
        self._flush()
        last = self.last
        fair = self.max_hosts
        if last is not None and last.workers > 0:
            fair = min(self.max_hosts, max(1, math.ceil(last.hosts / last.workers)))
        # let go of held hosts with nothing left here and none left in Redis, or beyond the
        # fair share; the rest ask for more
        release, more = [], []
        # beyond the fair share, the hosts with least left here are let go as they empty
        draining = set(sorted(self.held, key=lambda h: len(self.held[h]))
                       [:max(0, len(self.held) - fair)])
        for host, fps in list(self.held.items()):
            if not fps and (host in self.empty or host in draining):
                release.append((host, self._delay(host)))
                del self.held[host]
                self.empty.discard(host)
            else:      # renewed; more of it unless it is being let go
                more.append((host, 0 if host in draining else self._want(host)))
        if release:
            self.frontier.release(self.dist.worker, release)
        room = len(self.mqs) < 2 * self.max_hosts
        new_hosts = max(0, fair - len(self.held)) if room else 0
        taken = self.frontier.take(self.dist.worker, lease_ms=self.lease_ms,
                                   new_hosts=new_hosts, per_new=0, more=more)
        self.last = taken
        for host in taken.lost:      # taken over: this worker was judged dead
            log.warning("lease on %s lost (no renewal for %.0f s)", host,
                        self.dist.lease_timeout)
            self.held.pop(host, None)
        for host in taken.leased:
            self.held[host] = set()
        if taken.leased:            # their first requests, now that they are ours
            taken = self._merge(taken, self.frontier.take(
                self.dist.worker, lease_ms=self.lease_ms, new_hosts=0, per_new=0,
                more=[(host, self._want(host)) for host in taken.leased]))
        got = {host for host, _, _ in taken.requests}
        for host, want in more:
            if want > 0 and host not in got:
                self.empty.add(host)
        for host, fp, blob in taken.requests:
            request = request_from_dict(pickle.loads(blob), spider=self.spider)
            request.meta[TAKEN] = True
            self.held.setdefault(host, set()).add(fp)
            self.empty.discard(host)
            self.host_of_fp[fp] = host
            self.states[fp] = QUEUED
            self.ours[fp] = request
            self.mqs.push(request)
        if taken.stop and not self.stop_seen:
            self.stop_seen = True
            assert self.crawler is not None
            stop_crawl(self.crawler, "stop requested")
        wake = taken.requests or (taken.finished and not self.mqs) or taken.stop
        if wake and self.crawler is not None and self.crawler.engine is not None:
            slot = getattr(self.crawler.engine, "_slot", None)
            if slot is not None:
                slot.nextcall.schedule()

    @staticmethod
    def _merge(first: Taken, second: Taken) -> Taken:
        return Taken(first.requests + second.requests, first.leased,
                     first.lost + second.lost, second.workers, second.hosts, second.pending,
                     second.inflight, second.done, second.stop, second.started)

    def _idle(self, spider: Spider) -> None:
        """The engine has nothing to do: the spider closes only when the whole crawl has
        nothing pending or in flight (or a stop was asked for)."""
        try:
            self._sweep()
            self._flush()
            if not self.started:       # every worker's seeds are in Redis before it idles
                self.frontier.mark_started()
                self.started = True
            self._refill()
        except Exception:      # Redis away for a moment: this worker waits, it is not done
            log.exception("could not reach the Redis frontier")
            raise DontCloseSpider from None
        last = self.last
        if self.stop_seen or (last is not None and last.finished and not self.mqs):
            return
        raise DontCloseSpider

    def close(self, reason: str) -> Deferred[None] | None:
        if self._loop.running:
            self._loop.stop()
        try:
            self._sweep()
            self._flush()
            self.frontier.leave(self.dist.worker)
        except Exception:      # its leases expire instead
            log.exception("could not hand this worker's hosts back to the Redis frontier")
        return super().close(reason)


class SkipWritten:
    """Before capture (process_response above 950): a response whose request a dead worker
    had already written (its lease was reclaimed) is not written again; its links are still
    followed."""

    def __init__(self, frontier: RedisFrontier, fingerprint: Any):
        self.frontier = frontier
        self.fingerprint = fingerprint

    @classmethod
    def from_crawler(cls, crawler: Any) -> SkipWritten:
        return cls(*_frontier_of(crawler))

    def process_response(self, request: Request, response: Any,
                         spider: Spider | None = None) -> Any:
        fp = self.fingerprint(request).hex()
        request.meta["diancang_fp"] = fp
        if self.frontier.written(fp):
            request.meta[WRITTEN] = True
        return response


class MarkWritten:
    """After capture (below 950): the request's response is in a WARC file."""

    def __init__(self, frontier: RedisFrontier, fingerprint: Any):
        self.frontier = frontier
        self.fingerprint = fingerprint

    @classmethod
    def from_crawler(cls, crawler: Any) -> MarkWritten:
        return cls(*_frontier_of(crawler))

    def process_response(self, request: Request, response: Any,
                         spider: Spider | None = None) -> Any:
        if not request.meta.get(WRITTEN):
            fp = request.meta.get("diancang_fp") or self.fingerprint(request).hex()
            self.frontier.mark_written(fp)
        return response


def _frontier_of(crawler: Any) -> tuple[RedisFrontier, Any]:
    from scrapy.exceptions import NotConfigured

    job = getattr(crawler.spider, "job", None)
    if not isinstance(job, CrawlJob) or job.distributed is None or job.crawl_id is None:
        raise NotConfigured("not a distributed crawl")
    dist = job.distributed
    return (RedisFrontier(dist.url, dist.prefix, job.crawl_id),
            crawler.request_fingerprinter.fingerprint)
