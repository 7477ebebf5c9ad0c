"""The digest map a recrawl deduplicates against: each URL's latest capture, if unchanged
content can refer to it.

A URL whose latest capture was a 200 response maps to that response; one whose latest capture
was a revisit maps to the response it refers to (revisits always point at a record holding
the payload); one whose latest capture was anything else (a redirect, an error) maps to
nothing, so its next 200 is stored whole.

The map is kept in ``latest_captures``, one row per URL, advanced as each WARC file is indexed
(``record_file``), so a crawl's start reads one row per URL however many crawls the
collection has had: a weekly crawl of a million-URL site would otherwise read a million
more capture rows every week, for decades.  A collection whose rows are missing (a catalogue
from before migration 0005, or after ``index --rebuild``) gets them from one pass over its
captures, oldest first (``rebuild``), the first time they are needed.  Captures indexed
out of time order (a file older than the URL's latest capture, indexed later) do not move a
URL back in time; at worst a revisit then finds no original and its next 200 is stored whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

from sqlalchemy import Table, delete, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from catalog.models import Capture, LatestCapture
from warc_store.records import Original

BATCH = 500


class Latest(NamedTuple):
    """A URL's row: when it was last captured, and the response a revisit would refer to."""
    seen: str                  # 14-digit timestamp of its latest capture
    digest: str | None         # that response's payload digest, without "sha1:"
    original: str | None       # that response's timestamp


def warc_date(timestamp: str) -> str:
    """A 14-digit capture timestamp as a WARC date (``20240506070809`` -> ISO 8601, UTC)."""
    t = timestamp.ljust(14, "0")
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


def url_key(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def advance(held: Latest | None, timestamp: str, digest: str | None, record_type: str,
            status: int | None) -> Latest:
    """The URL's row after one more capture of it (captures taken oldest first)."""
    if record_type == "revisit":
        if held is not None and held.digest is not None and held.digest == digest:
            return Latest(timestamp, held.digest, held.original)
        return Latest(timestamp, None, None)    # refers to a payload we cannot place
    if status == 200 and digest and digest != "-":
        return Latest(timestamp, digest, timestamp)
    return Latest(timestamp, None, None)


def previous_captures(session: Session, collection_id: int) -> dict[str, Original]:
    """URL -> the ``Original`` an unchanged 200 response of that URL would refer to."""
    if not _has_rows(session, collection_id):
        rebuild(session, collection_id)
    rows = session.execute(select(LatestCapture.url, LatestCapture.digest, LatestCapture.original,
                                  LatestCapture.seen)
                           .where(LatestCapture.collection_id == collection_id,
                                  LatestCapture.digest.is_not(None)))
    return {url: Original(f"sha1:{digest}", url, warc_date(original or seen))
            for url, digest, original, seen in rows}


def record_file(session: Session, collection_id: int, captures: Iterable[Mapping[str, Any]]
                ) -> None:
    """Advance the collection's rows by one indexed file's capture rows (already inserted)."""
    if not _has_rows(session, collection_id):
        rebuild(session, collection_id)          # this file's captures included
        return
    ordered = sorted(enumerate(captures), key=lambda pair: (pair[1]["timestamp"], pair[0]))
    urls = {row["url"] for _, row in ordered}
    held = _load(session, collection_id, urls)
    changed: dict[str, Latest] = {}
    for _, row in ordered:
        url = row["url"]
        before = changed.get(url) or held.get(url)
        if before is not None and row["timestamp"] < before.seen:
            continue                             # older than what the map already knows
        changed[url] = advance(before, row["timestamp"], row["digest"], row["record_type"],
                               row["status"])
    _upsert(session, collection_id, changed)


def rebuild(session: Session, collection_id: int) -> None:
    """The collection's rows from all its captures, oldest first."""
    forget(session, collection_id)
    rows = session.execute(
        select(Capture.url, Capture.timestamp, Capture.digest, Capture.record_type,
               Capture.status)
        .where(Capture.collection_id == collection_id)
        .order_by(Capture.timestamp, Capture.id))
    latest: dict[str, Latest] = {}
    for url, timestamp, digest, record_type, status in rows:
        latest[url] = advance(latest.get(url), timestamp, digest, record_type, status)
    values = [_values(collection_id, url, row) for url, row in latest.items()]
    conn = session.connection()
    for start in range(0, len(values), BATCH):
        conn.execute(insert(TABLE), values[start:start + BATCH])


def forget(session: Session, collection_id: int) -> None:
    """Drop the collection's rows (its captures are being rebuilt from the WARCs)."""
    session.execute(delete(LatestCapture).where(LatestCapture.collection_id == collection_id))


def _has_rows(session: Session, collection_id: int) -> bool:
    return bool(session.scalar(select(exists().where(
        LatestCapture.collection_id == collection_id))))


def _load(session: Session, collection_id: int, urls: set[str]) -> dict[str, Latest]:
    keys = {url_key(url): url for url in urls}
    found: dict[str, Latest] = {}
    key_list = list(keys)
    for start in range(0, len(key_list), BATCH):
        rows = session.execute(
            select(LatestCapture.url_key, LatestCapture.seen, LatestCapture.digest,
                   LatestCapture.original)
            .where(LatestCapture.collection_id == collection_id,
                   LatestCapture.url_key.in_(key_list[start:start + BATCH])))
        for key, seen, digest, original in rows:
            found[keys[key]] = Latest(seen, digest, original)
    return found


def _values(collection_id: int, url: str, row: Latest) -> dict[str, Any]:
    return {"collection_id": collection_id, "url_key": url_key(url), "url": url,
            "seen": row.seen, "digest": row.digest, "original": row.original}


UPSERT: dict[str, Callable[[Table], postgresql.Insert | sqlite.Insert]] = {
    "postgresql": postgresql.insert, "sqlite": sqlite.insert}
TABLE: Table = LatestCapture.__table__  # type: ignore[assignment]  # Core: executemany


def _upsert(session: Session, collection_id: int, rows: Mapping[str, Latest]) -> None:
    """Insert or replace rows: as one upsert where the backend has it (another indexer may be
    writing the same collection), else by deleting and inserting in this transaction."""
    make_insert = UPSERT.get(session.get_bind().dialect.name)
    # in key order, so two indexers upserting overlapping rows lock them in the same order
    values = sorted((_values(collection_id, url, row) for url, row in rows.items()),
                    key=lambda v: v["url_key"])
    conn = session.connection()
    if make_insert is not None:
        statement = make_insert(TABLE)
        upsert = statement.on_conflict_do_update(
            index_elements=[TABLE.c.collection_id, TABLE.c.url_key],
            set_={name: statement.excluded[name] for name in ("url", "seen", "digest",
                                                              "original")})
        for start in range(0, len(values), BATCH):
            conn.execute(upsert, values[start:start + BATCH])
        return
    for start in range(0, len(values), BATCH):
        batch = values[start:start + BATCH]
        conn.execute(delete(TABLE).where(TABLE.c.collection_id == collection_id,
                                         TABLE.c.url_key.in_([v["url_key"] for v in batch])))
        conn.execute(insert(TABLE), batch)
