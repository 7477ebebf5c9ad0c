"""crawler.limits: bodies cut at a size or a deadline, and the reason kept for the record, as
Scrapy's download signals drive the middleware (a real crawler's settings, real responses)."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import StopDownload
from scrapy.http import Response
from scrapy.http.headers import Headers
from scrapy.utils.test import get_crawler

from crawler.limits import MARGIN, TRUNCATED, ResponseLimits, scrapy_maxsize

SPIDER = Spider("s")


def limits(max_size: int = 1000, deadline: float = 0.0) -> ResponseLimits:
    crawler = get_crawler(Spider, {"DIANCANG_MAX_RESPONSE_SIZE": max_size,
                                   "DIANCANG_RESPONSE_DEADLINE": deadline,
                                   "DOWNLOAD_MAXSIZE": scrapy_maxsize(max_size)})
    return ResponseLimits.from_crawler(crawler)


def receive(mw: ResponseLimits, request: Request, *chunks: bytes,
            announced: int = -1) -> StopDownload | None:
    """Headers then body chunks, as Scrapy signals them; the StopDownload raised, if any."""
    mw.headers_received(Headers(), announced, request, SPIDER)
    for chunk in chunks:
        try:
            mw.bytes_received(chunk, request, SPIDER)
        except StopDownload as stop:
            return stop
    return None


def test_scrapy_s_own_limit_sits_above_ours() -> None:
    assert scrapy_maxsize(1000) == 1000 + MARGIN
    assert scrapy_maxsize(0) == 0                     # no limit stays no limit


def test_a_body_under_the_size_is_left_alone() -> None:
    mw, request = limits(max_size=1000), Request("http://a.cn/")
    assert receive(mw, request, b"x" * 400, b"x" * 599) is None
    response = mw.process_response(request, Response(request.url, body=b"x" * 999), SPIDER)
    assert TRUNCATED not in request.meta and len(response.body) == 999


def test_a_long_body_is_cut_at_the_size_and_marked_length() -> None:
    mw, request = limits(max_size=1000), Request("http://a.cn/big.zip")
    stop = receive(mw, request, b"x" * 600, b"x" * 600, b"never read")
    assert stop is not None and stop.fail is False    # keep what came: no error
    assert request.meta[TRUNCATED] == "length"
    response = mw.process_response(request, Response(request.url, body=b"x" * 1200), SPIDER)
    assert response.body == b"x" * 1000


def test_a_body_still_arriving_past_the_deadline_is_cut_and_marked_time() -> None:
    mw, request = limits(max_size=0, deadline=30.0), Request("http://a.cn/slow")
    request.meta["download_latency"] = 31.0           # the download began 31 s ago
    stop = receive(mw, request, b"first bytes")
    assert stop is not None and stop.fail is False
    assert request.meta[TRUNCATED] == "time"


def test_a_body_the_server_broke_off_is_marked_disconnect() -> None:
    mw, request = limits(), Request("http://a.cn/cut")
    receive(mw, request, b"partial")
    mw.process_response(request, Response(request.url, body=b"partial", flags=["dataloss"]),
                        SPIDER)
    assert request.meta[TRUNCATED] == "disconnect"


def test_a_redirect_hop_does_not_pass_its_reason_on() -> None:
    mw, request = limits(), Request("http://a.cn/moved", meta={TRUNCATED: "length"})
    assert receive(mw, request, b"small") is None
    assert TRUNCATED not in request.meta


@pytest.mark.parametrize(("announced", "unbounded"), [(10_000_000, True), (500, False)])
def test_an_announced_length_over_scrapy_s_limit_is_let_through_then_bounded_again(
        announced: int, unbounded: bool) -> None:
    mw, request = limits(max_size=1000), Request("http://a.cn/huge.iso")
    mw.headers_received(Headers({"Content-Length": str(announced)}), announced, request, SPIDER)
    assert (request.meta.get("download_maxsize") == 0) is unbounded
    mw.process_response(request, Response(request.url, body=b"x" * 10), SPIDER)
    if unbounded:      # decompression is bounded by Scrapy's limit again
        assert request.meta["download_maxsize"] == 1000 + MARGIN
