"""The WARC and ARC files a collection holds: one row each, found by collection and name.

A file name is unique within its collection only (Heritrix and wget name files alike), so
every lookup names the collection.  Files come from crawls (``catalog.crawls``) or from
``diancang import`` (no crawl); each row carries the file's SHA-256, its fixity.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import WarcFile


def find_warc_file(session: Session, collection_id: int, filename: str) -> WarcFile | None:
    return session.scalars(select(WarcFile).where(WarcFile.collection_id == collection_id,
                                                  WarcFile.filename == filename)).one_or_none()


def record_file(session: Session, *, collection_id: int, crawl_id: int | None, filename: str,
                size: int, sha256: str, records: int,
                closed: datetime | None = None) -> WarcFile:
    """Record a closed file's size and SHA-256 in its collection (idempotent on the name)."""
    row = find_warc_file(session, collection_id, filename)
    if row is None:
        row = WarcFile(filename=filename, collection_id=collection_id, crawl_id=crawl_id)
        session.add(row)
    row.size = size
    row.sha256 = sha256
    row.records = records
    row.closed = closed or datetime.now(UTC)
    session.flush()
    return row


def held_with_sha256(session: Session, collection_id: int, sha256: str) -> WarcFile | None:
    """The collection's file with these bytes, if it holds one already."""
    return session.scalars(select(WarcFile).where(WarcFile.collection_id == collection_id,
                                                  WarcFile.sha256 == sha256).limit(1)).first()


def file_names(session: Session, collection_id: int) -> set[str]:
    return set(session.scalars(select(WarcFile.filename)
                               .where(WarcFile.collection_id == collection_id)))
