"""The one spider: harvest a collection's seeds, following links in scope and fetching every
page requisite, the records written by the capture middleware."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit

import ada_url
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.misc import load_object
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.addresses import PublicOnlyResolver
from crawler.admission import Admission
from crawler.browsing import Browsing, Follow, browsing_for
from crawler.capture import CrawlStopping
from crawler.cms import JPage, jpage_lists, post_key, records, trs_pages
from crawler.discovery import feed_entries, is_document, robots_sitemaps, sitemap_entries
from crawler.extract import css_imports, css_urls, from_html, js_urls
from crawler.failures import record_failure
from crawler.job import CrawlJob, job_settings
from crawler.robots import PutAside
from seeds.scope import Scope

LINK_PRIORITY = 100
# request kinds other than pages/requisites
SITEMAP, SPECULATIVE, JPAGE = "sitemap", "speculative", "jpage"
SITEMAP_PATH = "/sitemap.xml"
_NOT_FETCHED = ("mailto:", "javascript:", "tel:", "data:", "#", "about:", "sms:")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def absolute(base: str, origin: str, href: str) -> str | None:
    """``href`` made absolute against ``base`` as a browser makes it, without its fragment;
    None for hrefs that name no fetchable resource or no valid URL.

    An ASCII href goes through ada (the WHATWG URL parser browsers follow): backslashes are
    slashes, tabs and newlines inside are dropped, dot segments resolved, the host lowercased
    and a default port dropped, as the hand-written pages of older portals need.  A non-ASCII
    href is joined as it is: its query must be percent-encoded in the page's encoding, as
    browsers send it, which the Request does (``encoding``); ada would encode it as UTF-8.
    """
    href = href.strip()
    if not href or href[:11].lower().startswith(_NOT_FETCHED):
        return None
    if href.isascii():
        try:
            url = ada_url.join_url(base, href)
        except ValueError:
            return None
    elif href[0] == "/" and not href.startswith("//") and "/." not in href:
        url = origin + _browser_cleaned(href)
    else:
        url = urljoin(base, _browser_cleaned(href))
    return url.partition("#")[0]


_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")


def _browser_cleaned(href: str) -> str:
    """What a browser does to an href before parsing it: tabs and newlines inside dropped,
    backslashes before the query read as slashes."""
    href = href.translate(_TAB_OR_NEWLINE)
    if "\\" in href:
        path, mark, query = href.partition("?")
        href = path.replace("\\", "/") + mark + query
    return href


class SiteSpider(Spider):
    name = "site"

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(**kwargs)
        self.job = job
        self.scope = Scope(job.seeds, traps=job.traps)
        self.admission = Admission(self.scope, job.seeds, max_pages=job.max_pages)
        self.ignore_robots = [seed.robots == "ignore" for seed in job.seeds]
        self.browsing: Browsing | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SiteSpider:
        if kwargs.get("job") is None:      # plain `scrapy crawl site -a seeds=FILE [-a home=DIR]`
            seeds = kwargs.pop("seeds", None)
            if seeds is None:
                raise ValueError("SiteSpider needs a crawl job or -a seeds=FILE [-a home=DIR]")
            factory = load_object(crawler.settings["DIANCANG_JOB_FACTORY"])
            kwargs["job"] = factory(seeds, kwargs.pop("home", None))
        spider = super().from_crawler(crawler, *args, **kwargs)
        # The job's values and the seeds' politeness, set here (settings are still open while
        # the spider is made) so `scrapy crawl site` and `diancang crawl` crawl alike.
        for name, value in {**job_settings(spider.job), **host_politeness(spider.job)}.items():
            crawler.settings.set(name, value, priority="spider")
        crawler.signals.connect(spider._record_refusals, signal=signals.spider_closed)
        crawler.signals.connect(spider._robots_fetched, signal=signals.response_received)
        spider.browsing = browsing_for(crawler, spider.job, spider.admission,
                                       spider.ignore_robots)
        return spider

    async def start(self) -> AsyncIterator[Request]:
        origins: dict[str, int] = {}
        for index, seed in enumerate(self.job.seeds):
            admitted = self.admission.admit(seed.url, hops=0, embed_hops=0, seed=index)
            if admitted is not None:
                yield self._request(admitted.url, 0, 0, index, None)
            origins.setdefault(_origin(seed.url), index)
        # Sitemaps list pages nothing links to; fetched where the seed's scope holds them.
        for origin, index in origins.items():
            for request in self._follow([SITEMAP_PATH], origin + "/", origin, 0, 0, index,
                                        None, None, SITEMAP):
                yield request

    def _request(self, url: str, hops: int, embed: int, seed: int, encoding: str | None,
                 referer: str | None = None, kind: str | None = None) -> Request:
        meta: dict[str, Any] = {"hops": hops, "embed": embed, "seed": seed}
        if kind is not None:
            meta["kind"] = kind
        if self.ignore_robots[seed]:
            meta["dont_obey_robotstxt"] = True
        return Request(url, callback=self.parse, errback=self.failed, meta=meta,
                       priority=LINK_PRIORITY - 2 * hops + (1 if embed else 0),
                       dont_filter=True, encoding=encoding or "utf-8",
                       headers={"Referer": referer} if referer else None)

    def parse(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        kind = meta.get("kind")
        if self.browsing is not None:
            self.browsing.keep(response, meta["seed"])
        if kind == SPECULATIVE:          # found in a script: fetched, never followed further
            return
        hops, embed, seed = meta["hops"], meta["embed"], meta["seed"]
        if kind == JPAGE:
            yield from self._jpage_group(response)
            return
        if kind == SITEMAP:
            entries = sitemap_entries(response.body)
            yield from self._follow(entries.sitemaps, response.url, _origin(response.url),
                                    hops, 0, seed, None, None, SITEMAP)
            yield from self._follow(entries.pages, response.url, _origin(response.url),
                                    hops + 1, 0, seed, None, None)
            return
        if not isinstance(response, TextResponse):
            return
        encoding = response.encoding
        # a browser sends no Referer from an https page to an http URL
        referer = response.url
        content_type = response.headers.get(b"Content-Type") or b""
        if isinstance(response, HtmlResponse):
            found = from_html(response.body, encoding)
            base = urljoin(response.url, found.base) if found.base else response.url
            origin = _origin(base)
            browsing = self.browsing
            if embed == 0 and browsing is not None and browsing.reason(seed, response.body):
                # Chromium asks for the requisites it needs (through Scrapy); the ones it
                # did not ask for are followed after it, its links as it finds them
                browsing.start(response, hops, seed, found.embeds,
                               self._follower(seed, encoding, referer))
                found = dataclasses.replace(found, embeds=[], speculative=[])
            yield from self._follow(found.embeds, base, origin, hops, embed + 1, seed,
                                    encoding, referer)
            # a refresh goes on as a redirect does: same hops, same kind of resource
            yield from self._follow(found.refresh, base, origin, hops, embed, seed,
                                    encoding, referer)
            # a page's links, unless its directory answers every URL with one page (soft 404)
            if embed == 0 and self.admission.page_response(response.url, response.body):
                links = found.links
                body = response.body
                if b"createPageHTML" in body or b"datastore>" in body:
                    links = links + trs_pages(response.text)
                    for jpage in jpage_lists(response.text):
                        links = links + jpage.first.links
                        yield from self._follow(jpage.first.embeds, base, origin, hops,
                                                embed + 1, seed, encoding, referer)
                        yield from self._jpage_request(jpage, jpage.first.count + 1, base,
                                                       hops, seed)
                yield from self._follow(self.admission.outlinks(links), base, origin,
                                        hops + 1, 0, seed, encoding, referer)
            # after the links: a URL in a script that a page also links is a page to follow
            yield from self._script_urls(found.speculative, base, origin, hops, embed, seed,
                                         encoding, referer)
        elif b"css" in content_type:
            # @import chains are one stylesheet to a browser: they add no requisite hop
            text, origin = response.text, _origin(response.url)
            imports = css_imports(text)
            yield from self._follow(imports, response.url, origin, hops, embed, seed,
                                    encoding, referer)
            yield from self._follow(css_urls(text), response.url, origin, hops, embed + 1,
                                    seed, encoding, referer)
        elif b"javascript" in content_type or b"ecmascript" in content_type:
            # a script's fetch("data/menu.json") resolves against the page that ran it
            page = (response.request.headers.get(b"Referer") or b"").decode("latin-1") \
                if response.request is not None else ""
            base = page if page.startswith(_origin(response.url) + "/") else response.url
            yield from self._script_urls(js_urls(response.text), base, _origin(response.url),
                                         hops, embed, seed, encoding, referer)
        elif b"xml" in content_type or b"rss" in content_type or b"atom" in content_type:
            feed = feed_entries(response.body)
            if feed is not None and embed == 0:
                origin = _origin(response.url)
                yield from self._follow(feed.enclosures, response.url, origin, hops,
                                        embed + 1, seed, encoding, referer)
                yield from self._follow(feed.links, response.url, origin, hops + 1, 0, seed,
                                        encoding, referer)

    def _follower(self, seed: int, encoding: str | None, referer: str | None) -> Follow:
        def follow(hrefs: list[str], base: str, hops: int, embed: int) -> Iterator[Request]:
            return self._follow(hrefs, base, _origin(base), hops, embed, seed, encoding,
                                referer)
        return follow

    def _script_urls(self, urls: list[str], base: str, origin: str, hops: int, embed: int,
                     seed: int, encoding: str | None, referer: str | None) -> Iterator[Request]:
        """URL-like literals of a script: attachments (a list a script holds links them) are
        fetched wherever they are kept, the rest are speculative requisites of this site."""
        documents = [url for url in urls if is_document(url)]
        if documents:
            urls = [url for url in urls if not is_document(url)]
            yield from self._follow(documents, base, origin, hops, embed + 1, seed, encoding,
                                    referer)
        yield from self._follow(urls, base, origin, hops, embed + 1, seed, encoding, referer,
                                SPECULATIVE)

    def _jpage_request(self, jpage: JPage, start: int, page: str, hops: int,
                       seed: int) -> Iterator[Request]:
        """The POST for a jpage list's group from record ``start``, as the page's script
        sends it (the records' links resolve against ``page``)."""
        ask = jpage.request(start) if jpage.form else None
        if ask is None:
            return
        url = absolute(page, _origin(page), ask[0])
        if url is None:
            return
        body = ask[1]
        if self.admission.admit(post_key(url, body), hops=hops, embed_hops=0, seed=seed) is None:
            return
        meta: dict[str, Any] = {"hops": hops, "embed": 0, "seed": seed, "kind": JPAGE,
                                "jpage": jpage, "start": start, "page": page}
        if self.ignore_robots[seed]:
            meta["dont_obey_robotstxt"] = True
        yield Request(url, method="POST", body=body, callback=self.parse, errback=self.failed,
                      meta=meta, priority=LINK_PRIORITY - 2 * hops, dont_filter=True,
                      headers={"Content-Type": "application/x-www-form-urlencoded; "
                                               "charset=UTF-8",
                               "X-Requested-With": "XMLHttpRequest", "Referer": page,
                               "Accept": "application/xml, text/xml, */*; q=0.01"})

    def _jpage_group(self, response: Response) -> Iterator[Request]:
        """A dataproxy answer: its records' links and requisites, then the next group."""
        meta = response.meta
        if not isinstance(response, TextResponse) or response.status != 200:
            return
        jpage: JPage = meta["jpage"]
        page, hops, seed = meta["page"], meta["hops"], meta["seed"]
        group = records(response.text)
        origin = _origin(page)
        yield from self._follow(group.embeds, page, origin, hops, 1, seed, None, page)
        yield from self._follow(self.admission.outlinks(group.links), page, origin, hops + 1,
                                0, seed, None, page)
        if group.count >= jpage.step:        # a short group is the list's last
            yield from self._jpage_request(jpage, meta["start"] + jpage.step, page, hops, seed)

    def _follow(self, hrefs: list[str], base: str, origin: str, hops: int, embed: int,
                seed: int, encoding: str | None, referer: str | None,
                kind: str | None = None) -> Iterator[Request]:
        """Requests for the admitted ones of ``hrefs`` (found at ``base``)."""
        admit = self.admission.admit
        downgrade = referer is not None and referer.startswith("https:")
        same_site = origin + "/" if kind == SPECULATIVE else ""
        for href in hrefs:
            url = absolute(base, origin, href)
            if url is None or not url.startswith(same_site):
                continue
            admitted = admit(url, hops=hops, embed_hops=embed, seed=seed)
            if admitted is None:
                continue
            try:
                yield self._request(
                    admitted.url, hops, embed, admitted.seed, encoding,
                    None if downgrade and url.startswith("http:") else referer, kind)
            except ValueError:
                self.admission.refused["invalid-url"] += 1

    def _robots_fetched(self, response: Response, request: Request, spider: Spider) -> None:
        """The ``Sitemap:`` lines of each robots.txt the crawl fetches, followed in scope."""
        if response.status != 200 or not request.url.endswith("/robots.txt"):
            return
        origin = _origin(request.url)
        seed = self.scope.seed_for(self.scope.surt(origin + "/"))
        if seed is None:
            return
        assert self.crawler.engine is not None
        for sitemap in self._follow(robots_sitemaps(response.body, request.url), origin + "/",
                                    origin, 0, 0, seed, None, None, SITEMAP):
            self.crawler.engine.crawl(sitemap)

    def failed(self, failure: Failure) -> None:
        error = failure.value
        # a 4xx/5xx: captured and counted already; or fetched past a limit: not archived
        if isinstance(error, (HttpError, CrawlStopping)):
            return
        if isinstance(error, PutAside):       # its host's robots.txt is asked again later
            return
        if isinstance(error, IgnoreRequest):  # refused on the way out (robots.txt, address ...)
            self.admission.refused[getattr(error, "reason", "ignored")] += 1
            return
        request = getattr(failure, "request", None)    # Scrapy sets it on errbacks' failures
        if isinstance(error, DNSLookupError) and request is not None and \
                (urlsplit(request.url).hostname or "") in PublicOnlyResolver.refused:
            self.admission.refused["private-address"] += 1
            return
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("diancang/errors")
        self.crawler.stats.inc_value(f"diancang/errors/{type(error).__name__}")
        if request is not None:       # kept for the crawl report: what to crawl again
            seed = request.meta.get("seed")
            record_failure(self.job.failed_file, url=request.url, error=type(error).__name__,
                           message=str(error),
                           seed=self.job.seeds[seed].url if isinstance(seed, int) else None)

    def _record_refusals(self, spider: Spider, reason: str) -> None:
        assert self.crawler.stats is not None
        for why, count in self.admission.refused.items():
            self.crawler.stats.set_value(f"diancang/refused/{why}", count)


def host_politeness(job: CrawlJob) -> dict[str, Any]:
    """Scrapy settings for each seed host's delay and concurrency."""
    slots: dict[str, dict[str, Any]] = {}
    for seed in job.seeds:
        host = urlsplit(seed.url).hostname or ""
        # each delay varies by Scrapy's default jitter (±50%), as wget's --random-wait does
        slots.setdefault(host, {"concurrency": seed.concurrency, "delay": seed.delay})
    return {
        "DOWNLOAD_SLOTS": slots,
        # Also the size of Twisted's keep-alive pool per host: below a seed's own concurrency,
        # most of its connections would be closed after every response and opened again.
        # Hosts without a seed (requisites) get it too, still paced by DOWNLOAD_DELAY.
        "CONCURRENT_REQUESTS_PER_DOMAIN": max([job.host_concurrency,
                                               *(s["concurrency"] for s in slots.values())]),
    }


def with_depth(job: CrawlJob, depth: int | None) -> CrawlJob:
    """The job with every seed's depth replaced (``diancang crawl --depth N``)."""
    if depth is None:
        return job
    seeds = tuple(dataclasses.replace(seed, depth=depth) for seed in job.seeds)
    return dataclasses.replace(job, seeds=seeds)
