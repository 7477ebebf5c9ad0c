"""indexer.extract_text: what a captured page says, from the raw HTTP bytes as archived
(GBK, GB18030 declared as gb2312, gzip-encoded), HTML and PDF."""

from __future__ import annotations

import gzip

import pytest

from indexer.extract_text import Page, describe
from tests.indexer.corpus import pdf
from warc_store.reader import parse_http

NOTICE = """<html><head>{meta}<title>关于举办读书节的通知</title></head><body>
<div class="nav"><a href="/">首页</a> <a href="javascript:void(0)">打印</a>
<a href="mailto:ds@szlib.org.cn">信箱</a> <a href="#top">顶部</a>
<a href="/list.html">列表</a> <a href="/list.html">列表</a></div>
<table><tr><td>文号：</td><td>粤文〔2024〕3号</td></tr></table>
<article><h1>关于举办读书节的通知</h1><p>深圳图书馆将于四月举办读书节，欢迎广大读者参加。
活动包括讲座、展览和阅读分享会等多种形式，所有市民均可免费参加本次活动。</p></article>
<script>var hidden = "脚本里的字";</script></body></html>"""
MAX_DECODED = 1_000_000       # index.max_decoded_bytes in these tests

PARAGRAPH = "深圳图书馆将于四月举办读书节，欢迎广大读者参加。"


def page(body: bytes, content_type: str = "text/html", *headers: str,
         mime: str = "text/html") -> Page:
    """A 2xx capture as the indexer hands it over: the archived HTTP block, parsed."""
    head = "".join(f"{h}\r\n" for h in (f"Content-Type: {content_type}", *headers))
    block = f"HTTP/1.1 200 OK\r\n{head}\r\n".encode("latin-1") + body
    http = parse_http(block)
    assert http is not None
    return Page(key=0, url="http://www.szlib.org.cn/notice.html", mime=mime, block=block,
                http=http)


@pytest.mark.parametrize(("body", "content_type", "headers"), [
    (NOTICE.format(meta='<meta charset="gbk">').encode("gbk"), "text/html", ()),
    (NOTICE.format(meta="").encode("gb18030"), "text/html; charset=gb2312", ()),
    (gzip.compress(NOTICE.format(meta='<meta charset="gbk">').encode("gbk")), "text/html",
     ("Content-Encoding: gzip",)),
], ids=["gbk-meta", "gb18030-as-gb2312-header", "gzip-gbk"])
def test_chinese_pages_are_read_as_a_browser_reads_them(body: bytes, content_type: str,
                                                        headers: tuple[str, ...]) -> None:
    found = describe(page(body, content_type, *headers), max_decoded_bytes=MAX_DECODED,
                     pdf_max_bytes=10_000)
    assert found["charset"] == "gb18030"           # GBK's superset: every GBK byte decodes
    assert found["title"] == "关于举办读书节的通知"
    assert PARAGRAPH in found["text"]
    assert "脚本里的字" not in found["text"]
    assert found["language"] == "zh"               # undeclared: Han characters outnumber words
    assert found["doc_no"] == "粤文〔2024〕3号"      # gov metadata, from the same tree
    assert found["outlinks"] == 2                   # / and /list.html: not javascript:, mailto:, #
    assert found["_title"] == "关于 举办 读书节 的 通知"
    assert "深圳 图书馆 将 于 四月 举办 读书节" in found["_body"]
    assert "粤文 2024 3 号" in found["_body"]
    assert "图书 书馆" in found["_sub"]


def test_a_declared_language_is_kept_and_empty_fields_are_left_out() -> None:
    found = describe(page(b'<html lang="en-US"><head><title>News</title></head>'
                          b"<body><p>Library opens</p></body></html>"),
                     max_decoded_bytes=MAX_DECODED, pdf_max_bytes=10_000)
    assert found["charset"] == "utf-8" and found["language"] == "en-us"
    assert (found["title"], found["text"], found["outlinks"]) == ("News", "Library opens", 0)
    assert (found["_title"], found["_body"]) == ("news", "library opens")
    assert "_sub" not in found and "doc_no" not in found


def test_a_pdf_gives_its_text_and_document_information() -> None:
    body = pdf("Annual report of the library", "Annual report", "Shenzhen Library")
    found = describe(page(body, "application/pdf", mime="application/pdf"),
                     max_decoded_bytes=MAX_DECODED, pdf_max_bytes=len(body))
    assert found == {"text": "Annual report of the library", "title": "Annual report",
                     "author": "Shenzhen Library", "page_date": "2023-03-01",
                     "_title": "annual report", "_body": "annual report of the library"}


def test_a_pdf_over_the_cap_is_not_read() -> None:
    body = pdf("Annual report of the library", "Annual report", "Shenzhen Library")
    assert describe(page(body, "application/pdf", mime="application/pdf"),
                    max_decoded_bytes=MAX_DECODED,
                    pdf_max_bytes=len(body) - 1) == {}


def test_an_unreadable_page_says_why_instead_of_failing_the_file() -> None:
    found = describe(page(b"%PDF-1.4 cut off", "application/pdf", mime="application/pdf"),
                     max_decoded_bytes=MAX_DECODED, pdf_max_bytes=1000)
    assert list(found) == ["_error"]
    assert found["_error"].startswith("PdfStreamError: ")


def test_a_page_s_date_comes_from_meta_then_its_gov_table_then_trafilatura() -> None:
    def date_of(head: str, body: str) -> str | None:
        html = f"<html><head><title>通知</title>{head}</head><body>{body}</body></html>"
        return describe(page(html.encode()), pdf_max_bytes=10_000,
                        max_decoded_bytes=100_000).get("page_date")

    assert date_of('<meta name="pubdate" content="2023-05-06 10:00">',
                   "<p>发布日期：2020-01-02</p>") == "2023-05-06"
    assert date_of("", "<table><tr><td>发布日期：</td><td>2020年1月2日</td></tr></table>"
                   "<p>正文</p>") == "2020-01-02"
    # neither: trafilatura's date search finds the <time> element
    assert date_of("", '<p>正文</p><time datetime="2021-07-08">七月八日</time>') == "2021-07-08"
    assert date_of("", "<p>没有日期的页面</p>") is None
def test_a_page_is_read_up_to_the_decoded_cap_and_marked() -> None:
    body = b"<html><head><title>Long</title></head><body><p>" + b"word " * 2000 + b"</p>"
    found = describe(page(body), max_decoded_bytes=500, pdf_max_bytes=10_000)
    assert found["title"] == "Long" and found["text_truncated"] is True
    assert len(found["text"]) < 500
    assert "text_truncated" not in describe(page(body), max_decoded_bytes=len(body),
                                            pdf_max_bytes=10_000)
