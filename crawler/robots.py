"""robots.txt as RFC 9309 reads it, in place of Scrapy's RobotsTxtMiddleware.

Scrapy parses whatever body comes back, so a robots.txt answering 500 (an error page) or not
answering at all means "allow everything".  RFC 9309 says the opposite (section 2.3.1.4): when
robots.txt is unreachable (5xx, 429, a network error) the crawler MUST assume complete
disallow.  Here:

- 2xx: the rules are parsed (first 500 KiB, the RFC's minimum) and obeyed;
- 4xx (and redirects that lead nowhere): there are no rules (RFC 9309 2.3.1.3): everything
  may be fetched;
- 5xx, 429, network error: the host's requests are put aside and robots.txt is asked again
  ``retry_after`` seconds later, up to ``attempts`` times; a host still unreachable then is
  disallowed for the rest of the crawl and each URL it held is refused ("robots-unreachable");
- rules are asked again after 24 hours (RFC 9309 2.4), for long crawls;
- a host refused for its address (``crawl.allow_private``) refuses its URLs as
  "private-address", not as a robots failure.

Requests put aside do not hold a download slot: they are handed back to the engine when the
host is due again, and the spider stays open while any are waiting.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from time import monotonic
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred

from crawler.addresses import PublicOnlyResolver

log = logging.getLogger(__name__)

MAX_BYTES = 500 * 1024          # RFC 9309 2.5: parse at least 500 KiB
MAX_AGE = 24 * 3600.0           # RFC 9309 2.4: cache rules at most 24 hours


class RobotsForbidden(IgnoreRequest):
    reason = "robots-disallowed"


class RobotsUnreachable(IgnoreRequest):
    reason = "robots-unreachable"


class PrivateAddress(IgnoreRequest):
    reason = "private-address"


class PutAside(IgnoreRequest):
    """This attempt is dropped; the same request is handed back to the engine later."""


@dataclass
class HostRules:
    parser: Any = None                 # a RobotParser, or None: everything allowed
    fetched: float = 0.0
    unreachable: int = 0               # consecutive failed attempts
    retry_at: float = 0.0
    private: bool = False
    pending: bool = False              # robots.txt is being fetched
    waiters: list[Deferred[None]] = field(default_factory=list)


class RobotsPolicy:
    DOWNLOAD_PRIORITY = 1000

    def __init__(self, crawler: Crawler, *, retry_after: float, attempts: int):
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured
        self.crawler = crawler
        self.stats = crawler.stats
        self.retry_after = retry_after
        self.attempts = max(1, attempts)
        self.user_agent = crawler.settings.get("ROBOTSTXT_USER_AGENT") or \
            crawler.settings.get("USER_AGENT")
        self.parser_class = load_object(crawler.settings.get("ROBOTSTXT_PARSER"))
        self.hosts: dict[str, HostRules] = {}
        self.aside = 0                 # requests waiting for their host's robots.txt
        crawler.signals.connect(self._keep_open, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsPolicy:
        settings = crawler.settings
        return cls(crawler, retry_after=settings.getfloat("DIANCANG_ROBOTS_RETRY_AFTER"),
                   attempts=settings.getint("DIANCANG_ROBOTS_ATTEMPTS"))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        parts = urlparse_cached(request)
        if parts.scheme not in ("http", "https"):
            return
        rules = self.hosts.get(parts.netloc)
        now = monotonic()
        if rules is None or rules.pending or \
                (rules.parser is not None and now - rules.fetched > MAX_AGE) or \
                (rules.unreachable and rules.unreachable < self.attempts
                 and now >= rules.retry_at):
            rules = await self._fetch(parts.scheme, parts.netloc)
        if rules.private:
            raise PrivateAddress(f"{parts.hostname} is not a public address")
        if rules.unreachable:
            if rules.unreachable >= self.attempts:
                raise RobotsUnreachable(f"robots.txt of {parts.netloc} unreachable")
            self._put_aside(request, rules.retry_at - monotonic())
            raise PutAside(f"robots.txt of {parts.netloc} unreachable; retrying later")
        if rules.parser is not None and not rules.parser.allowed(request.url, self.user_agent):
            self.stats.inc_value("robotstxt/forbidden")
            raise RobotsForbidden("Forbidden by robots.txt")

    async def _fetch(self, scheme: str, netloc: str) -> HostRules:
        """Fetch (or wait for the fetch already under way of) one host's robots.txt."""
        rules = self.hosts.setdefault(netloc, HostRules())
        if rules.pending:
            waiter: Deferred[None] = Deferred()
            rules.waiters.append(waiter)
            await maybe_deferred_to_future(waiter)   # on either reactor
            return rules
        rules.pending = True
        request = Request(f"{scheme}://{netloc}/robots.txt", priority=self.DOWNLOAD_PRIORITY,
                          meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        try:
            assert self.crawler.engine is not None
            response = await self.crawler.engine.download_async(request)
            status = response.status
            self.stats.inc_value(f"robotstxt/response_status_count/{status}")
            if 200 <= status < 300:
                self._rules_found(rules, response.body[:MAX_BYTES])
            elif status < 500 and status != 429:
                # 4xx: no rules (RFC 9309 2.3.1.3); a 3xx here is a redirect not followed
                # (past five hops, or to another scheme): the file is unavailable too
                self._rules_found(rules, None)
            else:
                self._unreachable(rules, netloc, f"HTTP {status}")
        except IgnoreRequest:
            self._rules_found(rules, None)
        except Exception as exc:  # noqa: BLE001 -- any failure to fetch it is "unreachable"
            host = netloc.rpartition("@")[2].rsplit(":", 1)[0].strip("[]")
            if host in PublicOnlyResolver.refused:
                rules.private = True
            else:
                self._unreachable(rules, netloc, f"{type(exc).__name__}: {exc}")
        finally:
            rules.pending = False
            waiters, rules.waiters = rules.waiters, []
            for waiter in waiters:
                waiter.callback(None)
        return rules

    def _rules_found(self, rules: HostRules, body: bytes | None) -> None:
        rules.parser = None if body is None else \
            build_from_crawler(self.parser_class, self.crawler, body)
        rules.fetched = monotonic()
        rules.unreachable = 0

    def _unreachable(self, rules: HostRules, netloc: str, why: str) -> None:
        rules.unreachable += 1
        rules.retry_at = monotonic() + self.retry_after
        self.stats.inc_value("diancang/robots/unreachable")
        final = rules.unreachable >= self.attempts
        log.warning("robots.txt of %s unreachable (%s), attempt %d of %d: %s", netloc, why,
                    rules.unreachable, self.attempts,
                    "its URLs are refused" if final else
                    f"disallowed until asked again in {self.retry_after:g} s")

    def _put_aside(self, request: Request, delay: float) -> None:
        self.aside += 1

        def hand_back() -> None:
            self.aside -= 1
            if self.crawler.engine is not None and self.crawler.engine.running:
                self.crawler.engine.crawl(request)
        # imported here: importing the reactor installs one, and the crawl picks its own
        from twisted.internet import reactor
        reactor.callLater(max(0.0, delay), hand_back)  # type: ignore[arg-type]

    def _keep_open(self, spider: Spider) -> None:
        if self.aside:
            raise DontCloseSpider(f"{self.aside} requests wait for an unreachable robots.txt")
