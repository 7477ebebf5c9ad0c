"""What ``crawler.extract`` finds besides plain links and requisites: lazy-load attributes,
meta refresh targets, URL literals in scripts, and stylesheet imports.  No network."""

from __future__ import annotations

import pytest

from crawler.extract import css_imports, from_html, js_urls, refresh_url


def extract(html: str, encoding: str = "utf-8"):  # type: ignore[no-untyped-def]
    return from_html(html.encode(encoding), encoding)


def test_lazy_load_attributes_are_requisites_after_src() -> None:
    found = extract("""<body>
        <img class="lazy" src="/ph.gif" data-src="/photos/1.jpg">
        <img src="/ph.gif" data-original="/photos/2.jpg">
        <img data-lazy-src="/photos/3.jpg">
        <img data-srcset="/photos/4.jpg 1x, /photos/4@2x.jpg 2x">
        <div class="banner" data-original="/banners/b.jpg"></div></body>""")
    assert found.embeds == ["/ph.gif", "/photos/1.jpg", "/ph.gif", "/photos/2.jpg",
                            "/photos/3.jpg", "/photos/4.jpg", "/photos/4@2x.jpg",
                            "/banners/b.jpg"]
    assert found.links == []


@pytest.mark.parametrize("value", ['{"id": 3}', "[1, 2]", "two words"])
def test_lazy_attributes_that_are_not_urls_are_ignored(value: str) -> None:
    assert extract(f"<div data-src='{value}'></div>").embeds == []


def test_meta_refresh_targets() -> None:
    found = extract('<head><meta http-equiv="Refresh" content="0; url=/zwgk/index.html">'
                    '<meta http-equiv="content-type" content="text/html; charset=utf-8">'
                    '<meta name="refresh" content="0; url=/not-http-equiv.html"></head>')
    assert found.refresh == ["/zwgk/index.html"]
    assert found.links == [] and found.embeds == []


@pytest.mark.parametrize("content, target", [
    ("0; url=/next.html", "/next.html"),
    ("5;URL='http://www.gd.gov.cn/'", "http://www.gd.gov.cn/"),
    (" 3 ; url = next.html ", "next.html"),
    ("url=/a.html", "/a.html"),
    ("0;/x.html", "/x.html"),
    ('0.5, url="list.html"', "list.html"),
    ("0", None), ("10", None), ("", None), ("0; url=", None),
])
def test_refresh_url(content: str, target: str | None) -> None:
    assert refresh_url(content) == target


def test_inline_script_literals_are_speculative_not_embeds() -> None:
    found = extract("""<body><script>
        fetch("data/menu.json").then(function (r) { return r.json(); });
        var banner = '/images/banner.png', api = "http://a.cn/api/list";
        </script><script src="/js/app.js"></script></body>""")
    assert found.speculative == ["data/menu.json", "/images/banner.png"]
    assert found.embeds == ["/js/app.js"]


@pytest.mark.parametrize("script, expected", [
    ('load("/static/a.js"); x = "../img/b.gif"', ["/static/a.js", "../img/b.gif"]),
    ("u = 'list.html'; v = 'detail.shtml?id=3'", ["list.html", "detail.shtml?id=3"]),
    ('a = "http://www.gd.gov.cn/zwgk/1.html?x=1"; b = "//cdn.gd.gov.cn/c/d.css"',
     ["http://www.gd.gov.cn/zwgk/1.html?x=1", "//cdn.gd.gov.cn/c/d.css"]),
    # too vague or not a URL: no extension, a bare module name, templates, concatenations
    ('a = "http://a.cn/api"; b = "jquery.min.js"; c = "a/b"; d = "/p/{id}.html"', []),
    ('t = "/path/" + id + ".html"; m = "text/html"', []),
    ("no urls at all", []),
])
def test_js_urls(script: str, expected: list[str]) -> None:
    assert js_urls(script) == expected


@pytest.mark.parametrize("css, expected", [
    ('@import url("b.css");', ["b.css"]),
    ("@import 'c.css' screen;", ["c.css"]),
    ("@IMPORT url(d.css);", ["d.css"]),
    ('@import "e.css"; .x{background:url(f.png)}', ["e.css"]),
    (".x{background:url(f.png)}", []),
])
def test_css_imports(css: str, expected: list[str]) -> None:
    assert css_imports(css) == expected
