"""Capture: every raw response (and the request that fetched it) becomes a WARC record pair.

A downloader middleware at 950 sees responses before redirect handling and decompression.
It only translates Scrapy's request/response into ``warc_store.HttpExchange``; warcio builds
the records and ``warc_store.WarcWriter`` places them.
"""

from __future__ import annotations

import errno
import logging
import platform
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import version
from typing import Any

import scrapy
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.defer import deferred_from_coro
from w3lib.url import safe_url_string

from crawler.job import CrawlJob
from crawler.limits import TRUNCATED
from warc_store.reader import read_record, stored_response
from warc_store.records import HttpExchange
from warc_store.writer import WarcWriter

log = logging.getLogger(__name__)

_REASONS = {s.value: s.phrase for s in HTTPStatus}
STOPPING = "diancang/stopping"      # stats key: the reason the crawl is stopping at a limit
FAILED = "diancang/failed"          # stats key: why the crawl failed (a WARC write error)
# request meta: its response is in a WARC file already (a distributed crawl's request fetched
# again after its worker died: crawler.redis_scheduler); not written twice
WRITTEN = "diancang_written"


# sent by the spider with a rendered page's screenshot: ``url``, ``png``
screenshot_taken = object()
SCREENSHOT_PREFIX = "urn:screenshot:"      # as Browsertrix names them


class CrawlStopping(IgnoreRequest):
    """A response downloaded after the crawl reached a limit: not archived."""


def stop_crawl(crawler: Crawler, reason: str) -> None:
    """Close the spider gracefully at a limit: downloads already queued finish but are not
    archived, the WARCs are closed; ``reason`` becomes the crawl's stop reason."""
    assert crawler.stats is not None
    if crawler.stats.get_value(STOPPING):
        return
    crawler.stats.set_value(STOPPING, reason)
    log.info("stopping the crawl: %s", reason)
    if crawler.engine is not None:
        deferred_from_coro(crawler.engine.close_spider_async(reason=reason))


def _header_list(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


def wire_headers(response: Response, method: str) -> list[tuple[str, str]]:
    """The response's headers as the server sent them, as far as Scrapy lets us know.

    Twisted's HTTP client consumes the framing headers (``Content-Length``,
    ``Transfer-Encoding``) and Scrapy puts back only a known ``Content-Length``.  An HTTP/1.1
    response with a body and no length was chunked (close-delimited bodies are an HTTP/1.0
    habit), so ``Transfer-Encoding: chunked`` is restored and the writer stores the body
    re-chunked to match it.
    """
    headers = _header_list(response.headers)
    if (b"Content-Length" not in response.headers and response.protocol == "HTTP/1.1"
            and method != "HEAD" and response.status >= 200
            and response.status not in (204, 304)):
        headers.append(("Transfer-Encoding", "chunked"))
    return headers


def wire_request_headers(request: Request) -> list[tuple[str, str]]:
    """The request's headers as sent: Scrapy's HTTP client adds the ``Content-Length`` of a
    body (a POST's form) on the wire only, and readers of the record (pywb's indexer keys a
    POST by its form) need it to find the body."""
    headers = _header_list(request.headers)
    if request.body and b"Content-Length" not in request.headers:
        headers.append(("Content-Length", str(len(request.body))))
    return headers


def build_warcinfo(job: CrawlJob, software_version: str) -> dict[str, str]:
    ignored = [s.url for s in job.seeds if s.robots == "ignore"]
    if not job.obey_robots:
        robots = "ignore (operator setting crawl.obey_robots=false)"
    elif ignored:
        robots = "obey; curator override ignores robots.txt for seeds: " + " ".join(ignored)
    else:
        robots = "obey"
    fields = {
        "software": f"Diancang/{software_version} (Scrapy/{scrapy.__version__}; "
                    f"warcio/{version('warcio')})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "hostname": platform.node(),
        "operator": job.operator,
        "http-header-user-agent": job.user_agent,
        "robots": robots,
        "isPartOf": job.collection,
        "description": job.title or job.collection,
    }
    if job.crawl_id is not None:
        fields["crawl"] = str(job.crawl_id)
    if job.seed_list:       # what `diancang index --rebuild` recreates the collection from
        fields["diancang-seed-list"] = job.seed_list
    return fields


class CaptureMiddleware:
    def __init__(self, crawler: Crawler, job: CrawlJob, software_version: str):
        self.stats = crawler.stats
        self.job = job
        worker = job.distributed.worker if job.distributed is not None else None
        self.writer = WarcWriter(job.archive_dir,
                                 prefix=f"{job.collection}-{worker}" if worker else job.collection,
                                 max_size=job.warc_max_size, gzip_level=job.gzip_level,
                                 warcinfo=build_warcinfo(job, software_version),
                                 on_close=job.on_warc_closed, previous=job.previous)
        self.crawler = crawler
        self.captures = 0
        self.closed = False
        self.page_limit = job.limits.pages
        self.byte_limit = job.limits.bytes
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.write_screenshot, signal=screenshot_taken)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CaptureMiddleware:
        job = getattr(crawler.spider, "job", None)
        if not isinstance(job, CrawlJob):
            raise NotConfigured("no Diancang crawl job on the spider")
        return cls(crawler, job, version("diancang"))

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        stats = self.stats
        if stats.get_value(STOPPING):
            raise CrawlStopping(f"not archived: {stats.get_value(STOPPING)}")
        if request.meta.get(WRITTEN):
            return response
        body = response.body
        ip = response.ip_address
        truncated = request.meta.get(TRUNCATED)
        exchange = HttpExchange(
            url=response.url, method=request.method,
            request_headers=wire_request_headers(request), request_body=request.body,
            status=response.status, reason=_REASONS.get(response.status, ""),
            protocol=response.protocol or "HTTP/1.1",
            response_headers=wire_headers(response, request.method), body=body,
            ip_address=str(ip) if ip is not None else None, date=datetime.now(UTC),
            truncated=truncated)
        try:
            location = self.writer.write_exchange(exchange)
        except OSError as exc:
            self.write_failed(exc)
            raise CrawlStopping(f"not archived: {stats.get_value(FAILED)}") from None
        stats.inc_value("diancang/captures")
        stats.inc_value("diancang/bytes", len(body))
        stats.inc_value(f"diancang/status/{response.status}")
        if truncated is not None:
            stats.inc_value(f"diancang/truncated/{truncated}")
        if location.revisit:
            stats.inc_value("diancang/revisits")
            stats.inc_value("diancang/dedup_bytes", len(body))
        if location.revisit and response.status == 304:
            stats.inc_value("diancang/not_modified")
            response = self.original_page(response)
        self.captures += 1
        if self.page_limit is not None and self.captures >= self.page_limit:
            stop_crawl(self.crawler, "limit: pages")
        elif self.byte_limit is not None and self.writer.bytes_written >= self.byte_limit:
            stop_crawl(self.crawler, "limit: bytes")
        return response

    def original_page(self, response: Response) -> Response:
        """In place of a 304 Not Modified (already archived as a revisit), the page it stands
        for as it was stored, so that its links and requisites are followed; the 304 itself
        when the original cannot be read back."""
        original = self.job.previous.get(safe_url_string(response.url))
        if original is None or original.location is None:
            return response
        filename, offset = original.location
        try:
            stored = stored_response(read_record(self.job.archive_dir / filename, offset))
        except (OSError, ValueError) as exc:
            log.warning("%s: its original (%s at %d) cannot be read back (%s); its links are "
                        "not followed", response.url, filename, offset, exc)
            return response
        if stored is None:
            return response
        http, body = stored
        headers = Headers([(k, v) for k, v in http.headers
                           if k.lower() not in ("transfer-encoding", "content-length")])
        self.stats.inc_value("diancang/dedup_bytes", len(body))
        # a new response, not the 304's ``replace``: that would carry over an encoding
        # guessed from the 304's empty body
        kind = responsetypes.from_args(headers=headers, url=response.url, body=body)
        return kind(url=response.url, status=int(http.status), headers=headers, body=body,
                    flags=[*response.flags, "not-modified"], request=response.request,
                    certificate=response.certificate, ip_address=response.ip_address,
                    protocol=response.protocol)

    def write_screenshot(self, url: str, png: bytes) -> None:
        """A rendered page's screenshot, as a ``resource`` record (``urn:screenshot:<url>``)."""
        if self.stats.get_value(STOPPING) or self.closed:
            return
        try:
            self.writer.write_resource(SCREENSHOT_PREFIX + url, "image/png", png,
                                       datetime.now(UTC))
        except OSError as exc:
            self.write_failed(exc)
            return
        self.stats.inc_value("diancang/screenshots")

    def write_failed(self, exc: OSError) -> None:
        """A WARC write failed (a full disk, an I/O error): nothing more can be archived, so
        the crawl stops as failed, its file closed at the last whole record (the writer cut
        the failed write back)."""
        code = errno.errorcode.get(exc.errno or 0, "")
        reason = f"write error: {exc.strerror or exc}" + (f" ({code})" if code else "")
        log.error("%s while writing %s; the crawl stops: every record before it is kept",
                  reason, self.writer.current_path or self.job.archive_dir)
        if not self.stats.get_value(FAILED):
            self.stats.set_value(FAILED, reason)
        self.close_writer()
        stop_crawl(self.crawler, reason)

    def close_writer(self) -> None:
        try:
            closed = self.writer.close()
        except OSError as exc:
            log.error("could not close the WARC file (%s); it stays .open and the next crawl "
                      "of the collection repairs it", exc)
            if not self.stats.get_value(FAILED):
                self.stats.set_value(FAILED, f"write error on close: {exc.strerror or exc}")
            return
        if closed is not None:
            log.info("closed %s (%d bytes)", closed.filename, closed.size)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.closed = True
        self.close_writer()
