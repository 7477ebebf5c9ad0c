"""Response limits: a body is kept up to a size and a time, and the record says where it was cut.

As Heritrix does, a response over ``max_size`` bytes or still arriving ``deadline`` seconds after
its download began is not thrown away: what came is archived, and the capture middleware marks
the record ``WARC-Truncated: length`` or ``time`` (``disconnect`` when the server closed the
connection before the body was complete).  Memory stays bounded: no body held grows past
``max_size`` plus one network read, so the crawl holds at most ``CONCURRENT_REQUESTS`` of them.

Scrapy's own ``DOWNLOAD_MAXSIZE`` cancels a download and keeps nothing, so it is set just above
``max_size``: it never fires on the wire (we stop first), and it still bounds decompression,
where a small gzip body could otherwise inflate without end.  A response announcing a length
over it is let through for this request only, and the bound is put back before the body is
decompressed.
"""

from __future__ import annotations

from time import monotonic
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Response

TRUNCATED = "truncated"          # request.meta key: why the body was cut
_RECEIVED, _DEADLINE, _UNBOUNDED = "_dc_received", "_dc_deadline", "_dc_unbounded"
MARGIN = 1 << 20                 # above one network read: DOWNLOAD_MAXSIZE never fires first
DEADLINE_GRACE = 15.0            # Scrapy's DOWNLOAD_TIMEOUT, after the deadline: a body that
                                 # stopped arriving altogether is given up then


def scrapy_maxsize(max_size: int) -> int:
    """The ``DOWNLOAD_MAXSIZE`` that goes with a ``max_size`` cut (0: no limit)."""
    return max_size + MARGIN if max_size else 0


class ResponseLimits:
    """Downloader middleware (above capture) that cuts long or slow bodies and says why."""

    def __init__(self, crawler: Crawler, max_size: int, deadline: float):
        self.max_size = max_size
        self.deadline = deadline
        self.maxsize_setting = crawler.settings.getint("DOWNLOAD_MAXSIZE")
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ResponseLimits:
        return cls(crawler, crawler.settings.getint("DIANCANG_MAX_RESPONSE_SIZE"),
                   crawler.settings.getfloat("DIANCANG_RESPONSE_DEADLINE"))

    def headers_received(self, headers: Any, body_length: int, request: Request,
                         spider: Spider) -> None:
        meta = request.meta
        meta[_RECEIVED] = 0
        meta.pop(TRUNCATED, None)             # copied from an earlier hop of a redirect
        # the download began download_latency seconds ago (Scrapy sets it on the headers)
        if self.deadline:
            meta[_DEADLINE] = monotonic() - meta.get("download_latency", 0.0) + self.deadline
        if self.max_size and body_length > self.maxsize_setting > 0:
            meta["download_maxsize"] = 0      # keep the first max_size bytes, do not cancel
            meta[_UNBOUNDED] = True

    def bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        meta = request.meta
        received = meta.get(_RECEIVED, 0) + len(data)
        meta[_RECEIVED] = received
        if self.max_size and received >= self.max_size:
            meta[TRUNCATED] = "length"
            raise StopDownload(fail=False)
        deadline = meta.get(_DEADLINE)
        if deadline is not None and monotonic() > deadline:
            meta[TRUNCATED] = "time"
            raise StopDownload(fail=False)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        meta = request.meta
        if meta.pop(_UNBOUNDED, False):
            meta["download_maxsize"] = self.maxsize_setting   # bound decompression again
        if TRUNCATED not in meta and "dataloss" in response.flags:
            meta[TRUNCATED] = "disconnect"
        if self.max_size and len(response.body) > self.max_size:
            response = response.replace(body=response.body[:self.max_size])
        return response
