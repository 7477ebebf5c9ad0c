"""What a reader sees on an HTML page: its title, its main text, and the rest of its text.

lxml only (a page costs about a millisecond, where trafilatura took ten): scripts, styles,
templates and hidden elements are dropped, block elements end a line, links end a word, and
the *main text* is the element that holds the most paragraph text (with its paragraphs, a
readability-style guess that serves Chinese government pages, whose article sits in one
``div`` of ``<p>``).  Everything else visible (navigation, news lists, notice bars, footers)
is the *rest*: indexed too, ranked after the main text, and used for snippets only when the
main text lacks the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

_DROP = ("script", "style", "noscript", "template", "head", "select", "textarea", "button")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
BLOCKS = frozenset((
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "option", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"))
_PARAGRAPHS = frozenset(("p", "pre", "blockquote"))
_CONTAINERS = frozenset(("div", "td", "article", "section", "main", "font", "span"))
MIN_MAIN_CHARS = 40            # less paragraph text than this: the whole page is main text
_MAYBE_HIDDEN = "//*[@hidden or @aria-hidden or contains(@style, ':')]"
_BLANKS = re.compile(r"[ \t\r\f\v\u3000\xa0]+")


@dataclass(frozen=True, slots=True)
class Visible:
    title: str | None          # <title>, else og:title, else the first <h1>
    main: str                  # the main text, one line per block
    rest: str                  # every other visible text, one line per block


def clean_lines(text: str) -> str:
    lines = (_BLANKS.sub(" ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _title(root: etree._Element) -> str | None:
    found = root.findtext(".//title")
    if not (found and found.strip()):
        og = root.xpath("//meta[@property='og:title']/@content")
        found = og[0] if og else None
    if not (found and found.strip()):
        found = next((h.text_content() for h in root.iter("h1")), None)
    return " ".join(found.split()) if found and found.strip() else None


def _hidden(el: etree._Element) -> bool:
    return (el.get("hidden") is not None or el.get("aria-hidden") == "true"
            or bool(_HIDDEN_STYLE.search(el.get("style") or "")))


def _own_chars(el: etree._Element) -> int:
    """Characters of text directly inside the element (not inside its child elements)."""
    n = len((el.text or "").strip())
    for child in el:
        n += len((child.tail or "").strip())
    return n


def visible(root: etree._Element) -> Visible:
    """The page's title, main text and rest.  Changes the tree (drops what is not seen)."""
    title = _title(root)
    drop = [el for el in root.iter(_DROP, etree.Comment, etree.ProcessingInstruction)]
    drop += [el for el in root.xpath(_MAYBE_HIDDEN) if _hidden(el)]
    for el in drop:
        if el.getparent() is not None:
            el.drop_tree()
    score: dict[etree._Element, int] = {}
    for el in root.iter():
        tag = el.tag
        if tag in BLOCKS:
            el.tail = "\n" + (el.tail or "")
        elif tag == "a":        # links side by side are separate words (首页|新闻中心)
            el.tail = " " + (el.tail or "")
        if tag in _PARAGRAPHS:
            chars = len(el.text_content().strip())
        elif tag in _CONTAINERS:
            chars = _own_chars(el)
        else:
            continue
        parent = el if tag in _CONTAINERS else el.getparent()
        if chars >= 10 and parent is not None:
            score[parent] = score.get(parent, 0) + chars
    body = root.find("body")
    body = root if body is None else body
    best = max(score.items(), key=lambda item: item[1], default=None)
    if best is None or best[1] < MIN_MAIN_CHARS:      # a short page: all of it is its text
        return Visible(title, clean_lines(body.text_content()), "")
    main_el = best[0]
    main = clean_lines(main_el.text_content())
    if main_el is body or main_el is root:
        return Visible(title, main, "")
    main_el.drop_tree()
    return Visible(title, main, clean_lines(body.text_content()))
