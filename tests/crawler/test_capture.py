"""crawler.capture: Scrapy's raw request and response as a WARC record pair, on a real
crawler's stats, read back with warcio (the engine is a stand-in)."""

from __future__ import annotations

import gzip
import ipaddress
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.test import get_crawler
from twisted.internet import reactor
from warcio.archiveiterator import ArchiveIterator

from crawler.capture import (
    STOPPING,
    CaptureMiddleware,
    CrawlStopping,
    build_warcinfo,
    wire_headers,
)
from crawler.limits import TRUNCATED
from seeds.model import Limits
from tests.support import assert_warcio_check, crawl_job, make_seed

GBK_PAGE = "<html><head><meta charset=gbk><title>通知</title></head><body>图书馆</body></html>" \
    .encode("gbk")
IP = ipaddress.ip_address("202.104.64.10")


class Engine:
    def __init__(self) -> None:
        self.closed: list[str] = []

    async def close_spider_async(self, reason: str) -> None:
        self.closed.append(reason)


def middleware(tmp_path: Path, **job: object) -> tuple[CaptureMiddleware, Crawler]:
    crawler = get_crawler(Spider)
    spider = Spider("site")
    spider.job = crawl_job(tmp_path, **job)  # type: ignore[attr-defined]
    crawler.spider = spider
    crawler.engine = Engine()  # type: ignore[assignment]
    return CaptureMiddleware.from_crawler(crawler), crawler


def fetched(url: str, body: bytes = GBK_PAGE, status: int = 200, **meta: object
            ) -> tuple[Request, Response]:
    request = Request(url, headers={"User-Agent": "Diancang/0.1", "Accept-Language": "zh-CN"},
                      meta=meta)
    response = Response(url, status=status, body=body, request=request, protocol="HTTP/1.1",
                        ip_address=IP, headers={"Content-Type": "text/html",
                                                "Content-Length": str(len(body))})
    return request, response


def records(path: Path) -> list[tuple[str, dict[str, str], bytes]]:
    with path.open("rb") as stream:
        return [(r.rec_type, dict(r.rec_headers.headers), r.content_stream().read())
                for r in ArchiveIterator(stream)]


def test_a_response_becomes_a_request_response_pair_with_the_bytes_as_sent(
        tmp_path: Path) -> None:
    mw, crawler = middleware(tmp_path)
    request, response = fetched("http://www.gd.gov.cn/tzgg/1.html")
    assert mw.process_response(request, response, None) is response
    mw.spider_closed(Spider("site"), "finished")
    (warc,) = (tmp_path / "archive").glob("gd-gov-*.warc.gz")
    assert_warcio_check(warc, 3)                   # every record's digest passes
    (info, _, fields), (kind, head, body), (req_kind, req_head, _) = records(warc)
    assert (info, kind, req_kind) == ("warcinfo", "response", "request")
    assert body == GBK_PAGE                        # GBK bytes as they came, never re-encoded
    assert head["WARC-Target-URI"] == "http://www.gd.gov.cn/tzgg/1.html"
    assert head["WARC-IP-Address"] == "202.104.64.10"
    assert req_head["WARC-Concurrent-To"] == head["WARC-Record-ID"]
    assert b"isPartOf: gd-gov\r\n" in fields and b"crawl: 7\r\n" in fields
    assert crawler.stats is not None
    assert {k: v for k, v in crawler.stats.get_stats().items() if k.startswith("diancang/")} \
        == {"diancang/captures": 1, "diancang/bytes": len(GBK_PAGE), "diancang/status/200": 1}


def test_a_cut_body_is_marked_truncated_in_its_record(tmp_path: Path) -> None:
    mw, crawler = middleware(tmp_path)
    request, response = fetched("http://www.gd.gov.cn/big.zip", body=b"x" * 100,
                                **{TRUNCATED: "length"})
    mw.process_response(request, response, None)
    mw.spider_closed(Spider("site"), "finished")
    (warc,) = (tmp_path / "archive").glob("*.warc.gz")
    (_, head, _) = records(warc)[1]
    assert head["WARC-Truncated"] == "length"
    assert crawler.stats is not None
    assert crawler.stats.get_value("diancang/truncated/length") == 1


def test_the_page_limit_stops_the_crawl_and_later_responses_are_not_archived(
        tmp_path: Path) -> None:
    assert reactor is not None       # installed: Scrapy runs the engine's coroutine on it
    mw, crawler = middleware(tmp_path, limits=Limits(pages=2))
    for n in (1, 2):
        mw.process_response(*fetched(f"http://www.gd.gov.cn/{n}.html"), None)
    engine = crawler.engine
    assert isinstance(engine, Engine) and engine.closed == ["limit: pages"]
    assert crawler.stats is not None
    assert crawler.stats.get_value(STOPPING) == "limit: pages"
    with pytest.raises(CrawlStopping, match="not archived: limit: pages"):
        mw.process_response(*fetched("http://www.gd.gov.cn/3.html"), None)
    mw.spider_closed(Spider("site"), "finished")
    (warc,) = (tmp_path / "archive").glob("*.warc.gz")
    assert [kind for kind, _, _ in records(warc)] == ["warcinfo"] + ["response", "request"] * 2


def response_with(headers: dict[str, str], status: int = 200,
                  protocol: str = "HTTP/1.1") -> Response:
    return Response("http://a.cn/", status=status, headers=headers, protocol=protocol,
                    body=gzip.compress(b"hello"))


def test_a_body_without_a_length_on_http_1_1_was_chunked() -> None:
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    assert wire_headers(response_with(headers), "GET") == [
        ("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
        ("Transfer-Encoding", "chunked")]


@pytest.mark.parametrize(("headers", "status", "protocol", "method"), [
    ({"Content-Length": "25"}, 200, "HTTP/1.1", "GET"),     # a known length
    ({}, 200, "HTTP/1.0", "GET"),                          # close-delimited
    ({}, 200, "HTTP/1.1", "HEAD"),
    ({}, 204, "HTTP/1.1", "GET"), ({}, 304, "HTTP/1.1", "GET"),   # no body
])
def test_otherwise_the_headers_are_kept_as_they_came(headers: dict[str, str], status: int,
                                                     protocol: str, method: str) -> None:
    assert wire_headers(response_with(headers, status, protocol), method) == \
        list(headers.items())


@pytest.mark.parametrize(("obey", "robots", "said"), [
    (True, "obey", "obey"),
    (True, "ignore", "obey; curator override ignores robots.txt for seeds: "
                     "http://www.gd.gov.cn/"),
    (False, "obey", "ignore (operator setting crawl.obey_robots=false)"),
])
def test_warcinfo_says_who_crawled_what_and_how_robots_txt_was_treated(
        tmp_path: Path, obey: bool, robots: str, said: str) -> None:
    job = crawl_job(tmp_path, obey_robots=obey,
                    seeds=(make_seed(url="http://www.gd.gov.cn/", robots=robots),
                           make_seed(url="http://www.gz.gov.cn/")))
    info = build_warcinfo(job, "0.1.0")
    assert info["robots"] == said
    assert info["software"].startswith("Diancang/0.1.0 (Scrapy/")
    expected = {"format": "WARC File Format 1.1", "operator": "深圳图书馆",
                "http-header-user-agent": "Diancang/0.1 (+http://lib.example.cn/archive)",
                "isPartOf": "gd-gov", "description": "广东省政府网站", "crawl": "7"}
    assert {name: info[name] for name in expected} == expected
