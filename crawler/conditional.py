"""Conditional requests: a recrawl asks "has this changed?" instead of fetching it again.

For a URL whose latest capture is a 200 response with an ``ETag`` or ``Last-Modified`` (the
recrawl digest map, ``CrawlJob.previous``, holds them), the GET carries ``If-None-Match`` with
the ETag, or else ``If-Modified-Since`` with the Last-Modified: RFC 9110 (13.1.3) has a server
ignore If-Modified-Since when If-None-Match is present, so sending both would only make every
request record longer.  A ``304 Not Modified`` then costs the site a few hundred bytes instead
of the whole body; capture writes it as a server-not-modified revisit and hands the spider the
original's stored page (read back from its WARC file) so that its links and requisites are
followed as if it had been fetched.

Only URLs whose original can be read back are asked conditionally (otherwise a 304 would hide
the page's links).  Redirected and retried requests are re-decided for their own URL, so a
validator never travels to another URL.  ``crawl.conditional = false`` turns it off, for sites
that answer 304 wrongly.
"""

from __future__ import annotations

from collections.abc import Mapping

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from w3lib.url import safe_url_string

from crawler.job import CrawlJob
from warc_store.records import Original

IF_NONE_MATCH = b"If-None-Match"
IF_MODIFIED_SINCE = b"If-Modified-Since"


def validator_headers(original: Original | None) -> dict[bytes, str]:
    """The conditional headers a GET of ``original``'s URL carries (none: fetch it whole)."""
    if original is None or original.location is None:
        return {}
    if original.etag:
        return {IF_NONE_MATCH: original.etag}
    if original.last_modified:
        return {IF_MODIFIED_SINCE: original.last_modified}
    return {}


class ConditionalRequests:
    def __init__(self, previous: Mapping[str, Original]):
        self.previous = previous

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequests:
        job = getattr(crawler.spider, "job", None)
        if not isinstance(job, CrawlJob) or not job.conditional:
            raise NotConfigured("conditional requests are off (crawl.conditional)")
        if not any(o.etag or o.last_modified for o in job.previous.values()):
            raise NotConfigured("no validators known from earlier crawls")
        return cls(job.previous)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        for name in (IF_NONE_MATCH, IF_MODIFIED_SINCE):
            request.headers.pop(name, None)        # copied from another URL's request
        if request.method != "GET":
            return
        for name, value in validator_headers(
                self.previous.get(safe_url_string(request.url))).items():
            request.headers[name] = value
