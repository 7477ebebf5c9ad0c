"""Crawl reports: what one crawl captured, what changed since the collection's previous
crawl, what deduplication saved, and what failed.

Everything comes from the catalogue (the crawl's capture rows, its WARC files, its stats as
``finish_crawl`` stored them) plus, when the caller names it, the file of requests that got
no response the spider keeps (``crawler.failures``).  ``crawl_report`` returns
plain JSON-ready data (``diancang report --format json`` prints it as is; the HTML report and
the web app draw from it).

Definitions, per URL (a URL captured more than once by one crawl counts by its last capture):

- *new*: not captured by the previous crawl;
- *changed*: its payload digest differs from the previous crawl's;
- *unchanged*: the same digest, or a revisit record;
- *gone*: captured by the previous crawl but not by this one, or now answering 404/410 where
  it answered something else before.

The previous crawl is the latest earlier crawl of the collection that captured anything and
was not a patch crawl (a crawl of a few URLs asked for by a curator).  A patch crawl is
compared only on the URLs it captured: what it did not fetch is not "gone".

A revisit row counts under its original's status and MIME type (``catalog.revisits``; the
indexer copies them into the row, but a row may predate that or its original be unknown).
Bytes are WARC bytes: the stored length of each response or revisit record.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.access import Viewer, visible_clause
from catalog.models import Capture, Collection, Crawl, CrawlRequest, Seed, WarcFile
from catalog.revisits import originals
from errors import NotFound

GONE_STATUSES = (404, 410)
# asked of every host whether anything links them: their absence is no failure of the site
PROBES = ("/robots.txt", "/sitemap.xml")


class UnknownCrawl(NotFound):
    pass


@dataclass(frozen=True)
class _Seen:
    """One URL's last capture in a crawl, its revisit resolved to the original's status/MIME."""

    url: str
    status: int | None
    mime: str | None
    digest: str | None
    length: int
    revisit: bool
    host: str | None


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:          # SQLite hands back naive datetimes, stored as UTC
        value = value.replace(tzinfo=UTC)
    return value.isoformat(timespec="seconds")


def _originals(session: Session, crawl: Crawl) -> dict[int, tuple[int | None, str | None]]:
    """Revisit capture id -> (status, MIME type) of the response it refers to
    (``catalog.revisits``)."""
    found = originals(session, ("status", "mime"), Capture.crawl_id == crawl.id)
    return {rev: (status, mime) for rev, (status, mime) in found.items()}


def _captures(session: Session, crawl: Crawl) -> list[_Seen]:
    """Every capture of the crawl, oldest first, revisits resolved to their originals."""
    rows = session.execute(
        select(Capture.id, Capture.url, Capture.status, Capture.mime, Capture.digest,
               Capture.length, Capture.record_type, Capture.host)
        .where(Capture.crawl_id == crawl.id, visible_clause(session, Viewer(None)))
        .order_by(Capture.timestamp, Capture.id)).all()
    originals = _originals(session, crawl) \
        if any(r.record_type == "revisit" for r in rows) else {}
    seen = []
    for r in rows:
        status, mime = r.status, r.mime
        if r.record_type == "revisit":
            status, mime = originals.get(r.id, (None, None))
        seen.append(_Seen(r.url, status, mime, r.digest, int(r.length or 0),
                          r.record_type == "revisit", r.host or urlsplit(r.url).hostname))
    return seen


def _last_by_url(captures: Iterable[_Seen]) -> dict[str, _Seen]:
    return {c.url: c for c in captures}        # oldest first: the last one wins


def _tally(captures: list[_Seen], key: str) -> dict[str, dict[str, int]]:
    """Pages and bytes by ``key`` (status, mime or host), most pages first."""
    out: dict[str, dict[str, int]] = {}
    for c in captures:
        value = getattr(c, key)
        label = "-" if value is None or value == "" else str(value)
        row = out.setdefault(label, {"pages": 0, "bytes": 0})
        row["pages"] += 1
        row["bytes"] += c.length
    if key == "status":
        return dict(sorted(out.items()))
    return dict(sorted(out.items(), key=lambda kv: (-kv[1]["pages"], kv[0])))


def _patch_urls(session: Session, crawl_id: int) -> list[str] | None:
    """The URLs of a patch crawl (None for a crawl of the whole seed list)."""
    urls = session.scalars(select(CrawlRequest.urls).where(
        CrawlRequest.crawl_id == crawl_id, CrawlRequest.urls.is_not(None))).first()
    return list(urls) if urls else None


def previous_crawl(session: Session, crawl: Crawl) -> Crawl | None:
    """The collection's latest earlier crawl that captured anything and was no patch crawl."""
    patches = select(CrawlRequest.crawl_id).where(CrawlRequest.crawl_id.is_not(None),
                                                 CrawlRequest.urls.is_not(None))
    captured = select(Capture.crawl_id).where(Capture.crawl_id == Crawl.id).exists()
    return session.scalars(
        select(Crawl).where(Crawl.collection_id == crawl.collection_id, Crawl.id < crawl.id,
                            Crawl.id.not_in(patches), captured)
        .order_by(Crawl.id.desc()).limit(1)).first()


def _changes(now: dict[str, _Seen], before: dict[str, _Seen] | None,
             patch: bool) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"new": [], "changed": [], "unchanged": [], "gone": []}
    if before is None:
        out["new"] = sorted(now)
        return out
    for url, c in sorted(now.items()):
        old = before.get(url)
        if old is None:
            out["new"].append(url)
        elif c.status in GONE_STATUSES and old.status not in GONE_STATUSES:
            out["gone"].append(url)
        elif c.revisit or (c.digest is not None and c.digest == old.digest):
            out["unchanged"].append(url)
        else:
            out["changed"].append(url)
    if not patch:
        out["gone"] = sorted(out["gone"] + [u for u in before if u not in now])
    return out


def _read_failed(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.is_file():
        return []
    entries = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:               # a line cut short by a crash
            continue
        if isinstance(entry, dict) and isinstance(entry.get("url"), str):
            entries.append(entry)
    return entries


def _seed_urls(session: Session, crawl: Crawl) -> list[str]:
    patch = _patch_urls(session, crawl.id)
    if patch is not None:
        return patch
    return list(session.scalars(select(Seed.url).where(Seed.collection_id == crawl.collection_id)
                                .order_by(Seed.position)))


def _failures(session: Session, crawl: Crawl, now: dict[str, _Seen],
              failed_file: Path | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(failed seeds, every failed URL): a seed fails when its own capture is missing, answers
    4xx/5xx, or its request errored; a URL fails when it answered 4xx/5xx or errored."""
    errored: dict[str, dict[str, Any]] = {}
    for entry in _read_failed(failed_file):
        errored.setdefault(entry["url"], entry)
    seeds = _seed_urls(session, crawl)
    failed_seeds = []
    for url in seeds:
        c = now.get(url)
        if url in errored:
            failed_seeds.append({"url": url, "status": None, "error": errored[url]["error"],
                                 "kind": "seed"})
        elif c is None:
            failed_seeds.append({"url": url, "status": None, "error": "not captured",
                                 "kind": "seed"})
        elif c.status is not None and c.status >= 400:
            failed_seeds.append({"url": url, "status": c.status, "error": None, "kind": "seed"})
    failed = list(failed_seeds)
    listed = {f["url"] for f in failed}
    for url, c in sorted(now.items()):
        if url in listed or c.status is None or c.status < 400:
            continue
        if c.status in GONE_STATUSES and urlsplit(url).path in PROBES:
            continue
        failed.append({"url": url, "status": c.status, "error": None, "kind": "http"})
        listed.add(url)
    for url, entry in sorted(errored.items()):
        if url not in listed:
            failed.append({"url": url, "status": None, "error": entry["error"], "kind": "error"})
            listed.add(url)
    return failed_seeds, failed


def _get_crawl(session: Session, crawl_id: int) -> Crawl:
    crawl = session.get(Crawl, crawl_id)
    if crawl is None:
        raise UnknownCrawl(f"no crawl {crawl_id} in the catalogue")
    return crawl


def failed_urls(session: Session, crawl_id: int,
                failed_file: Path | None = None) -> list[dict[str, Any]]:
    """The failed and missing resources a curator would crawl again: failed seeds first (kind
    ``seed``), then 4xx/5xx answers (``http``), then requests that got no answer (``error``,
    read from ``failed_file`` when it is given).  Each has ``url``,
    ``status`` (or None), ``error`` (or None) and ``kind``."""
    crawl = _get_crawl(session, crawl_id)
    now = _last_by_url(_captures(session, crawl))
    return _failures(session, crawl, now, failed_file)[1]


def history(session: Session, collection_id: int) -> list[dict[str, Any]]:
    """The collection's crawls, oldest first: started, status, pages, payload bytes fetched,
    WARC bytes written and revisits."""
    crawls = session.scalars(select(Crawl).where(Crawl.collection_id == collection_id)
                             .order_by(Crawl.started, Crawl.id)).all()
    stored = dict(session.execute(
        select(WarcFile.crawl_id, func.sum(WarcFile.size))
        .where(WarcFile.collection_id == collection_id).group_by(WarcFile.crawl_id)).all())
    return [{"crawl": c.id, "started": _iso(c.started), "status": c.status,
             "pages": c.pages, "bytes": c.bytes, "warc_bytes": int(stored.get(c.id) or 0),
             "revisits": int((c.stats or {}).get("revisits", 0))} for c in crawls]


SCREENSHOT = "urn:screenshot:"     # the crawler's screenshots of rendered pages


def _screenshots(session: Session, crawl: Crawl) -> list[dict[str, str]]:
    """The rendered pages of the crawl that have a screenshot (``urn:screenshot:<url>``)."""
    rows = session.execute(
        select(Capture.url, Capture.timestamp)
        .where(Capture.crawl_id == crawl.id, Capture.url.startswith(SCREENSHOT))
        .order_by(Capture.url)).all()
    return [{"page": url[len(SCREENSHOT):], "url": url, "timestamp": timestamp}
            for url, timestamp in rows]


def crawl_report(session: Session, crawl_id: int,
                 failed_file: Path | None = None) -> dict[str, Any]:
    """The report of one crawl (see the module's docstring for the definitions).

    ``failed_file`` is the crawl's file of requests that got no response; with it, requests
    that errored count among the failures."""
    crawl = _get_crawl(session, crawl_id)
    coll = session.get_one(Collection, crawl.collection_id)
    stats: dict[str, Any] = dict(crawl.stats or {})
    captures = _captures(session, crawl)
    now = _last_by_url(captures)
    prev = previous_crawl(session, crawl)
    before = _last_by_url(_captures(session, prev)) if prev is not None else None
    patch = _patch_urls(session, crawl.id) is not None
    changes = _changes(now, before, patch)
    failed_seeds, failed = _failures(session, crawl, now, failed_file)
    warc_bytes = session.scalar(select(func.coalesce(func.sum(WarcFile.size), 0))
                                .where(WarcFile.crawl_id == crawl.id)) or 0
    duration = stats.get("elapsed")
    if duration is None and crawl.finished is not None:
        started = crawl.started.replace(tzinfo=crawl.started.tzinfo or UTC)
        duration = (crawl.finished.replace(tzinfo=crawl.finished.tzinfo or UTC)
                    - started).total_seconds()
    return {
        "crawl": {"id": crawl.id, "collection": coll.slug, "title": coll.title,
                  "status": crawl.status, "stop_reason": crawl.stop_reason,
                  "started": _iso(crawl.started), "finished": _iso(crawl.finished),
                  "patch": patch},
        "previous_crawl": prev.id if prev is not None else None,
        "pages": len(captures),
        "bytes": sum(c.length for c in captures),
        "by_status": _tally(captures, "status"),
        "by_mime": _tally(captures, "mime"),
        "by_host": _tally(captures, "host"),
        "changes": {k: len(v) for k, v in changes.items()},
        "changed_urls": {k: v for k, v in changes.items() if k != "unchanged"},
        "dedup": {"revisits": int(stats.get("revisits", 0)),
                  "bytes_not_stored": int(stats.get("dedup_bytes", 0)),
                  "payload_bytes": int(stats.get("bytes", crawl.bytes or 0)),
                  "warc_bytes": int(warc_bytes)},
        "duration": duration,
        "rate": stats.get("rate"),
        "errors": dict(sorted((stats.get("error_types") or {}).items())),
        "refused": dict(sorted((stats.get("refused") or {}).items())),
        "truncated": dict(sorted((stats.get("truncated") or {}).items())),
        "failed_seeds": failed_seeds,
        "failed": failed,
        "history": history(session, crawl.collection_id),
        "screenshots": _screenshots(session, crawl),
    }
