"""Fixity in the catalogue: each WARC file's SHA-256 (recorded when it was closed, by
``catalog.crawls``), its last verification (``diancang verify``: when, the outcome, what
was found) and its last deep check that found nothing (the SHA-256 of the bytes it proved
whole, and when); which collections are due for another check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from catalog.models import Collection, WarcFile

OUTCOMES = ("ok", "failed", "missing")


@dataclass(frozen=True, slots=True)
class CollectionFixity:
    """A collection's standing: ``last_verified`` is when its least recently verified file
    was verified (None while any file never was); ``failed`` counts files whose last check
    did not hold."""
    files: int
    last_verified: datetime | None
    failed: int


def held_files(session: Session, collection_id: int) -> list[WarcFile]:
    return list(session.scalars(select(WarcFile).where(WarcFile.collection_id == collection_id)
                                .order_by(WarcFile.filename)))


def record_verification(session: Session, warc_file_id: int, *, outcome: str, detail: str,
                        when: datetime, proven_sha256: str | None = None) -> None:
    """Keep a check's outcome; ``proven_sha256``: a deep check found nothing in the bytes of
    this SHA-256 (their structure is now proven), None when the check proved no structure."""
    if outcome not in OUTCOMES:
        raise ValueError(f"verify outcome {outcome!r} is not one of {OUTCOMES}")
    row = session.get_one(WarcFile, warc_file_id)
    row.verified_at = when
    row.verify_outcome = outcome
    row.verify_detail = detail or None
    if proven_sha256 is not None:
        row.deep_sha256 = proven_sha256
        row.deep_verified_at = when


def _utc(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:   # SQLite hands back naive UTC datetimes
        return value.replace(tzinfo=UTC)
    return value


def collection_fixity(session: Session) -> dict[int, CollectionFixity]:
    """Every collection's fixity standing, by collection id (collections without files too)."""
    unverified = func.sum(case((WarcFile.verified_at.is_(None), 1), else_=0))
    failed = func.sum(case((WarcFile.verify_outcome.in_(("failed", "missing")), 1), else_=0))
    rows = session.execute(
        select(Collection.id, func.count(WarcFile.id), func.min(WarcFile.verified_at),
               unverified, failed)
        .outerjoin(WarcFile, WarcFile.collection_id == Collection.id)
        .group_by(Collection.id))
    return {cid: CollectionFixity(files=count,
                                  last_verified=_utc(oldest) if count and not never else None,
                                  failed=int(bad or 0))
            for cid, count, oldest, never, bad in rows}


def due_collections(session: Session, *, interval: timedelta,
                    now: datetime | None = None) -> list[str]:
    """Slugs of the collections holding a file neither verified nor closed within
    ``interval`` (a file just closed has just had its SHA-256 taken)."""
    cutoff = (now or datetime.now(UTC)) - interval
    return list(session.scalars(
        select(Collection.slug).join(WarcFile, WarcFile.collection_id == Collection.id)
        .where(func.coalesce(WarcFile.verified_at, WarcFile.closed) < cutoff)
        .group_by(Collection.slug).order_by(Collection.slug)))
