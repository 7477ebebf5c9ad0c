"""Full-text search of the catalogue: Chinese-aware, filtered, ranked, with snippets.

The query is segmented by jieba exactly as pages were at index time (``search.words``) and
matched in the backend's full-text index (``search.fulltext``: FTS5 on SQLite, tsvector on
PostgreSQL); filters, counting, snippets and replay URLs are the same code for both.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

import jieba
from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.models import GOV_FIELDS
from errors import InvalidInput
from search import fulltext
from search.words import query_terms, words

SNIPPET_CHARS = 120
SNIPPET_BEFORE = 30


@dataclass(frozen=True, slots=True)
class Hit:
    url: str
    timestamp: str
    title: str | None
    snippet: str                      # HTML: escaped text, matched words in <mark>…</mark>
    collection: str
    host: str | None
    mime: str | None
    replay_url: str
    gov: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The hit as ``diancang search --json`` prints it: the gov fields at top level too."""
        data = asdict(self)
        data.update(self.gov)
        return data


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    total: int


def _date_digits(text: str) -> str:
    """The digits of a year, a month, a day (``2024``, ``2024-06``, ``2024-06-01``) or an ISO
    date and time; a date that is none of them (``2024-13-45``) is an ``InvalidInput``."""
    text = text.strip()
    for fmt, digits in (("%Y", 4), ("%Y-%m", 6), ("%Y-%m-%d", 8), ("%Y%m%d", 8)):
        try:
            return datetime.strptime(text, fmt).strftime("%Y%m%d%H%M%S")[:digits]
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(text).strftime("%Y%m%d%H%M%S")
    except ValueError:
        raise InvalidInput(f"not a date: {text!r} (expected YYYY-MM-DD)") from None


def _stamp(value: str | date | datetime | None, end: bool) -> str | None:
    """A date bound as a 14-digit capture timestamp (inclusive at both ends)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d%H%M%S")
    digits = value.strftime("%Y%m%d") if isinstance(value, date) else _date_digits(value)
    return (digits + ("99991231235959"[len(digits):] if end else
                      "00000101000000"[len(digits):]))[:14]


def search(session: Session, query: str, *, collection: str | None = None,
           site: str | None = None, date_from: str | date | None = None,
           date_to: str | date | None = None, mime: str | None = None,
           agency: str | None = None, subject: str | None = None, limit: int = 20,
           offset: int = 0, replay_base: str = "",
           collections: Sequence[str] | None = None) -> SearchResult:
    """Captures whose words match every term of ``query``, best first.

    ``collections``, when given, limits the search to those collections (the web app passes
    the public ones for a visitor who is not logged in).
    """
    terms = query_terms(query)
    if not terms:
        return SearchResult([], 0)
    conn = session.connection()
    join, rank, params = fulltext.match(conn, terms)
    where = []
    if collection:
        where.append("co.slug = :collection")
        params["collection"] = collection
    if collections is not None:
        if not collections:
            return SearchResult([], 0)
        names = [f"allowed_{i}" for i in range(len(collections))]
        where.append(f"co.slug IN ({', '.join(':' + n for n in names)})")
        params.update(zip(names, collections, strict=True))
    if site:
        site = site.strip().lower().removeprefix("http://").removeprefix("https://")
        site = site.split("/", 1)[0].split(":", 1)[0]
        where.append("(c.host = :site OR c.host LIKE :subsites)")
        params.update(site=site, subsites="%." + site)
    low, high = _stamp(date_from, False), _stamp(date_to, True)
    if low:
        where.append("c.timestamp >= :low")
        params["low"] = low
    if high:
        where.append("c.timestamp <= :high")
        params["high"] = high
    if mime:
        where.append("c.mime = :mime")
        params["mime"] = mime
    for name, value in (("agency", agency), ("subject", subject)):
        if value:
            where.append(f"c.{name} LIKE :{name}")
            params[name] = f"%{value}%"
    base = (f"FROM captures c {join} JOIN collections co ON co.id = c.collection_id"
            + (" WHERE " + " AND ".join(where) if where else ""))
    total = conn.execute(text(f"SELECT count(*) {base}"), params).scalar_one()
    gov = ", ".join(f"c.{name}" for name in GOV_FIELDS)
    rows = conn.execute(text(
        f"SELECT c.url, c.timestamp, c.title, c.text, c.description, co.slug, c.host, c.mime, "
        f"{gov} {base} ORDER BY {rank}, c.timestamp DESC, c.id LIMIT :limit OFFSET :offset"),
        dict(params, limit=limit, offset=offset)).all()
    wanted = {w for term in terms for w in term}
    hits = []
    for row in rows:
        url, stamp, title, body, description, slug, host, row_mime = row[:8]
        hits.append(Hit(
            url=url, timestamp=stamp, title=title,
            snippet=snippet(body or description or title or "", wanted), collection=slug,
            host=host, mime=row_mime,
            replay_url=f"{replay_base.rstrip('/')}/{slug}/{stamp}/{url}",
            gov={name: value for name, value in zip(GOV_FIELDS, row[8:], strict=True)
                 if value}))
    return SearchResult(hits, int(total))


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
    return 2 <= len(piece) <= 3 and not piece.isascii() and bool(jieba.dt.FREQ.get(piece))


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
