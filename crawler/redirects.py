"""Redirects followed as a browser follows them: the Referer goes along.

Scrapy's RedirectMiddleware drops the Referer on every hop unless Scrapy's RefererMiddleware
(a policy engine the crawl does without: the spider sets each Referer itself) is there to set
it again.  A browser sends the referring page's URL to every hop of a redirect chain, except
from an https page to an http URL; some servers refuse images and attachments asked for
without it.  Capture still sees each hop (it sits above this middleware).
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware
from scrapy.http import Response


class BrowserRedirects(RedirectMiddleware):
    def handle_referer(self, request: Request, response: Response) -> None:
        """Keep the Referer the first request carried (Scrapy's documented hook for this)."""
        referer = request.headers.get("Referer")
        if referer and referer.startswith(b"https:") and request.url.startswith("http:"):
            request.headers.pop("Referer")

    def _engine_started(self) -> None:
        """Scrapy warns here that Referers will be dropped without its RefererMiddleware;
        this class keeps them, so the warning would mislead whoever reads the crawl log."""
