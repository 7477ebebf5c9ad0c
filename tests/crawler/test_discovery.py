"""Discovery beyond page links (``crawler.discovery``): sitemaps, robots.txt Sitemap lines,
RSS/Atom feeds, and which links are documents.  Pure functions over bytes; no network."""

from __future__ import annotations

import gzip

import pytest

from crawler.discovery import (
    FeedEntries,
    SitemapEntries,
    feed_entries,
    is_document,
    robots_sitemaps,
    sitemap_entries,
)

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>http://www.gd.gov.cn/zwgk/a.html</loc><lastmod>2026-01-01</lastmod></url>
  <url><loc>  http://www.gd.gov.cn/zwgk/b.html  </loc></url>
  <url><lastmod>2026-01-01</lastmod></url>
</urlset>"""
INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>http://www.gd.gov.cn/sitemap-1.xml</loc></sitemap>
  <sitemap><loc>http://www.gd.gov.cn/sitemap-2.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_urlset_gives_pages_trimmed_and_skips_entries_without_loc() -> None:
    assert sitemap_entries(URLSET) == SitemapEntries(
        pages=["http://www.gd.gov.cn/zwgk/a.html", "http://www.gd.gov.cn/zwgk/b.html"])


def test_sitemap_index_gives_sitemaps() -> None:
    assert sitemap_entries(INDEX) == SitemapEntries(sitemaps=[
        "http://www.gd.gov.cn/sitemap-1.xml", "http://www.gd.gov.cn/sitemap-2.xml.gz"])


def test_gzipped_sitemap_is_read() -> None:
    assert sitemap_entries(gzip.compress(URLSET)).pages[0] == "http://www.gd.gov.cn/zwgk/a.html"


@pytest.mark.parametrize("body", [
    "<!doctype html><html><body>404 页面不存在</body></html>".encode(),
    b"", b"\x1f\x8b not really gzip", b"<?xml version='1.0'?><rss><channel/></rss>",
    b"<?xml version='1.0'?><urlset><url><loc>http://a.cn/x",   # cut off mid-way
])
def test_anything_else_at_sitemap_xml_gives_nothing(body: bytes) -> None:
    entries = sitemap_entries(body)
    assert entries.sitemaps == []
    assert entries.pages in ([], ["http://a.cn/x"])   # lxml's recovery may keep a cut <loc>


def test_robots_sitemap_lines_resolved_against_robots_url() -> None:
    robots = (b"User-agent: *\nDisallow: /private/\n\nSitemap: /sitemap-news.xml\n"
              b"sitemap: http://files.gd.gov.cn/sitemap.xml\n")
    assert robots_sitemaps(robots, "http://www.gd.gov.cn/robots.txt") == [
        "http://www.gd.gov.cn/sitemap-news.xml", "http://files.gd.gov.cn/sitemap.xml"]
    assert robots_sitemaps(b"User-agent: *\nDisallow:\n", "http://a.cn/robots.txt") == []


def test_rss_item_links_and_enclosures() -> None:
    rss = """<?xml version="1.0" encoding="UTF-8"?>
    <rss version="2.0"><channel><title>通知公告</title><link>http://www.gd.gov.cn/</link>
    <item><title>通知一</title><link> http://www.gd.gov.cn/tzgg/1.html </link>
      <enclosure url="http://files.gd.gov.cn/1.pdf" type="application/pdf" length="9"/></item>
    <item><title>通知二</title><link>http://www.gd.gov.cn/tzgg/2.html</link></item>
    </channel></rss>""".encode()
    assert feed_entries(rss) == FeedEntries(
        links=["http://www.gd.gov.cn/tzgg/1.html", "http://www.gd.gov.cn/tzgg/2.html"],
        enclosures=["http://files.gd.gov.cn/1.pdf"])


def test_atom_entry_links_and_enclosure_links() -> None:
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
    <feed xmlns="http://www.w3.org/2005/Atom"><link href="http://a.cn/"/>
    <entry><link href="/news/1.html"/><link rel="enclosure" href="/media/1.mp3"/></entry>
    <entry><link rel="alternate" href="/news/2.html"/></entry></feed>"""
    assert feed_entries(atom) == FeedEntries(links=["/news/1.html", "/news/2.html"],
                                             enclosures=["/media/1.mp3"])


def test_gbk_rss_is_decoded_by_its_declaration() -> None:
    rss = ('<?xml version="1.0" encoding="gbk"?><rss><channel><item><title>政务</title>'
           '<link>http://a.cn/政务.html</link></item></channel></rss>').encode("gbk")
    assert feed_entries(rss) == FeedEntries(links=["http://a.cn/政务.html"], enclosures=[])


@pytest.mark.parametrize("body", [b"<html><body>not a feed</body></html>", b"", b"\x00\x01",
                                  b"<?xml version='1.0'?><urlset/>"])
def test_not_a_feed_is_none(body: bytes) -> None:
    assert feed_entries(body) is None


@pytest.mark.parametrize("href", [
    "/docs/report.pdf", "report.PDF", "/a/letter.doc", "/a/letter.docx?v=2", "t.xls", "t.xlsx",
    "s.ppt", "s.pptx", "/a/b.wps", "/a/b.et", "/a/b.dps", "/gwgk/2024/文件.ofd", "r.rtf",
    "readme.txt", "data.csv", "pack.zip", "pack.rar", "pack.7z", "/a.pdf#page=2",
])
def test_documents_by_extension(href: str) -> None:
    assert is_document(href)


@pytest.mark.parametrize("href", [
    "/index.html", "/a.pdf.html", "/pdf/", "/download?file=1", "/a.docs/", "/img/a.png",
    "/news.shtml", "/zip", "/app.js",
])
def test_not_documents(href: str) -> None:
    assert not is_document(href)
