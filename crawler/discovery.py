"""Discovery beyond links in pages: sitemaps, robots.txt ``Sitemap:`` lines, RSS/Atom feeds,
and which links are documents (attachments fetched wherever they are, as requisites are).

Government portals list much of their 政府信息公开 only in sitemaps and feeds, and link their
attachments (PDF, Office, WPS, OFD) from file servers on other hosts; a crawl that follows
only in-scope ``<a>`` links misses both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

# Attachments a reader clicks: fetched even off-host and at the depth limit, never parsed for
# links.  WPS/ET/DPS are Kingsoft Office's formats, OFD China's fixed-layout document format.
_DOCUMENT = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|wps|et|dps|ofd|rtf|txt|csv|zip|rar|7z)(?:[?#]|$)",
    re.IGNORECASE)
MAX_SITEMAP_BYTES = 50 * 1024 * 1024      # the sitemaps protocol's own limit, uncompressed

_FEED_ROOTS = frozenset(("rss", "feed", "RDF"))
_FEED_LINKS = etree.XPath(
    "//*[local-name()='item' or local-name()='entry']/*[local-name()='link']")
_FEED_ENCLOSURES = etree.XPath("//*[local-name()='enclosure']/@url")
_XML_PARSER = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                              remove_comments=True, remove_pis=True, huge_tree=False)


def is_document(href: str) -> bool:
    """Whether a link names an attachment (by its path's extension)."""
    return _DOCUMENT.search(href) is not None


@dataclass(frozen=True, slots=True)
class SitemapEntries:
    sitemaps: list[str] = field(default_factory=list)   # from a sitemap index
    pages: list[str] = field(default_factory=list)      # from a urlset


def sitemap_entries(body: bytes) -> SitemapEntries:
    """The ``<loc>`` URLs of a sitemap or sitemap index (gzipped or not); empty for anything
    that is not one (a soft-404 HTML page at /sitemap.xml, say)."""
    if body[:2] == b"\x1f\x8b":
        try:
            body = gunzip(body, max_size=MAX_SITEMAP_BYTES)
        except (OSError, EOFError, ValueError):
            return SitemapEntries()
    head = body[:1024].lstrip().lower()
    if not head.startswith(b"<?xml") and b"<urlset" not in head and b"<sitemapindex" not in head:
        return SitemapEntries()
    try:
        sitemap = Sitemap(body)
        locs = [entry["loc"] for entry in sitemap if entry.get("loc")]
    except (etree.LxmlError, StopIteration, ValueError):
        return SitemapEntries()
    if sitemap.type == "sitemapindex":
        return SitemapEntries(sitemaps=locs)
    if sitemap.type == "urlset":
        return SitemapEntries(pages=locs)
    return SitemapEntries()


def robots_sitemaps(body: bytes, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt."""
    return list(sitemap_urls_from_robots(body, base_url))


@dataclass(frozen=True, slots=True)
class FeedEntries:
    links: list[str] = field(default_factory=list)        # the items' pages
    enclosures: list[str] = field(default_factory=list)   # attached media and documents


def feed_entries(body: bytes) -> FeedEntries | None:
    """The item links and enclosures of an RSS or Atom feed; None when it is not a feed."""
    try:
        root = etree.fromstring(body, _XML_PARSER)
    except (etree.LxmlError, ValueError):
        return None
    if root is None or etree.QName(root).localname not in _FEED_ROOTS:
        return None
    links: list[str] = []
    for link in _FEED_LINKS(root):
        href = link.get("href")            # Atom: <link rel="alternate" href="..."/>
        if href is not None:
            if link.get("rel", "alternate") == "enclosure":
                continue
            links.append(href)
        elif link.text and link.text.strip():   # RSS: <link>https://...</link>
            links.append(link.text.strip())
    enclosures = [str(url) for url in _FEED_ENCLOSURES(root)]
    enclosures += [link.get("href") for link in _FEED_LINKS(root)
                   if link.get("rel") == "enclosure" and link.get("href")]
    return FeedEntries(links, enclosures)
