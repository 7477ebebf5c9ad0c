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

Each row also keeps its original's validators (``ETag``, ``Last-Modified``, which the indexer
reads from the response's headers) and place (file and offset), for conditional requests: a
304 Not Modified revisit (no payload digest, its ``WARC-Refers-To-Date`` naming the original)
keeps the URL's original.  A rebuild from the capture rows alone knows no validators: those
URLs are fetched unconditionally once, and their next capture fills them in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

from sqlalchemy import Table, delete, exists, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from catalog.models import Capture, LatestCapture, WarcFile
from warc_store.records import Original

BATCH = 500


class Latest(NamedTuple):
    """A URL's row: when it was last captured, and the response a revisit would refer to."""
    seen: str                  # 14-digit timestamp of its latest capture
    digest: str | None         # that response's payload digest, without "sha1:"
    original: str | None       # that response's timestamp
    etag: str | None = None            # that response's validators
    last_modified: str | None = None
    file_id: int | None = None         # and where it is: warc_files.id, offset
    offset: int | None = None


class Validators(NamedTuple):
    """A response's ``ETag`` and ``Last-Modified`` headers (None where it sent none)."""
    etag: str | None
    last_modified: str | None


NO_VALIDATORS = Validators(None, None)


def warc_date(timestamp: str) -> str:
    """A 14-digit capture timestamp as a WARC date (``20240506070809`` -> ISO 8601, UTC)."""
    t = timestamp.ljust(14, "0")
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


def url_key(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8")).hexdigest()


def advance(held: Latest | None, timestamp: str, digest: str | None, record_type: str,
            status: int | None, revisit_of: str | None = None,
            validators: Validators = NO_VALIDATORS, place: tuple[int, int] | None = None
            ) -> Latest:
    """The URL's row after one more capture of it (captures taken oldest first).

    ``revisit_of``: a revisit's WARC-Refers-To-Date (14 digits); ``validators``: the
    capture's own (a 304 revisit has none: it keeps the original's); ``place``: the capture's
    (warc_files.id, offset)."""
    if record_type == "revisit":
        if held is None or held.digest is None:
            return Latest(timestamp, None, None)    # refers to a payload we cannot place
        if held.digest == digest:                   # identical payload: same original
            kept = validators if validators != NO_VALIDATORS else \
                Validators(held.etag, held.last_modified)
            return held._replace(seen=timestamp, etag=kept.etag,
                                 last_modified=kept.last_modified)
        if (not digest or digest == "-") and revisit_of and revisit_of == held.original:
            return held._replace(seen=timestamp)    # 304 Not Modified: the server's word
        return Latest(timestamp, None, None)
    if status == 200 and digest and digest != "-":
        file_id, offset = place if place is not None else (None, None)
        return Latest(timestamp, digest, timestamp, validators.etag, validators.last_modified,
                      file_id, offset)
    return Latest(timestamp, None, None)


def previous_captures(session: Session, collection_id: int) -> dict[str, Original]:
    """URL -> the ``Original`` an unchanged 200 response of that URL would refer to."""
    if not _has_rows(session, collection_id):
        rebuild(session, collection_id)
    rows = session.execute(
        select(LatestCapture.url, LatestCapture.digest, LatestCapture.original,
               LatestCapture.seen, LatestCapture.etag, LatestCapture.last_modified,
               WarcFile.filename, LatestCapture.original_offset)
        .outerjoin(WarcFile, WarcFile.id == LatestCapture.original_file_id)
        .where(LatestCapture.collection_id == collection_id,
               LatestCapture.digest.is_not(None)))
    return {url: Original(f"sha1:{digest}", url, warc_date(original or seen), etag, modified,
                          (filename, offset) if filename and offset is not None else None)
            for url, digest, original, seen, etag, modified, filename, offset in rows}


def record_file(session: Session, collection_id: int, captures: Sequence[Mapping[str, Any]],
                validators: Mapping[int, Validators] | None = None) -> None:
    """Advance the collection's rows by one indexed file's capture rows (already inserted);
    ``validators``: those of the file's records that sent some, by offset."""
    if not _has_rows(session, collection_id):   # this file's captures included
        file_ids = {row["warc_file_id"] for row in captures}
        rebuild(session, collection_id, {(file_id, offset): found
                                         for offset, found in (validators or {}).items()
                                         for file_id in file_ids})
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
                               row["status"], row.get("revisit_of"),
                               (validators or {}).get(row["offset"], NO_VALIDATORS),
                               (row["warc_file_id"], row["offset"]))
    _upsert(session, collection_id, changed)


def rebuild(session: Session, collection_id: int,
            validators: Mapping[tuple[int, int], Validators] | None = None) -> None:
    """The collection's rows from all its captures, oldest first; ``validators``: those known
    (of the file being indexed), by (warc_files.id, offset)."""
    forget(session, collection_id)
    rows = session.execute(
        select(Capture.url, Capture.timestamp, Capture.digest, Capture.record_type,
               Capture.status, Capture.revisit_of, Capture.warc_file_id, Capture.offset)
        .where(Capture.collection_id == collection_id)
        .order_by(Capture.timestamp, Capture.id))
    latest: dict[str, Latest] = {}
    for url, timestamp, digest, record_type, status, revisit_of, file_id, offset in rows:
        latest[url] = advance(latest.get(url), timestamp, digest, record_type, status,
                              revisit_of, (validators or {}).get((file_id, offset),
                                                                 NO_VALIDATORS),
                              (file_id, offset))
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
                   LatestCapture.original, LatestCapture.etag, LatestCapture.last_modified,
                   LatestCapture.original_file_id, LatestCapture.original_offset)
            .where(LatestCapture.collection_id == collection_id,
                   LatestCapture.url_key.in_(key_list[start:start + BATCH])))
        for key, seen, digest, original, etag, modified, file_id, offset in rows:
            found[keys[key]] = Latest(seen, digest, original, etag, modified, file_id, offset)
    return found


def _values(collection_id: int, url: str, row: Latest) -> dict[str, Any]:
    return {"collection_id": collection_id, "url_key": url_key(url), "url": url,
            "seen": row.seen, "digest": row.digest, "original": row.original,
            "etag": row.etag, "last_modified": row.last_modified,
            "original_file_id": row.file_id, "original_offset": row.offset}


UPDATED = ("url", "seen", "digest", "original", "etag", "last_modified", "original_file_id",
           "original_offset")
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
            set_={name: statement.excluded[name] for name in UPDATED})
        for start in range(0, len(values), BATCH):
            conn.execute(upsert, values[start:start + BATCH])
        return
    for start in range(0, len(values), BATCH):
        batch = values[start:start + BATCH]
        conn.execute(delete(TABLE).where(TABLE.c.collection_id == collection_id,
                                         TABLE.c.url_key.in_([v["url_key"] for v in batch])))
        conn.execute(insert(TABLE), batch)
