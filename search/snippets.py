"""Snippets: about ``SNIPPET_CHARS`` characters of a capture's text around the first place a
query's words occur as words (as the indexer found them), HTML-escaped, each in ``<mark>``.
Layout debris (table rules, runs of separators) is squeezed out first."""

from __future__ import annotations

import html
import re

from search.words import short_words, words

SNIPPET_CHARS = 120
SNIPPET_BEFORE = 30
# separators that stand alone between cells and links: "| | |", "· ·", "> >", "- -"
_DEBRIS = re.compile(r"(?:(?<=\s)|^)[|｜·•>»/\\\-–—_=*~]+(?=\s|$)")


def clean(text: str) -> str:
    """The text with layout debris gone and every run of blanks one space."""
    return " ".join(_DEBRIS.sub(" ", text).split())


def _word_spans(window: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of the window's words, where segmenting it finds them."""
    spans = []
    pos = 0
    lowered = window.lower()
    for word in words(window):
        start = lowered.find(word, pos)
        if start < 0:
            continue
        spans.append((start, start + len(word), word))
        pos = start + len(word)
    return spans


def _is_subword(piece: str) -> bool:
    """Would the indexer have found this inside a longer word (a dictionary word of 2-3
    Han characters)?"""
    return 2 <= len(piece) <= 3 and not piece.isascii() and piece in short_words()


def _matches(text_: str, wanted: set[str]) -> list[tuple[int, int]]:
    """Where the wanted words occur in the text as words (or inside a longer word, as
    subwords are indexed): 图书 in 图书馆, never in 试图|书写."""
    if not wanted:
        return []
    pattern = re.compile("|".join(map(re.escape, sorted(wanted, key=len, reverse=True))),
                         re.IGNORECASE)
    found: list[tuple[int, int]] = []
    for candidate in pattern.finditer(text_):
        s, e = candidate.span()
        lo = max(0, s - 12)
        for ws, we, _word in _word_spans(text_[lo:e + 12]):
            ws, we = ws + lo, we + lo
            if (ws, we) == (s, e) or (ws <= s and e <= we and _is_subword(text_[s:e])):
                found.append((s, e))
                break
        if len(found) >= 12:
            break
    return found


def snippet(body: str, wanted: set[str]) -> str:
    """About ``SNIPPET_CHARS`` characters around the first match, HTML-escaped, each
    matched word wrapped in ``<mark>``."""
    body = clean(body)
    found = _matches(body, wanted)
    start = max(0, found[0][0] - SNIPPET_BEFORE) if found else 0
    end = min(len(body), start + SNIPPET_CHARS)
    parts = ["…" if start > 0 else ""]
    pos = start
    for s, e in found:
        if s < pos or e > end:
            continue
        parts.append(html.escape(body[pos:s]))
        parts.append(f"<mark>{html.escape(body[s:e])}</mark>")
        pos = e
    parts.append(html.escape(body[pos:end]))
    parts.append("…" if end < len(body) else "")
    return " ".join("".join(parts).split())
