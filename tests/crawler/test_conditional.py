"""Which requests of a recrawl are conditional, and with which header (no network)."""

from __future__ import annotations

from scrapy import Request

from crawler.conditional import ConditionalRequests, validator_headers
from warc_store.records import Original

U = "http://www.gd.gov.cn/"
LM = "Mon, 01 Jan 2024 00:00:00 GMT"
PLACE = ("gd-1.warc.gz", 0)
NEWS = U + "%E6%96%B0%E9%97%BB/1.html"


def test_an_etag_is_asked_alone_else_the_last_modified_date() -> None:
    assert validator_headers(Original("sha1:A", U, "d", '"e"', LM, PLACE)) == \
        {b"If-None-Match": '"e"'}          # RFC 9110 13.1.3: If-Modified-Since is ignored
    assert validator_headers(Original("sha1:A", U, "d", None, LM, PLACE)) == \
        {b"If-Modified-Since": LM}
    assert validator_headers(Original("sha1:A", U, "d", None, None, PLACE)) == {}
    # an original that cannot be read back: a 304 would hide the page's links
    assert validator_headers(Original("sha1:A", U, "d", '"e"', LM, None)) == {}
    assert validator_headers(None) == {}


def test_each_request_is_decided_for_its_own_url() -> None:
    middleware = ConditionalRequests({
        U: Original("sha1:A", U, "d", '"e"', LM, PLACE),
        NEWS: Original("sha1:B", NEWS, "d", None, LM, PLACE)})
    home = Request(U)
    middleware.process_request(home)
    assert home.headers.get(b"If-None-Match") == b'"e"'
    news = Request(U + "新闻/1.html")          # the map's keys are percent-encoded as stored
    middleware.process_request(news)
    assert news.headers.get(b"If-Modified-Since") == LM.encode()
    assert b"If-None-Match" not in news.headers
    # a redirect or a retry copies the headers of the request it came from: they are dropped
    moved = Request(U + "moved.html", headers={"If-None-Match": '"e"',
                                               "If-Modified-Since": LM})
    middleware.process_request(moved)
    assert b"If-None-Match" not in moved.headers and b"If-Modified-Since" not in moved.headers
    form = Request(U, method="POST", body=b"q=1")
    middleware.process_request(form)
    assert b"If-None-Match" not in form.headers
