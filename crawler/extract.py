"""Outlinks and page requisites of an HTML page or a stylesheet.

Links (``<a>``, ``<area>``) are followed only in scope; requisites (what a browser loads to
draw the page: images, stylesheets, scripts, frames, media, icons, CSS ``url()`` and
``@import``) are fetched even from other hosts.  Returned values are raw attribute values;
joining and filtering happen in the admission step, once per distinct URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from parsel import Selector

LINK_XPATH = "//a/@href | //area/@href"
EMBED_XPATH = (
    "//img/@src | //script/@src | //iframe/@src | //frame/@src | //embed/@src"
    " | //video/@src | //video/@poster | //audio/@src | //source/@src | //track/@src"
    " | //input[@type='image']/@src | //object/@data | //*[@background]/@background"
    " | //link[contains(@rel, 'stylesheet') or contains(@rel, 'icon')"
    " or contains(@rel, 'preload') or contains(@rel, 'manifest')]/@href"
)
SRCSET_XPATH = "//img/@srcset | //source/@srcset"
STYLE_XPATH = "//style/text() | //*[@style]/@style"
BASE_XPATH = "//base/@href"

_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)


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


def _srcset_urls(value: str) -> list[str]:
    return [part.split()[0] for part in value.split(",") if part.strip()]


def from_html(selector: Selector) -> Extracted:
    base = selector.xpath(BASE_XPATH).get()
    links = selector.xpath(LINK_XPATH).getall()
    embeds = selector.xpath(EMBED_XPATH).getall()
    for value in selector.xpath(SRCSET_XPATH).getall():
        embeds += _srcset_urls(value)
    for text in selector.xpath(STYLE_XPATH).getall():
        embeds += css_urls(text)
    return Extracted(base, links, embeds)
