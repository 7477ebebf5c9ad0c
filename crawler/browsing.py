"""The crawl's side of rendering: answering Chromium's requests through Scrapy, and feeding
what a rendered page shows back into the frontier.

A browser request is admitted as a requisite of its page (scope, trap guards, budgets), then
downloaded with ``engine.download_async``: it passes every downloader middleware (robots.txt,
the host's slot with its delay and concurrency, limits, capture into the WARC) exactly as a
request of the spider.  What Scrapy already fetched is answered from a bounded in-memory
cache instead of being fetched again; a URL admitted elsewhere but not yet downloaded (or
gone from the cache) is fetched once more and counted (``diancang/browser/refetched``).
"""

from __future__ import annotations

import logging
import os
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro

from crawler.admission import Admission
from crawler.auto import OFF, decide
from crawler.capture import screenshot_taken
from crawler.cms import post_key
from crawler.job import CrawlJob
from crawler.render import BrowserRequest, Fetched, Renderer

log = logging.getLogger(__name__)

# hop-by-hop and framing headers: the body handed to the browser is whole and decoded
_NOT_FORWARDED = frozenset(("content-length", "transfer-encoding", "content-encoding",
                            "connection", "keep-alive"))
# the browser's own request headers that Scrapy sends on (its defaults cover the rest)
_FORWARDED_REQUEST = ("referer", "content-type", "x-requested-with", "accept", "origin")
BROWSER = "browser"          # meta key: the request was made by Chromium
CACHE_BYTES = 64 * 1024 * 1024   # bodies kept to answer browsers, at most
CACHE_BODY = 2 * 1024 * 1024     # a bigger body is not kept


class AnswerCache:
    """Responses of the crawl's browser seeds, newest kept, at most ``max_bytes`` of bodies;
    bodies over ``max_body`` are not kept."""

    def __init__(self, max_bytes: int, max_body: int):
        self.max_bytes = max_bytes
        self.max_body = max_body
        self.size = 0
        self._entries: OrderedDict[str, Fetched] = OrderedDict()

    def put(self, key: str, response: Response) -> Fetched:
        fetched = as_fetched(response)
        if len(fetched.body) <= self.max_body:
            old = self._entries.pop(key, None)
            if old is not None:
                self.size -= len(old.body)
            self._entries[key] = fetched
            self.size += len(fetched.body)
            while self.size > self.max_bytes and self._entries:
                _, dropped = self._entries.popitem(last=False)
                self.size -= len(dropped.body)
        return fetched

    def get(self, key: str) -> Fetched | None:
        found = self._entries.get(key)
        if found is not None:
            self._entries.move_to_end(key)
        return found


def as_fetched(response: Response) -> Fetched:
    headers: dict[str, str] = {}
    for name, values in response.headers.items():
        text = name.decode("latin-1")
        if text.lower() in _NOT_FORWARDED:
            continue
        headers[text] = ", ".join(v.decode("latin-1") for v in values) \
            if text.lower() != "set-cookie" else values[-1].decode("latin-1")
    return Fetched(response.status, headers, response.body)


def request_key(url: str, method: str, body: bytes) -> str:
    return post_key(url, body) if method == "POST" else url


class BrowserFetcher:
    """Answers one crawl's browser requests through its Scrapy downloader."""

    def __init__(self, crawler: Crawler, admission: Admission, cache: AnswerCache,
                 ignore_robots: list[bool]):
        self.crawler = crawler
        self.admission = admission
        self.cache = cache
        self.ignore_robots = ignore_robots

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)

    def for_page(self, page: Response, hops: int, embed: int,
                 seed: int) -> Callable[[BrowserRequest], Any]:
        """The ``fetch`` of one page's rendering: the page itself is the response in hand."""
        main = as_fetched(page)

        async def fetch(asked: BrowserRequest) -> Fetched | None:
            if asked.main and asked.url == page.url:
                return main
            if not asked.url.startswith(("http://", "https://")):
                return None
            key = request_key(asked.url, asked.method, asked.body)
            cached = self.cache.get(key)
            if cached is not None:
                self._inc("diancang/browser/cached")
                return cached
            admitted = self.admission.admit(key, hops=hops, embed_hops=embed + 1, seed=seed)
            if admitted is None:
                if key not in self.admission.seen:
                    self._inc("diancang/browser/refused")
                    return None
                self._inc("diancang/browser/refetched")
            return await self._download(asked, key, hops, embed, seed)

        return fetch

    async def _download(self, asked: BrowserRequest, key: str, hops: int, embed: int,
                        seed: int) -> Fetched | None:
        headers = {name: value for name, value in asked.headers.items()
                   if name.lower() in _FORWARDED_REQUEST}
        meta: dict[str, Any] = {"hops": hops, "embed": embed + 1, "seed": seed, BROWSER: True}
        if self.ignore_robots[seed]:
            meta["dont_obey_robotstxt"] = True
        try:
            request = Request(asked.url, method=asked.method, body=asked.body or None,
                              headers=headers, meta=meta, dont_filter=True)
        except ValueError:
            return None
        assert self.crawler.engine is not None
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:    # noqa: BLE001 - refused (robots, address, limit) or failed
            self._inc(f"diancang/browser/failed/{type(exc).__name__}")
            return None
        self._inc("diancang/browser/requests")
        return self.cache.put(key, response)


def absolute_http(urls: Iterable[str]) -> list[str]:
    """The http(s) URLs of a rendered DOM (the browser made them absolute), fragments cut."""
    return [url.partition("#")[0] for url in urls if url.startswith(("http://", "https://"))]


# (hrefs, base, hops, embed hops) -> the requests of those admitted, as the spider builds them
Follow = Callable[[list[str], str, int, int], Iterable[Request]]


class Browsing:
    """One crawl's rendering: which pages, the renders under way, what they found."""

    def __init__(self, crawler: Crawler, admission: Admission, modes: list[str],
                 ignore_robots: list[bool], renderer: Renderer):
        self.crawler = crawler
        self.modes = modes
        self.renderer = renderer
        self.fetcher = BrowserFetcher(crawler, admission, AnswerCache(CACHE_BYTES, CACHE_BODY),
                                      ignore_robots)
        self.under_way = 0

    def _inc(self, key: str, count: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key, count)

    def keep(self, response: Response, seed: int) -> None:
        """Keep what Scrapy fetched for a browser seed, to answer its pages' browsers."""
        request = response.request
        if self.modes[seed] != OFF and request is not None:
            self.fetcher.cache.put(request_key(response.url, request.method, request.body),
                                   response)

    def reason(self, seed: int, body: bytes) -> str | None:
        """Why this page of the seed is rendered (None: it is not); counted in the stats."""
        mode = self.modes[seed]
        if mode == OFF:
            return None
        reason = decide(mode, body)
        self._inc(f"diancang/browser/{mode}/{reason or 'static'}")
        return reason

    def start(self, page: Response, hops: int, seed: int, embeds: list[str],
              follow: Follow) -> None:
        """Render ``page`` in the background; what it shows is followed as it is found, then
        the page's ``embeds`` Scrapy found that the browser did not ask for."""
        self.under_way += 1
        done = deferred_from_coro(self._render(page, hops, seed, embeds, follow))
        done.addErrback(lambda failure: log.error("rendering %s failed: %s", page.url,
                                                  failure.getTraceback()))
        done.addBoth(self._finished)

    def _finished(self, _: object) -> None:
        self.under_way -= 1

    async def _render(self, page: Response, hops: int, seed: int, embeds: list[str],
                      follow: Follow) -> None:
        rendered = await self.renderer.render(page.url,
                                              self.fetcher.for_page(page, hops, 0, seed))
        self._inc("diancang/browser/rendered")
        self._inc("diancang/browser/clicks", rendered.clicks)
        assert self.crawler.engine is not None
        crawl = self.crawler.engine.crawl
        for request in follow(absolute_http(rendered.embeds) + embeds, page.url, hops, 1):
            crawl(request)
        for request in follow(absolute_http(rendered.links), page.url, hops + 1, 0):
            crawl(request)
        if rendered.screenshot is not None:
            self.crawler.signals.send_catch_log(screenshot_taken, url=page.url,
                                                png=rendered.screenshot)

    def idle(self) -> None:
        """The engine has nothing to do: the crawl goes on while pages are being rendered."""
        if self.under_way:
            raise DontCloseSpider("pages are being rendered")

    def closed(self) -> Any:
        return deferred_from_coro(self.renderer.close())


def browsing_for(crawler: Crawler, job: CrawlJob, admission: Admission,
                 ignore_robots: list[bool]) -> Browsing | None:
    """The crawl's rendering, if any seed may render and Chromium is there."""
    modes = [seed.browser for seed in job.seeds]
    if all(mode == OFF for mode in modes):
        return None
    options = job.browser
    if not os.access(options.executable, os.X_OK):
        log.warning("no Chromium at %s: pages are read by Scrapy alone (crawl.browser_executable)",
                    options.executable)
        return None
    renderer = Renderer(pages=options.pages, restart_every=options.restart_every,
                        timeout=options.timeout, settle=options.settle,
                        max_clicks=options.clicks, max_scrolls=options.scrolls,
                        executable=options.executable, screenshots=options.screenshots)
    browsing = Browsing(crawler, admission, modes, ignore_robots, renderer)
    crawler.signals.connect(browsing.idle, signal=signals.spider_idle)
    crawler.signals.connect(browsing.closed, signal=signals.spider_closed)
    return browsing


def needs_asyncio(job: CrawlJob) -> bool:
    """Whether the crawl renders pages (Playwright runs on the asyncio reactor)."""
    return any(seed.browser != OFF for seed in job.seeds)
