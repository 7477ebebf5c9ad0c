"""Full-text search of the catalogue: Chinese-aware, filtered, ranked, grouped, with snippets.

The query is segmented by jieba exactly as pages were at index time (``search.words``) and
matched in the backend's full-text index (``search.fulltext``: FTS5 on SQLite, tsvector on
PostgreSQL); filters, ranking tiers, grouping, snippets and replay URLs are the same code for
both.  Hits are grouped by URL (``group="url"``): one per document, its latest matching
capture with how many captures matched and the first and last of them; ``group="none"``
lists every capture.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.access import ANONYMOUS, Viewer, visible_sql
from catalog.models import GOV_FIELDS
from errors import InvalidInput
from search import fulltext
from search.snippets import snippet
from search.words import phrases, query_terms

GROUPS = ("url", "none")
_DATE = re.compile(r"\d{4}(?:-?\d{2}(?:-?\d{2}(?:[ T]?\d{2}(?::?\d{2}(?::?\d{2})?)?)?)?)?")


class BadQuery(InvalidInput):
    """A query or filter that cannot be searched; ``option`` names it (``query``, ``from``)."""

    def __init__(self, option: str, message: str):
        super().__init__(message)
        self.option = option


@dataclass(frozen=True, slots=True)
class Hit:
    url: str
    timestamp: str                    # the latest matching capture (grouped), or this one
    title: str | None
    snippet: str                      # HTML: escaped text, matched words in <mark>…</mark>
    collection: str
    host: str | None
    mime: str | None
    replay_url: str
    calendar_url: str                 # pywb's calendar of every capture of the URL
    captures: int = 1                 # matching captures of the URL (1 ungrouped)
    first: str = ""                   # timestamps of the first and last of them
    last: str = ""
    gov: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The hit as ``diancang search --json`` prints it: one flat object, the gov fields
        (``index_no``, ``agency``, ...) at its top level beside ``url`` and ``title``."""
        data = asdict(self)
        del data["gov"]
        data.update(self.gov)
        return data


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: list[Hit]
    total: int                        # documents (grouped) or captures that match


def date_bound(option: str, value: str | date | datetime | None, end: bool) -> str | None:
    """A date bound as a 14-digit capture timestamp (inclusive at both ends)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.strftime("%Y%m%d%H%M%S")
    if isinstance(value, date):
        digits = value.strftime("%Y%m%d")
    else:
        if not _DATE.fullmatch(value.strip()):
            raise BadQuery(option, f"not a date: {value!r} (expected YYYY-MM-DD)")
        digits = "".join(c for c in value if c.isdigit())
        try:
            datetime.strptime(digits, "%Y%m%d%H%M%S"[:len(digits) - 2])
        except ValueError:
            raise BadQuery(option, f"not a date: {value!r} (expected YYYY-MM-DD)") from None
    return (digits + ("99991231235959" if end else "00000101000000")[len(digits):])[:14]


def _filters(collection: str | None, collections: Sequence[str] | None, site: str | None,
             low: str | None, high: str | None, mime: str | None, agency: str | None,
             subject: str | None) -> tuple[list[str], dict[str, Any]]:
    where: list[str] = []
    params: dict[str, Any] = {}
    if collection:
        where.append("co.slug = :collection")
        params["collection"] = collection
    if collections is not None:
        names = [f"allowed_{i}" for i in range(len(collections))]
        where.append(f"co.slug IN ({', '.join(':' + n for n in names)})" if names else "1 = 0")
        params.update(zip(names, collections, strict=True))
    if site:
        site = site.strip().lower().removeprefix("http://").removeprefix("https://")
        site = site.split("/", 1)[0].split(":", 1)[0]
        where.append("(c.host = :site OR c.host LIKE :subsites)")
        params.update(site=site, subsites="%." + site)
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
    return where, params


def search(session: Session, query: str, *, collection: str | None = None,
           site: str | None = None, date_from: str | date | None = None,
           date_to: str | date | None = None, mime: str | None = None,
           agency: str | None = None, subject: str | None = None, limit: int = 20,
           offset: int = 0, replay_base: str = "", group: str = "url",
           collections: Sequence[str] | None = None,
           viewer: Viewer = ANONYMOUS) -> SearchResult:
    """Documents (or with ``group="none"`` captures) whose words match every term of
    ``query``, best first by tier (``search.fulltext.tiers``: the words together in the
    title, the main text, elsewhere; then apart), the latest first within a tier.

    ``collections``, when given, limits the search to those collections (the web app passes
    the public ones for a visitor who is not logged in); captures access rules hide from
    ``viewer`` are never found (catalog.access).  Raises ``BadQuery`` for an empty query, a
    date that is not one, or an unknown grouping.
    """
    terms = query_terms(query)
    if not terms:
        raise BadQuery("query", f"nothing to search for in {query!r} (give a word)")
    if group not in GROUPS:
        raise BadQuery("group", f"unknown grouping {group!r} (expected one of "
                                f"{', '.join(GROUPS)})")
    low, high = date_bound("from", date_from, False), date_bound("to", date_to, True)
    if low and high and low > high:
        raise BadQuery("to", f"{date_to} is before --from {date_from}")
    conn = session.connection()
    found = fulltext.match(conn, terms, phrases(query))
    where, params = _filters(collection, collections, site, low, high, mime, agency, subject)
    where.append(visible_sql(session, viewer, "c"))
    params.update(found.params)
    base = (f"FROM captures c {found.join} JOIN collections co ON co.id = c.collection_id"
            + (" WHERE " + " AND ".join(where) if where else ""))
    matched = f"SELECT c.id, c.url, c.timestamp, {found.tier} AS tier " + base
    page = dict(params, limit=limit, offset=offset)
    rows: list[tuple[Any, ...]]
    if group == "url":      # the latest capture of each URL: the greatest "timestamp id"
        latest = "max(timestamp || ' ' || CAST(id AS TEXT))"
        rows = [(int(key.split(" ")[1]), n, first, total)
                for key, n, first, total in conn.execute(text(
                    f"WITH m AS ({matched}) SELECT {latest}, count(*), min(timestamp), "
                    f"count(*) OVER () FROM m GROUP BY url "
                    f"ORDER BY min(tier), {latest} DESC LIMIT :limit OFFSET :offset"), page)]
        count = f"SELECT count(DISTINCT c.url) {base}"
    else:
        rows = [tuple(row) for row in conn.execute(text(
            f"WITH m AS ({matched}) "
            "SELECT id, 1, timestamp, count(*) OVER () FROM m "
            "ORDER BY tier, timestamp DESC, id DESC LIMIT :limit OFFSET :offset"), page)]
        count = f"SELECT count(*) {base}"
    total = rows[0][3] if rows else (
        conn.execute(text(count), params).scalar_one() if offset else 0)
    wanted = {w for term in terms for w in term}
    return SearchResult(_hits(session, rows, wanted, replay_base.rstrip("/")), int(total))


def _hits(session: Session, rows: Sequence[Any], wanted: set[str], replay: str) -> list[Hit]:
    if not rows:
        return []
    conn = session.connection()
    names = [f"id_{i}" for i in range(len(rows))]
    gov = ", ".join(f"c.{name}" for name in GOV_FIELDS)
    details = {row[0]: row[1:] for row in conn.execute(text(
        "SELECT c.id, c.url, c.timestamp, c.title, c.text, c.description, co.slug, c.host, "
        f"c.mime, {gov} FROM captures c JOIN collections co ON co.id = c.collection_id "
        f"WHERE c.id IN ({', '.join(':' + n for n in names)})"),
        dict(zip(names, (row[0] for row in rows), strict=True)))}
    hits = []
    for capture_id, count, first, _total in rows:
        url, stamp, title, body, description, slug, host, mime = details[capture_id][:8]
        hits.append(Hit(
            url=url, timestamp=stamp, title=title,
            snippet=snippet(body or description or title or "", wanted), collection=slug,
            host=host, mime=mime, replay_url=f"{replay}/{slug}/{stamp}/{url}",
            calendar_url=f"{replay}/{slug}/*/{url}", captures=int(count), first=first,
            last=stamp,
            gov={name: value for name, value in zip(GOV_FIELDS, details[capture_id][8:],
                                                    strict=True) if value}))
    return hits
