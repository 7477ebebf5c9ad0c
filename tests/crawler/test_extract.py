"""Link and requisite extraction (``crawler.extract``); href resolution is in test_absolute.py.

Every test feeds a small, hand-written HTML page or stylesheet to the extractor and asserts the
exact lists it returns, in the order the code returns them (document order of the elements;
within one element ``src``, ``srcset``, ``poster``, ``background``, then ``style``; within a
stylesheet every ``url()`` first, then the quoted ``@import`` targets).  No network is used.
"""

from __future__ import annotations

import pytest

from crawler.extract import Extracted, css_urls, from_html, srcset_urls

EMPTY = Extracted(None, [], [])


def extract(html: str, encoding: str = "utf-8") -> Extracted:
    return from_html(html.encode(encoding), encoding)


def links(html: str) -> list[str]:
    return extract(html).links


def embeds(html: str) -> list[str]:
    return extract(html).embeds


# ---- links ----------------------------------------------------------------------------------

def test_links_from_anchors_areas_and_canonical_alternate_in_document_order() -> None:
    page = """<html><head>
        <link rel="canonical" href="https://x.cn/canonical">
        <link rel="alternate" hreflang="en" href="/en/">
        <link rel="alternate" type="application/rss+xml" href="/feed.xml">
        </head><body>
        <a href="/a.html">a</a>
        <a href="b.html">b</a>
        <a name="anchor-without-href">no href</a>
        <a href="">empty</a>
        <map name="m"><area shape="rect" coords="0,0,1,1" href="/area.html"></map>
        <a href="http://other.cn/x?y=1">c</a>
        </body></html>"""
    assert extract(page) == Extracted(None, [
        "https://x.cn/canonical", "/en/", "/feed.xml",
        "/a.html", "b.html", "/area.html", "http://other.cn/x?y=1",
    ], [])


def test_link_values_are_raw_attribute_values() -> None:
    assert links('<a href="  /spaced.html  ">x</a><a href="#top">t</a>'
                 '<a href="mailto:a@x.cn">m</a>') == ["  /spaced.html  ", "#top", "mailto:a@x.cn"]


@pytest.mark.parametrize("rel", ["canonical", "CANONICAL", "Alternate", "alternate nofollow"])
def test_link_rel_for_links_is_case_insensitive(rel: str) -> None:
    assert extract(f'<link rel="{rel}" href="/l">') == Extracted(None, ["/l"], [])


@pytest.mark.parametrize("rel", ["nofollow", "author", "preconnect", ""])
def test_link_with_other_rel_is_neither_link_nor_embed(rel: str) -> None:
    assert extract(f'<link rel="{rel}" href="/l">') == EMPTY


# ---- embeds ---------------------------------------------------------------------------------

@pytest.mark.parametrize("rel", [
    "stylesheet", "StyleSheet", "STYLESHEET", "alternate stylesheet",
    "icon", "shortcut icon", "Shortcut Icon", "apple-touch-icon",
    "preload", "prefetch", "modulepreload", "manifest",
])
def test_link_rel_for_requisites(rel: str) -> None:
    assert extract(f'<link rel="{rel}" href="/r">') == Extracted(None, [], ["/r"])


def test_link_requisites_in_document_order() -> None:
    page = """<head>
        <link rel="stylesheet" href="/css/site.css">
        <link rel="icon" href="/favicon.ico">
        <link rel="apple-touch-icon" href="/touch.png">
        <link rel="preload" as="font" href="/f.woff2">
        <link rel="manifest" href="/app.webmanifest">
        <link rel="stylesheet">
        </head>"""
    assert embeds(page) == ["/css/site.css", "/favicon.ico", "/touch.png", "/f.woff2",
                            "/app.webmanifest"]


def test_img_src_and_srcset_with_descriptors_and_extra_spaces() -> None:
    page = """<img src="/a.jpg" srcset="  /a-1x.jpg 1x ,   /a-2x.jpg   2x,/a-3x.jpg 3x  ">
              <img srcset="/w-320.jpg 320w, /w-640.jpg 640w,  /w-bare.jpg">
              <img alt="no source">"""
    assert embeds(page) == ["/a.jpg", "/a-1x.jpg", "/a-2x.jpg", "/a-3x.jpg",
                            "/w-320.jpg", "/w-640.jpg", "/w-bare.jpg"]


def test_picture_sources_then_fallback_img() -> None:
    page = """<picture>
        <source media="(min-width: 800px)" srcset="/big.webp 1x, /big@2x.webp 2x"
                type="image/webp">
        <source srcset="/small.jpg">
        <img src="/fallback.jpg">
        </picture>"""
    assert embeds(page) == ["/big.webp", "/big@2x.webp", "/small.jpg", "/fallback.jpg"]


def test_every_src_tag_in_document_order() -> None:
    page = """<html><head><script src="/js/app.js"></script><script>var a = 1;</script></head>
        <body>
        <iframe src="/frame.html"></iframe>
        <embed src="/movie.swf">
        <video src="/v.mp4" poster="/poster.jpg">
          <source src="/v.webm" type="video/webm">
          <track src="/subs.vtt" kind="subtitles">
        </video>
        <audio src="/a.mp3"></audio>
        <object data="/doc.pdf" type="application/pdf"></object>
        <object type="application/x-empty"></object>
        </body></html>"""
    assert embeds(page) == ["/js/app.js", "/frame.html", "/movie.swf", "/v.mp4", "/poster.jpg",
                            "/v.webm", "/subs.vtt", "/a.mp3", "/doc.pdf"]


def test_frameset_frames() -> None:
    page = """<html><frameset cols="20%,80%">
        <frame src="/left.html"><frame src="/right.html">
        </frameset></html>"""
    assert extract(page) == Extracted(None, [], ["/left.html", "/right.html"])


@pytest.mark.parametrize(("input_tag", "expected"), [
    ('<input type="image" src="/go.png">', ["/go.png"]),
    ('<input type="IMAGE" src="/go.png">', ["/go.png"]),
    ('<input type="submit" src="/no.png">', []),
    ('<input type="text" src="/no.png">', []),
    ('<input type="hidden" src="/no.png">', []),
    ('<input src="/no.png">', []),
])
def test_only_image_inputs_are_requisites(input_tag: str, expected: list[str]) -> None:
    assert embeds(f"<form>{input_tag}</form>") == expected


def test_background_attributes() -> None:
    page = """<body background="/body-bg.gif"><table background="/table.gif">
        <tr><td background="/cell.gif">x</td></tr></table></body>"""
    assert embeds(page) == ["/body-bg.gif", "/table.gif", "/cell.gif"]


def test_style_attributes_in_three_quoting_styles() -> None:
    page = """<div style="background: url(/plain.png)"></div>
        <div style='background-image: url("/double.png")'></div>
        <div style="background-image: url('/single.png')"></div>
        <div style="color: red"></div>
        <a href="/link" style="background:url( /spaced.png )">x</a>"""
    assert extract(page) == Extracted(None, ["/link"],
                                      ["/plain.png", "/double.png", "/single.png", "/spaced.png"])


def test_style_blocks_urls_then_imports() -> None:
    page = """<head><style>
        @import "/imp-double.css";
        @import '/imp-single.css' screen;
        @import url(/imp-url.css);
        body { background: url(/bg.png) }
        .a { background: url("/a.png") } .b { background: url('/b.png') }
        .inline { background: url(data:image/png;base64,iVBORw0KGgo=) }
        .quoted { background: url("data:image/gif;base64,R0lGOD==") }
        .filter { filter: url(#blur) }
        .empty { background: url() }
        </style><style></style></head>"""
    assert embeds(page) == ["/imp-url.css", "/bg.png", "/a.png", "/b.png",
                            "/imp-double.css", "/imp-single.css"]


def test_element_order_src_srcset_poster_background_style() -> None:
    page = ('<video src="/v.mp4" poster="/p.jpg" background="/bg.gif"'
            ' style="background:url(/s.png)"></video>')
    assert embeds(page) == ["/v.mp4", "/p.jpg", "/bg.gif", "/s.png"]


def test_full_page_links_and_embeds_separated() -> None:
    page = """<!DOCTYPE html><html><head><meta charset="utf-8">
        <base href="http://x.cn/dir/">
        <link rel="stylesheet" href="main.css"><link rel="canonical" href="/home">
        <style>h1 { background: url(h1.png) }</style></head>
        <body><a href="news.html"><img src="logo.png" srcset="logo2.png 2x"></a>
        <script src="app.js"></script></body></html>"""
    assert extract(page) == Extracted("http://x.cn/dir/", ["/home", "news.html"],
                                      ["main.css", "h1.png", "logo.png", "logo2.png", "app.js"])


# ---- base, comments, encodings, broken input --------------------------------------------------

def test_base_href_returned() -> None:
    assert extract('<head><base href="http://x.cn/b/"></head><a href="x">x</a>') == \
        Extracted("http://x.cn/b/", ["x"], [])


def test_base_without_href_is_none() -> None:
    assert extract('<head><base target="_blank"></head>').base is None
    assert extract('<head><base href=""></head>').base is None


def test_first_base_href_wins() -> None:
    assert extract('<head><base href="/first/"><base href="/second/"></head>').base == "/first/"


def test_comments_are_ignored() -> None:
    page = """<html><head><!-- <link rel="stylesheet" href="/hidden.css"> -->
        <!--[if lt IE 9]><script src="/html5shiv.js"></script><![endif]--></head>
        <body><p>text<!-- <a href="/commented.html">x</a> <img src="/c.png"> --></p>
        <a href="/visible.html">v</a></body></html>"""
    assert extract(page) == Extracted(None, ["/visible.html"], [])


def test_gbk_page_decodes_chinese_href() -> None:
    page = ('<html><head><title>首页</title></head><body><p>欢迎访问</p>'
            '<a href="/新闻/列表.html">新闻中心</a><img src="图片/标志.png"></body></html>')
    body = page.encode("gbk")
    expected = Extracted(None, ["/新闻/列表.html"], ["图片/标志.png"])
    assert from_html(body, "gbk") == expected
    assert from_html(body, "GBK") == expected
    assert from_html(body, "gb18030") == expected
    # the encoding argument is what decodes the page: read as UTF-8 the href is mangled
    assert from_html(body, "utf-8").links != ["/新闻/列表.html"]


def test_utf8_chinese_href() -> None:
    assert links('<a href="/政务公开/通知?id=一">通知</a>') == ["/政务公开/通知?id=一"]


@pytest.mark.parametrize("body", [
    b"",
    b"   ",
    b" \r\n\t \n",
    b"\x00\x00\x00\x00",
    bytes(range(256)) * 8,
    b"\xff\xfe\x00<\x00a\x00",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    b"<!-- only a comment -->",
], ids=["empty", "spaces", "whitespace", "nuls", "all-bytes", "bom-garbage", "png", "comment"])
@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_empty_or_garbage_bodies_give_empty_results(body: bytes, encoding: str) -> None:
    assert from_html(body, encoding) == EMPTY


@pytest.mark.parametrize("encoding", ["x-no-such-encoding", "", "utf_8_nonsense"])
def test_unknown_encoding_falls_back_without_raising(encoding: str) -> None:
    page = b'<html><body><a href="/ascii.html">x</a><img src="/i.png"></body></html>'
    assert from_html(page, encoding) == Extracted(None, ["/ascii.html"], ["/i.png"])
    # a second call uses the cached fallback parser and gives the same answer
    assert from_html(page, encoding) == Extracted(None, ["/ascii.html"], ["/i.png"])


def test_python_codec_name_from_scrapy_decodes() -> None:
    body = '<a href="/新聞/一覧.html">新聞</a>'.encode("euc_jp")
    assert from_html(body, "euc_jp").links == ["/新聞/一覧.html"]


def test_dns_prefetch_is_not_a_requisite() -> None:
    assert extract('<link rel="dns-prefetch" href="//cdn.x.cn">') == EMPTY


# ---- css_urls and srcset_urls -----------------------------------------------------------------

FONT_CSS = """
@charset "utf-8";
@import url("reset.css");
@font-face {
  font-family: "Source Han Sans";
  src: url(a.woff2) format("woff2"), url('a.woff') format("woff"),
       local("Source Han Sans");
  font-display: swap;
}
@font-face { font-family: Icons;
             src: url("../fonts/icons.eot?#iefix") format("embedded-opentype"); }
body { font-family: "Source Han Sans", sans-serif; background: #fff url(img/bg.png) repeat-x; }
.logo { background-image: url( "img/logo.svg#mark" ); }
.mask { mask: url(#m); }
.dot { background: url(data:image/svg+xml;utf8,dot); }
@import 'late.css';
"""


def test_css_urls_on_a_stylesheet_with_fonts() -> None:
    assert css_urls(FONT_CSS) == ["reset.css", "a.woff2", "a.woff", "../fonts/icons.eot?#iefix",
                                  "img/bg.png", "img/logo.svg#mark", "late.css"]


@pytest.mark.parametrize(("text", "expected"), [
    ("background: url(a.png)", ["a.png"]),
    ('background: url("a b.png")', ["a b.png"]),
    ("background: url('a.png')", ["a.png"]),
    ("background: URL(a.png)", ["a.png"]),
    ("background: url(  a.png  )", ["a.png"]),
    ('@import "x.css";', ["x.css"]),
    ("@import 'x.css';", ["x.css"]),
    ("@import url(x.css);", ["x.css"]),
    ('@import url("x.css") screen;', ["x.css"]),
    ("color: red", []),
    ("", []),
    ("background: url()", []),
    ('background: url("")', []),
    ("background: url(data:image/png;base64,AAAA)", []),
    ("background: url('data:image/png;base64,AAAA')", []),
    ("filter: url(#f)", []),
    ('filter: url("#f")', []),
])
def test_css_urls(text: str, expected: list[str]) -> None:
    assert css_urls(text) == expected


@pytest.mark.parametrize("text", ["background: Url(a.png)", "@IMPORT 'a.png';"])
def test_css_urls_mixed_case(text: str) -> None:
    assert css_urls(text) == ["a.png"]


@pytest.mark.parametrize(("value", "expected"), [
    ("a.jpg", ["a.jpg"]),
    ("a.jpg 1x, b.jpg 2x", ["a.jpg", "b.jpg"]),
    ("  a.jpg   1x ,   b.jpg\t2x  ", ["a.jpg", "b.jpg"]),
    ("a-320.jpg 320w,a-640.jpg 640w, a-1280.jpg 1280w", ["a-320.jpg", "a-640.jpg",
                                                          "a-1280.jpg"]),
    ("a.jpg 1.5x, ", ["a.jpg"]),
    ("", []),
    (" , ,", []),
    # a candidate's URL runs to whitespace: a data: URL keeps its comma (and is dropped later,
    # by absolute), a URL with no descriptor may end at its comma
    ("data:image/png;base64,iVBO 1x, b.png 2x", ["data:image/png;base64,iVBO", "b.png"]),
    ("a.jpg, b.jpg 2x,c.jpg", ["a.jpg", "b.jpg", "c.jpg"]),
    ("a.jpg,b.jpg 2x", ["a.jpg,b.jpg"]),          # what a browser asks for, too
    # descriptors end at a comma outside parentheses
    ("a.jpg (max-width: 10px, 20px) 2x, b(1).jpg 3x", ["a.jpg", "b(1).jpg"]),
])
def test_srcset_urls(value: str, expected: list[str]) -> None:
    assert srcset_urls(value) == expected


def test_pages_opened_by_javascript_hrefs_and_click_handlers_are_links() -> None:
    """Older portals open their articles from script: what a reader clicks, a crawl follows."""
    page = """<a href="javascript:window.open('/xxgk/art_1.html')">通知</a>
              <a href="JavaScript:void(0)" onclick="openWin('news/2.html');return false">新闻</a>
              <td onclick="location.href='/c/3.shtml'">专题</td>
              <a href="javascript:;">无</a> <a href="javascript:history.back()">返回</a>"""
    assert links(page) == ["/xxgk/art_1.html", "news/2.html", "/c/3.shtml"]
