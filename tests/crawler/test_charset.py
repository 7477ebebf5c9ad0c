"""Pages decode as a browser decodes them: BOM, then the HTTP charset, then ``<meta charset>``,
then sniffing, with GB2312/GBK declarations read as GB18030 (their superset).  The crawler
extracts links from ``response.encoding`` (Scrapy's, via w3lib), so that is what is pinned."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse

from crawler.extract import from_html

HREF = "/政务公开/镕.html"      # 镕 is in GBK but not in GB2312; 𠮷 only in GB18030


def page(meta: str | None, text: str = HREF) -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return (f'<html><head>{head}<title>标题</title></head>'
            f'<body><a href="{text}">链接</a></body></html>')


def response(body: bytes, content_type: str = "text/html") -> HtmlResponse:
    return HtmlResponse("http://www.gd.gov.cn/", body=body,
                        headers={"Content-Type": content_type})


@pytest.mark.parametrize("declared", ["gb2312", "GBK", "gb18030", "x-gbk"])
def test_gb_declarations_read_as_gb18030(declared: str) -> None:
    body = page(declared, "/𠮷/镕.html").encode("gb18030")
    resp = response(body)
    assert resp.encoding == "gb18030"
    assert from_html(resp.body, resp.encoding).links == ["/𠮷/镕.html"]


def test_http_charset_beats_meta() -> None:
    resp = response(page("utf-8").encode("gbk"), "text/html; charset=gbk")
    assert resp.encoding == "gb18030"
    assert from_html(resp.body, resp.encoding).links == [HREF]


def test_bom_beats_http_charset_and_meta() -> None:
    resp = response(b"\xef\xbb\xbf" + page("gbk").encode("utf-8"), "text/html; charset=gbk")
    assert resp.encoding == "utf-8"
    assert from_html(resp.body, resp.encoding).links == [HREF]


def test_meta_only() -> None:
    resp = response(page("gbk").encode("gbk"))
    assert resp.encoding == "gb18030"
    assert from_html(resp.body, resp.encoding).links == [HREF]


def test_undeclared_utf8_is_sniffed() -> None:
    resp = response(page(None).encode("utf-8"))
    assert from_html(resp.body, resp.encoding).links == [HREF]
