"""Href resolution (``crawler.spiders.site.absolute``): hrefs made absolute as a browser makes
them, fragments dropped, unfetchable and invalid ones refused.  No network is used."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from crawler.spiders.site import _origin, absolute

BASE = "http://x.cn/dir/page.html"
ORIGIN = "http://x.cn"


@pytest.mark.parametrize(("href", "expected"), [
    # absolute http and https hrefs are kept
    ("http://y.cn/a.html", "http://y.cn/a.html"),
    ("https://y.cn/a?b=1&c=2", "https://y.cn/a?b=1&c=2"),
    # root-relative hrefs are joined to the origin
    ("/", "http://x.cn/"),
    ("/a/b.html", "http://x.cn/a/b.html"),
    ("/search?q=%E6%96%B0&page=2", "http://x.cn/search?q=%E6%96%B0&page=2"),
    # relative hrefs are joined to the base
    ("b.html", "http://x.cn/dir/b.html"),
    ("./same.html", "http://x.cn/dir/same.html"),
    ("../up.html", "http://x.cn/up.html"),
    ("../../too-far.html", "http://x.cn/too-far.html"),
    ("sub/c.html?x=1", "http://x.cn/dir/sub/c.html?x=1"),
    ("?page=2", "http://x.cn/dir/page.html?page=2"),
    # dot segments in a root-relative href are resolved like urljoin does
    ("/a/../b", "http://x.cn/b"),
    ("/a/./b", "http://x.cn/a/b"),
    # protocol-relative hrefs take the base's scheme
    ("//cdn.y.cn/lib.js", "http://cdn.y.cn/lib.js"),
    # fragments are removed
    ("/a.html#section", "http://x.cn/a.html"),
    ("b.html?q=1#top", "http://x.cn/dir/b.html?q=1"),
    ("https://y.cn/#/spa/route", "https://y.cn/"),
    # surrounding whitespace is stripped
    ("  /a.html  ", "http://x.cn/a.html"),
    ("\n\thttp://y.cn/a\r\n", "http://y.cn/a"),
    (" b.html ", "http://x.cn/dir/b.html"),
])
def test_absolute(href: str, expected: str) -> None:
    assert absolute(BASE, ORIGIN, href) == expected


def test_protocol_relative_on_https_base() -> None:
    assert absolute("https://x.cn/a", "https://x.cn", "//y.cn/z#k") == "https://y.cn/z"


@pytest.mark.parametrize("href", [
    "", "   ", "\n\t", "#", "#top", "  #top",
    "mailto:office@x.gov.cn", "javascript:void(0)", "javascript:;", "tel:+86-10-1234",
    "data:image/png;base64,AAAA", "about:blank", "sms:10086",
])
def test_absolute_gives_none_for_unfetchable_hrefs(href: str) -> None:
    assert absolute(BASE, ORIGIN, href) is None


@pytest.mark.parametrize("href", [
    "http://y.cn/a", "https://y.cn/a?b=1", "/a", "/a?b=1#c", "/a/../b", "b", "./b", "../b",
    "?q", "//y.cn/a", "sub/../c", "/x/./y/../z",
])
@pytest.mark.parametrize("base", [
    "http://x.cn/dir/page.html", "https://x.cn/", "http://x.cn:8080/a/b/", "http://x.cn",
])
def test_absolute_agrees_with_urljoin(base: str, href: str) -> None:
    expected = urljoin(base, href).partition("#")[0]
    if base == "http://x.cn" and href == "?q":
        expected = "http://x.cn/?q"     # a browser gives the URL its path "/" first
    assert absolute(base, _origin(base), href) == expected


@pytest.mark.parametrize(("href", "expected"), [
    # hand-written pages of older portals: Windows paths, attributes broken over lines
    ("\\images\\logo.gif", "http://x.cn/images/logo.gif"),
    ("..\\css\\main.css", "http://x.cn/css/main.css"),
    ("/news/\n2020/\ta.html", "http://x.cn/news/2020/a.html"),
    ("/search?q=a\\b", "http://x.cn/search?q=a\\b"),           # in the query it stays
    # a browser asks for the resolved path, the lowercase host, no default port
    ("http://x.cn/a/../b.html", "http://x.cn/b.html"),
    ("HTTPS://WWW.X.CN:443/c.html", "https://www.x.cn/c.html"),
    ("http://x.cn:80/d.html", "http://x.cn/d.html"),
    ("/a b.html", "http://x.cn/a%20b.html"),
    # non-ASCII hrefs get the same clean-up, and keep their characters for the Request to
    # encode (path UTF-8, query in the page's encoding)
    ("\\政府\\公开.html", "http://x.cn/政府/公开.html"),
    ("/政府/\n公开.html?q=典", "http://x.cn/政府/公开.html?q=典"),
])
def test_absolute_reads_hrefs_as_a_browser(href: str, expected: str) -> None:
    assert absolute(BASE, ORIGIN, href) == expected


@pytest.mark.parametrize("href", ["http://a b/", "http://[::1/", "http://x.cn:99999/"])
def test_absolute_gives_none_for_invalid_urls(href: str) -> None:
    assert absolute(BASE, ORIGIN, href) is None


@pytest.mark.parametrize(("url", "origin"), [
    ("http://x.cn/a/b?c", "http://x.cn"),
    ("https://x.cn:8443/", "https://x.cn:8443"),
    ("http://x.cn", "http://x.cn"),
])
def test_origin(url: str, origin: str) -> None:
    assert _origin(url) == origin


@pytest.mark.parametrize("base", ["http://x.cn?lang=en", "http://x.cn#top"])
def test_absolute_root_relative_on_pathless_base_with_query_or_fragment(base: str) -> None:
    assert absolute(base, _origin(base), "/a") == "http://x.cn/a"


def test_absolute_unfetchable_scheme_is_case_insensitive() -> None:
    assert absolute(BASE, ORIGIN, "JavaScript:void(0)") is None
