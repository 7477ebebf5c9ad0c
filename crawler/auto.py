"""Which pages Chromium renders: a seed's ``browser: off | auto | on``, and how ``auto`` decides.

With ``auto`` Scrapy fetches every page and reads it as ever; a page goes to Chromium too
only when its own bytes show that a script builds what a reader sees:

- ``fetches-data``: an inline script asks for data (``fetch(``, ``XMLHttpRequest``,
  ``$.ajax`` / ``$.get`` / ``$.getJSON`` / ``$.post``, ``axios``);
- ``writes-document``: an inline script writes or inserts markup or frames
  (``document.write``, ``insertAdjacentHTML``, ``innerHTML``, ``createElement("iframe")``);
- ``script-media``: a script loads media or fonts (``new FontFace``, ``Hls``, ``.m3u8``),
  sets backgrounds or computes image URLs (``style.backgroundImage``, ``.src =``);
- ``lazy-images``: images wait in attributes a script swaps in (``lay-src``, ``data-echo``,
  ``data-url``, ``data-lazyload``) or an ``IntersectionObserver`` watches the scroll;
- ``routes``: a single-page app's routes (``history.pushState``, ``hashchange``);
- ``app-root``: a known empty app root (``<div id="app">``, ``id="root"``, ``ng-app``);
- ``empty-body``: next to no text and no links in the body of a page that has scripts.

The CMS patterns Scrapy reads itself (``crawler.cms``: TRS pagers, jpage datastores) are
not reasons: their external scripts are known.  Each decision is counted in the crawl's stats
(``diancang/browser/auto/<reason>``, ``diancang/browser/auto/static``).
"""

from __future__ import annotations

import re

OFF, AUTO, ON = "off", "auto", "on"

_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>",
                            re.IGNORECASE | re.DOTALL)
_SCRIPT_REASONS = (
    ("fetches-data", re.compile(
        rb"\bfetch\s*\(|XMLHttpRequest|\$\.(?:ajax|get|getJSON|post)\s*\(|\baxios\b")),
    ("writes-document", re.compile(
        rb"document\.write(?:ln)?\s*\(|insertAdjacentHTML|\.innerHTML\s*[+]?=|"
        rb"createElement\s*\(\s*[\"']i?frame[\"']")),
    ("script-media", re.compile(
        rb"new\s+FontFace\b|\bHls\b|\.m3u8|style\.background(?:Image)?\s*=|\.src\s*=")),
    ("routes", re.compile(rb"history\.pushState|hashchange|location\.hash")),
    ("lazy-images", re.compile(rb"IntersectionObserver")),
)
_LAZY_ATTRIBUTE = re.compile(rb"<img\b[^>]*\s(?:lay-src|data-echo|data-url|data-lazyload)\s*=",
                             re.IGNORECASE)
_APP_ROOT = re.compile(
    rb"""<(?:div|main|section)\b[^>]*\bid\s*=\s*["']?(?:app|root|__next|__nuxt)\b[^>]*>\s*"""
    rb"""</(?:div|main|section)>|\bng-app\b|<app-root\b""", re.IGNORECASE)
_BODY = re.compile(rb"<body\b[^>]*>(.*)", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(rb"<script\b.*?</script\s*>|<style\b.*?</style\s*>|<[^>]*>|&\w+;|\s+",
                   re.IGNORECASE | re.DOTALL)
EMPTY_BODY_BYTES = 64      # visible text shorter than this (bytes, ~20 Chinese characters)
EMPTY_BODY_LINKS = 3       # ... and fewer links than this


def render_reason(body: bytes) -> str | None:
    """Why ``auto`` sends this HTML page to Chromium; None when Scrapy's reading is enough."""
    scripts = _INLINE_SCRIPT.findall(body)
    for script in scripts:
        for reason, pattern in _SCRIPT_REASONS:
            if pattern.search(script):
                return reason
    if _LAZY_ATTRIBUTE.search(body):
        return "lazy-images"
    if _APP_ROOT.search(body):
        return "app-root"
    if b"<script" in body or b"<SCRIPT" in body:
        found = _BODY.search(body)
        inside = found.group(1) if found else b""
        # a short list of links (a pager's page, a column's few items) is content enough
        if len(_TAGS.sub(b"", inside)) < EMPTY_BODY_BYTES and \
                inside.lower().count(b"<a ") < EMPTY_BODY_LINKS:
            return "empty-body"
    return None


def decide(mode: str, body: bytes) -> str | None:
    """The reason a page of a seed with ``browser: mode`` is rendered; None if it is not."""
    if mode == OFF:
        return None
    if mode == ON:
        return "seed-on"
    return render_reason(body)
