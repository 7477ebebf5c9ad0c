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
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)

# every element that can carry a URL, in one walk of the tree
_CANDIDATES = etree.XPath(
    "//*[@href or @src or @srcset or @data or @background or @poster or @style] | //style")
EMBED_REL = ("stylesheet", "icon", "preload", "prefetch", "manifest", "apple-touch-icon",
             "modulepreload")
LINK_REL = ("canonical", "alternate")
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
    if "url(" not in text and "URL(" not in text and "@import" not in text:
        return []
    found = [a or b or c for a, b, c in _CSS_URL.findall(text)]
    found += [a or b for a, b in _CSS_IMPORT.findall(text)]
    return [u for u in found if u and not u.startswith(("data:", "#"))]


def srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def _parser(encoding: str) -> etree.HTMLParser:
    parser = _parsers.get(encoding)
    if parser is None:
        try:
            parser = etree.HTMLParser(encoding=encoding, remove_comments=True,
                                      remove_pis=True, no_network=True)
        except LookupError:
            parser = etree.HTMLParser(remove_comments=True, no_network=True)
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
            rel = attrib.get("rel", "").lower()
            if href:
                if any(r in rel for r in EMBED_REL):
                    embeds.append(href)
                elif any(r in rel for r in LINK_REL):
                    links.append(href)
        elif tag == "style":
            if el.text:
                embeds += css_urls(el.text)
        elif tag == "base":
            base = attrib.get("href") or base
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
