"""crawler.robots: RFC 9309 as the policy applies it, on a real Scrapy crawler's settings and
real robots.txt responses (the engine that downloads them is a stand-in: no network)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.utils.test import get_crawler
from twisted.internet import reactor
from twisted.internet.error import ConnectionRefusedError, DNSLookupError

from crawler.addresses import PublicOnlyResolver
from crawler.robots import (
    MAX_BYTES,
    PrivateAddress,
    PutAside,
    RobotsForbidden,
    RobotsPolicy,
    RobotsUnreachable,
)

AGENT = "Diancang"
RULES = b"User-agent: *\nDisallow: /private/\n\nUser-agent: Diancang\nDisallow: /drafts/\n"


class Engine:
    """Answers robots.txt requests from a table of (status, body) or exceptions, per host."""

    running = True

    def __init__(self, answers: dict[str, Any]):
        self.answers = answers
        self.asked: list[str] = []
        self.handed_back: list[str] = []

    async def download_async(self, request: Request) -> Response:
        self.asked.append(request.url)
        answer = self.answers[request.url.split("/")[2]]
        if isinstance(answer, Exception):
            raise answer
        status, body = answer
        return TextResponse(request.url, status=status, body=body, request=request)

    def crawl(self, request: Request) -> None:
        self.handed_back.append(request.url)


def policy(answers: dict[str, Any], *, obey: bool = True, attempts: int = 2) -> RobotsPolicy:
    crawler: Crawler = get_crawler(Spider, {
        "ROBOTSTXT_OBEY": obey, "ROBOTSTXT_USER_AGENT": AGENT,
        "USER_AGENT": f"{AGENT}/0.1 (+http://lib.example.cn/archive)",
        "DIANCANG_ROBOTS_RETRY_AFTER": 0.0, "DIANCANG_ROBOTS_ATTEMPTS": attempts})
    crawler.engine = Engine(answers)  # type: ignore[assignment]
    return RobotsPolicy.from_crawler(crawler)


def ask(rules: RobotsPolicy, url: str, **meta: Any) -> BaseException | None:
    """The policy's verdict on one request: None (fetch it) or the exception refusing it."""
    try:
        asyncio.run(rules.process_request(Request(url, meta=meta)))
    except Exception as exc:  # noqa: BLE001 - the verdict is the exception
        return exc
    return None


def engine(rules: RobotsPolicy) -> Engine:
    found = rules.crawler.engine
    assert isinstance(found, Engine)
    return found


@pytest.fixture(autouse=True)
def _no_calls_left_on_the_reactor() -> Iterator[None]:
    """Requests put aside are handed back by a reactor call; cancel those this test made."""
    before = set(reactor.getDelayedCalls())  # type: ignore[attr-defined]
    yield
    for call in set(reactor.getDelayedCalls()) - before:  # type: ignore[attr-defined]
        call.cancel()


def test_rules_are_obeyed_for_our_agent_and_fetched_once_per_host() -> None:
    rules = policy({"www.gd.gov.cn": (200, RULES), "www.gz.gov.cn": (200, b"")})
    assert ask(rules, "http://www.gd.gov.cn/index.html") is None
    assert ask(rules, "http://www.gd.gov.cn/private/a.html") is None   # the * group: not ours
    refused = ask(rules, "http://www.gd.gov.cn/drafts/a.html")
    assert isinstance(refused, RobotsForbidden) and refused.reason == "robots-disallowed"
    assert ask(rules, "http://www.gz.gov.cn/drafts/a.html") is None
    assert engine(rules).asked == ["http://www.gd.gov.cn/robots.txt",
                                   "http://www.gz.gov.cn/robots.txt"]
    assert rules.stats.get_value("robotstxt/forbidden") == 1
    assert rules.stats.get_value("robotstxt/response_status_count/200") == 2


def test_only_the_first_500_kib_are_read() -> None:
    padding = b"# " + b"x" * MAX_BYTES + b"\n"
    rules = policy({"a.cn": (200, b"User-agent: *\n" + padding + b"Disallow: /\n")})
    assert ask(rules, "http://a.cn/page.html") is None


@pytest.mark.parametrize("status", [404, 403, 410, 301])
def test_a_4xx_or_unfollowed_redirect_means_no_rules(status: int) -> None:
    rules = policy({"a.cn": (status, b"User-agent: *\nDisallow: /\n")})
    assert ask(rules, "http://a.cn/page.html") is None
    assert ask(rules, "http://a.cn/other.html") is None
    assert engine(rules).asked == ["http://a.cn/robots.txt"]


@pytest.mark.parametrize("answer", [(500, b"error page"), (503, b""), (429, b""),
                                    ConnectionRefusedError()], ids=["500", "503", "429", "refused"])
def test_an_unreachable_robots_txt_puts_requests_aside_then_refuses_the_host(
        answer: Any) -> None:
    rules = policy({"a.cn": answer}, attempts=2)
    first = ask(rules, "http://a.cn/page.html")
    assert isinstance(first, PutAside)
    assert rules.aside == 1                       # handed back to the engine when due
    idle = rules.crawler.signals.send_catch_log(signal=signals.spider_idle, spider=Spider("s"))
    assert [type(result.value) for _, result in idle] == [DontCloseSpider]
    second = ask(rules, "http://a.cn/page.html")  # asked again (retry_after 0): still down
    assert isinstance(second, RobotsUnreachable) and second.reason == "robots-unreachable"
    assert isinstance(ask(rules, "http://a.cn/more.html"), RobotsUnreachable)
    assert engine(rules).asked == ["http://a.cn/robots.txt"] * 2
    assert rules.stats.get_value("diancang/robots/unreachable") == 2


def test_a_host_refused_for_its_address_refuses_as_private() -> None:
    PublicOnlyResolver.refused.add("intranet.lib.example")
    try:
        rules = policy({"intranet.lib.example": DNSLookupError("10.1.2.3")})
        refused = ask(rules, "http://intranet.lib.example/")
        assert isinstance(refused, PrivateAddress) and refused.reason == "private-address"
    finally:
        PublicOnlyResolver.refused.discard("intranet.lib.example")


def test_robots_txt_itself_and_other_schemes_are_not_checked() -> None:
    rules = policy({})
    assert ask(rules, "http://a.cn/robots.txt", dont_obey_robotstxt=True) is None
    assert ask(rules, "data:text/plain,hello") is None
    assert engine(rules).asked == []


def test_the_policy_is_off_when_robots_are_not_obeyed() -> None:
    with pytest.raises(NotConfigured):
        policy({}, obey=False)
