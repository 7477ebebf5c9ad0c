"""Outlinks and page requisites of an HTML page or a stylesheet.

Links (``<a>``, ``<area>``, canonical and alternate ``<link>``) are followed only in scope;
requisites (what a browser loads to draw the page: images and ``srcset``, stylesheets,
scripts, frames, media, icons, ``style`` attributes and blocks with their ``url()`` and
``@import``) are fetched even from other hosts.  Returned values are raw attribute values;
joining and filtering happen in the admission step, once per distinct URL.

This runs once per page on the crawl's hot path, so it is one lxml tree walk over the
elements that carry a URL, dispatched by tag in Python, with no wrapper objects per match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_HINT = re.compile(r"url\(|@import", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)

# every element that can carry a URL, in one walk of the tree
_CANDIDATES = etree.XPath(
    "//*[@href or @src or @srcset or @data or @background or @poster or @style] | //style")
EMBED_REL = frozenset(("stylesheet", "icon", "preload", "prefetch", "manifest",
                       "apple-touch-icon", "apple-touch-icon-precomposed", "modulepreload"))
LINK_REL = frozenset(("canonical", "alternate"))
EMBED_SRC_TAGS = frozenset(("img", "script", "iframe", "frame", "embed", "video", "audio",
                            "source", "track", "input"))

_parsers: dict[str, etree.HTMLParser] = {}


@dataclass(frozen=True, slots=True)
class Extracted:
    base: str | None
    links: list[str]
    embeds: list[str]


def css_urls(text: str) -> list[str]:
    """``url()`` and ``@import`` targets of a stylesheet (or a style attribute)."""
    if not _CSS_HINT.search(text):
        return []
    found = [a or b or c for a, b, c in _CSS_URL.findall(text)]
    found += [a or b for a, b in _CSS_IMPORT.findall(text)]
    return [u for u in found if u and not u.startswith(("data:", "#"))]


def srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def _parser(encoding: str) -> etree.HTMLParser:
    parser = _parsers.get(encoding)
    if parser is None:
        # Scrapy names Python codecs ("euc_jp", "utf_8"); libxml2 wants "EUC-JP", "UTF-8"
        for name in (encoding, encoding.replace("_", "-")):
            try:
                parser = etree.HTMLParser(encoding=name, remove_comments=True,
                                          remove_pis=True, no_network=True)
                break
            except LookupError:
                continue
        else:
            parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
        _parsers[encoding] = parser
    return parser


def from_html(body: bytes, encoding: str) -> Extracted:
    """Links and requisites of an HTML document given as bytes in ``encoding``."""
    try:
        root = etree.fromstring(body, _parser(encoding))
    except (etree.ParserError, ValueError):
        return Extracted(None, [], [])
    if root is None:
        return Extracted(None, [], [])
    base: str | None = None
    links: list[str] = []
    embeds: list[str] = []
    for el in _CANDIDATES(root):
        tag = el.tag
        attrib = el.attrib
        if tag == "a" or tag == "area":
            href = attrib.get("href")
            if href:
                links.append(href)
        elif tag == "link":
            href = attrib.get("href")
            rels = attrib.get("rel", "").lower().split()
            if href:
                if any(r in EMBED_REL for r in rels):
                    embeds.append(href)
                elif any(r in LINK_REL for r in rels):
                    links.append(href)
        elif tag == "style":
            if el.text:
                embeds += css_urls(el.text)
        elif tag == "base":
            base = base or attrib.get("href") or None     # the first <base href> counts
        elif tag == "object":
            if attrib.get("data"):
                embeds.append(attrib["data"])
        elif tag in EMBED_SRC_TAGS:
            src = attrib.get("src")
            if src and (tag != "input" or attrib.get("type", "").lower() == "image"):
                embeds.append(src)
            if "srcset" in attrib:
                embeds += srcset_urls(attrib["srcset"])
            if "poster" in attrib:
                embeds.append(attrib["poster"])
        if "background" in attrib:
            embeds.append(attrib["background"])
        if "style" in attrib:
            embeds += css_urls(attrib["style"])
    return Extracted(base, links, embeds)
