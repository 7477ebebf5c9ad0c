"""Outlinks and page requisites of an HTML page, a stylesheet or a script.

Links (``<a>``, ``<area>``, canonical and alternate ``<link>``, and the page URLs that
``javascript:`` hrefs and ``onclick`` handlers open) are followed only in scope;
requisites (what a browser loads to draw the page: images with ``srcset`` and lazy-load
attributes, stylesheets, scripts, frames, media, icons, ``style`` attributes and blocks with
their ``url()`` and ``@import``) are fetched even from other hosts.  ``<meta http-equiv=
refresh>`` targets are where a browser goes next; URL-like string literals in scripts are
speculative requisites (Heritrix's JS extractor: fetched, never followed further).  Returned
values are raw attribute values; joining and filtering happen in the admission step, once per
distinct URL.

This runs once per page on the crawl's hot path, so it is one lxml tree walk over the
elements that carry a URL, dispatched by tag in Python, with no wrapper objects per match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_HINT = re.compile(r"url\(|@import", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CSS_IMPORTED = re.compile(
    r"""@import\s+(?:url\(\s*)?(?:"([^"]*)"|'([^']*)'|([^)'"\s;]+))""", re.IGNORECASE)

# String literals in scripts that are clearly URLs: a path (or an absolute http URL) ending in
# an extension a page loads or a reader downloads (attachments that only a script-held list
# links: PDF, Office, WPS, OFD, archives), optionally with a query.  Bare words ("a.js" with no
# slash) are left alone unless they end in .json/.html or a document's extension, as they are
# mostly module or file names.
_DOC_EXT = r"pdf|docx?|xlsx?|pptx?|wps|et|dps|ofd|rtf|zip|rar|7z"
_JS_URL = re.compile(
    r"""(["'])((?:https?:)?//[\w.-]+(?::\d+)?/[^"'\s<>\\]*"""
    r"""|\.{0,2}/?(?:[\w\-.~%]+/)+[\w\-.~%]+\.(?:json|js|html?|shtml|xml|css|png|jpe?g|gif|svg"""
    r"""|webp|ico|""" + _DOC_EXT + r""")"""
    r"""(?:\?[^"'\s<>\\]*)?"""
    r"""|[\w\-~%]+\.(?:json|html?|shtml|""" + _DOC_EXT + r""")(?:\?[^"'\s<>\\]*)?)\1""",
    re.IGNORECASE)
_JS_ABSOLUTE_EXT = re.compile(
    r"\.(?:json|js|html?|shtml|xml|css|png|jpe?g|gif|svg|webp|ico|" + _DOC_EXT + r")(?:\?|$)",
    re.IGNORECASE)
# content="5; url=next.html": an optional delay, a separator, an optional "url=", the URL
_REFRESH = re.compile(r"""^\s*[\d.]*\s*[;,]?\s*(?:url\s*=\s*)?(.*)$""", re.IGNORECASE | re.DOTALL)

# every element that can carry a URL, in one walk of the tree
_CANDIDATES = etree.XPath(
    "//*[@href or @src or @srcset or @data or @background or @poster or @style or @onclick"
    " or @data-src or @data-original or @data-srcset or @data-lazy-src]"
    " | //style | //script[not(@src)] | //meta[@http-equiv]")
LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src")
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
    refresh: list[str] = field(default_factory=list)       # <meta http-equiv=refresh> targets
    speculative: list[str] = field(default_factory=list)   # URL-like literals in scripts


def css_urls(text: str) -> list[str]:
    """``url()`` and ``@import`` targets of a stylesheet (or a style attribute)."""
    if not _CSS_HINT.search(text):
        return []
    found = [a or b or c for a, b, c in _CSS_URL.findall(text)]
    found += [a or b for a, b in _CSS_IMPORT.findall(text)]
    return [u for u in found if u and not u.startswith(("data:", "#"))]


def css_imports(text: str) -> list[str]:
    """The stylesheets a stylesheet ``@import``s (a subset of what ``css_urls`` returns)."""
    if "@import" not in text and "@IMPORT" not in text.upper():
        return []
    return [a or b or c for a, b, c in _CSS_IMPORTED.findall(text) if a or b or c]


def srcset_urls(value: str) -> list[str]:
    """The image URLs of a ``srcset``, read as the HTML standard reads it: a candidate's URL
    runs to the next whitespace (so a ``data:`` URL keeps its comma), its descriptors to the
    next comma outside parentheses."""
    urls: list[str] = []
    pos, end = 0, len(value)
    while pos < end:
        while pos < end and (value[pos] == "," or value[pos].isspace()):
            pos += 1
        start = pos
        while pos < end and not value[pos].isspace():
            pos += 1
        url = value[start:pos]
        if url.endswith(","):
            url = url.rstrip(",")            # a candidate without descriptors
        else:
            depth = 0
            while pos < end:
                char = value[pos]
                if char == "," and not depth:
                    break
                if char == "(":
                    depth += 1
                elif char == ")" and depth:
                    depth -= 1
                pos += 1
        if url:
            urls.append(url)
    return urls


def js_urls(text: str) -> list[str]:
    """String literals of a script that are clearly URLs (speculative requisites)."""
    if "/" not in text and ".htm" not in text and ".json" not in text:
        return []
    found = []
    for _, url in _JS_URL.findall(text):
        if url.startswith(("http", "//")) and not _JS_ABSOLUTE_EXT.search(url.split("#")[0]):
            continue   # an absolute URL of a page or API without an extension: too vague
        if "{" in url or "+" in url:
            continue
        found.append(url)
    return found


def refresh_url(content: str) -> str | None:
    """The target of a ``<meta http-equiv=refresh content="5; url=...">``."""
    match = _REFRESH.match(content)
    target = match.group(1).strip().strip("'\"").strip() if match else ""
    return target or None


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
    refresh: list[str] = []
    speculative: list[str] = []
    for el in _CANDIDATES(root):
        tag = el.tag
        attrib = el.attrib
        if tag == "a" or tag == "area":
            href = attrib.get("href")
            if href and href[:11].lower() == "javascript:":
                links += js_urls(href[11:])     # href="javascript:openWin('/art/1.html')"
            elif href:
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
        elif tag == "script" and "src" not in attrib:
            if el.text:
                speculative += js_urls(el.text)
            continue
        elif tag == "meta":
            if attrib.get("http-equiv", "").lower() == "refresh":
                target = refresh_url(attrib.get("content", ""))
                if target:
                    refresh.append(target)
            continue
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
        if "onclick" in attrib:
            # older portals open their articles from click handlers: what a reader clicks
            links += js_urls(attrib["onclick"])
        if "background" in attrib:
            embeds.append(attrib["background"])
        if "style" in attrib:
            embeds += css_urls(attrib["style"])
        for lazy in LAZY_ATTRS:
            value = attrib.get(lazy)
            if value and " " not in value.strip() and not value.startswith(("{", "[")):
                embeds.append(value)
        if "data-srcset" in attrib:
            embeds += srcset_urls(attrib["data-srcset"])
    return Extracted(base, links, embeds, refresh, speculative)
