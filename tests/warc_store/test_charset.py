"""The shared charset decision decodes as the crawler does (Scrapy's response.encoding)."""

from __future__ import annotations

import codecs

import pytest
from scrapy.http import HtmlResponse

from warc_store.charset import decode_html

TEXT = "<title>政务公开</title><p>镕 𠮷</p>"     # 镕 is GBK, not GB2312; 𠮷 only in GB18030


@pytest.mark.parametrize(("body", "content_type", "expected"), [
    (('<meta charset="gb2312">' + TEXT).encode("gb18030"), "text/html", "gb18030"),
    (('<meta charset="utf-8">' + TEXT).encode("gb18030"), "text/html; charset=GBK", "gb18030"),
    (b"\xef\xbb\xbf" + ('<meta charset="gbk">' + TEXT).encode(), "text/html; charset=gbk",
     "utf-8"),
    (TEXT.encode("utf-8"), "text/html", "utf-8"),
    (('<meta http-equiv="Content-Type" content="text/html; charset=gbk">' + TEXT)
     .encode("gb18030"), None, "gb18030"),
])
def test_decode_follows_the_browser_order(body: bytes, content_type: str | None,
                                          expected: str) -> None:
    encoding, text = decode_html(body, content_type)
    assert encoding == expected
    assert "政务公开" in text and "镕 𠮷" in text
    headers = {"Content-Type": content_type} if content_type else {}
    scrapy_encoding = HtmlResponse("http://example.cn/", body=body, headers=headers).encoding
    assert codecs.lookup(scrapy_encoding).name == encoding
