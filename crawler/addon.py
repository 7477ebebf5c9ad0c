"""The Scrapy add-on that wires Diancang's components, so ``scrapy crawl site`` and
``diancang crawl`` run the same crawl.

Capture sits at 950 (above RedirectMiddleware at 600 and HttpCompressionMiddleware at 590)
so it records every redirect hop and still-compressed bodies.  Scrapy's own offsite, depth,
URL-length and duplicate filters are off: scope, depth, traps and dedupe are decided once, by
the spider's admission step, before a Request is built.
"""

from __future__ import annotations

import os
from typing import Any

from scrapy.settings import BaseSettings

OFF = None
# tldextract's own setting: the public suffix lists to download ("" none: the one it ships)
SUFFIX_LISTS = "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS"

# A browser's Accept for pages; the Accept-Language is the crawl job's (crawl.accept_language)
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


class DiancangAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        # No network but the crawled sites: Scrapy's cookie handling asks tldextract whether a
        # cookie's domain is a public suffix, and tldextract would download the list (from
        # publicsuffix.org) at the first cookie.  Told here, before Scrapy loads its cookies
        # middleware, it uses the list it ships (an operator who set the variable keeps it).
        os.environ.setdefault(SUFFIX_LISTS, "")
        settings.set("DOWNLOADER_MIDDLEWARES", {
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": OFF,
            "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": OFF,
            "scrapy.downloadermiddlewares.httpproxy.HttpProxyMiddleware": OFF,
            "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": OFF,
            # the same place and work, but the Referer follows the redirect as in a browser
            "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": OFF,
            "crawler.redirects.BrowserRedirects": 600,
            # per-request byte counting by re-serialising each request; capture counts bytes
            "scrapy.downloadermiddlewares.stats.DownloaderStats": OFF,
            # RFC 9309's reading of robots.txt, in the place of Scrapy's (100)
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": OFF,
            "crawler.robots.RobotsPolicy": 100,
            "crawler.capture.CaptureMiddleware": 950,
            # If-None-Match / If-Modified-Since from the digest map, per URL
            "crawler.conditional.ConditionalRequests": 580,
            # Scrapy's decompression, with br decoded by brotlicffi (crawler/decoding.py)
            "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": OFF,
            "crawler.decoding.Decompression": 590,
            # cuts over-long and over-slow bodies before capture records them
            "crawler.limits.ResponseLimits": 960,
            **settings.getdict("DOWNLOADER_MIDDLEWARES"),
        }, priority="addon")
        settings.set("SPIDER_MIDDLEWARES", {
            "scrapy.spidermiddlewares.depth.DepthMiddleware": OFF,
            "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": OFF,
            # the spider sets Referer itself, as a browser would, without a policy engine
            "scrapy.spidermiddlewares.referer.RefererMiddleware": OFF,
            "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": OFF,
            **settings.getdict("SPIDER_MIDDLEWARES"),
        }, priority="addon")
        settings.set("EXTENSIONS", {
            "scrapy.extensions.telnet.TelnetConsole": OFF,
            "scrapy.extensions.memusage.MemoryUsage": OFF,
            "scrapy.extensions.remote_control.RemoteControl": OFF,
            "scrapy.extensions.feedexport.FeedExporter": OFF,
            "crawler.progress.Progress": 500,
            **settings.getdict("EXTENSIONS"),
        }, priority="addon")
        defaults: dict[str, Any] = {
            "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
            # a host's concurrency kept on the asyncio reactor too (crawler.downloader)
            "DOWNLOADER": "crawler.downloader.PoliteDownloader",
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
            "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
            "ROBOTSTXT_PARSER": "scrapy.robotstxt.ProtegoRobotParser",
            "REDIRECT_MAX_TIMES": 10,
            # the crawl's own values (politeness, limits, robots retries, headers) come from
            # its job (crawler.run.job_settings), set above the add-on's priority
            "DOWNLOAD_FAIL_ON_DATALOSS": False,
            "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
            "COOKIES_ENABLED": True,
            "LOGSTATS_INTERVAL": 0,
            # The spider yields only requests: with Scrapy's default of 100 "parallel items"
            # every response spawns 100 tasks, which costs more CPU than the page itself.
            "CONCURRENT_ITEMS": 1,
            # Scrapy re-parses the callback's source per response to look for a generator
            # "return value" (its cache is keyed by a bound method that dies at once)
            "WARN_ON_GENERATOR_RETURN_VALUE": False,
        }
        for name, value in defaults.items():
            settings.set(name, value, priority="addon")
