"""Crawl records and the WARC files each crawl wrote (with their fixity)."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.holdings import record_file
from catalog.index_queue import enqueue
from catalog.models import Collection, Crawl, WarcFile
from warc_store.writer import ClosedWarc

STATUSES = ("running", "finished", "stopped", "failed")


def start_crawl(session: Session, coll: Collection) -> Crawl:
    crawl = Crawl(collection_id=coll.id, status="running", started=datetime.now(UTC),
                  host=socket.gethostname(), pid=os.getpid(), stats={})
    session.add(crawl)
    session.flush()
    return crawl


def last_crawl(session: Session, collection_id: int) -> Crawl | None:
    return session.scalars(select(Crawl).where(Crawl.collection_id == collection_id)
                           .order_by(Crawl.id.desc()).limit(1)).first()


def resume_crawl(session: Session, crawl_id: int) -> Crawl:
    """The crawl running again, in this process (``diancang crawl --resume``)."""
    crawl = session.get_one(Crawl, crawl_id)
    crawl.status = "running"
    crawl.stop_reason = None
    crawl.stop_requested = None
    crawl.finished = None
    crawl.host = socket.gethostname()
    crawl.pid = os.getpid()
    return crawl


def taken_over(session: Session, crawl_id: int) -> bool:
    """Whether another process runs the crawl now (it resumed it after this one lost the
    collection's lock): its record is that process's to finish."""
    crawl = session.get_one(Crawl, crawl_id, populate_existing=True)
    return crawl.status == "running" and (crawl.pid, crawl.host) != (os.getpid(),
                                                                     socket.gethostname())


def finish_crawl(session: Session, crawl_id: int, *, status: str, stop_reason: str | None,
                 stats: dict[str, Any]) -> Crawl:
    if status not in STATUSES:
        raise ValueError(f"crawl status {status!r} is not one of {STATUSES}")
    crawl = session.get_one(Crawl, crawl_id)
    crawl.status = status
    crawl.stop_reason = stop_reason
    crawl.finished = datetime.now(UTC)
    crawl.pages = int(stats.get("pages", 0))
    crawl.bytes = int(stats.get("bytes", 0))
    crawl.errors = int(stats.get("errors", 0))
    # what the crawl stored, from its closed files' fixity rows (a revisit-heavy recrawl
    # downloads much more than it keeps)
    stored = session.scalar(select(func.coalesce(func.sum(WarcFile.size), 0))
                            .where(WarcFile.crawl_id == crawl_id))
    crawl.stats = {**stats, "warc_bytes": int(stored or 0)}
    return crawl


def record_warc_file(session: Session, *, collection_id: int, crawl_id: int | None,
                     closed: ClosedWarc) -> WarcFile:
    """Record a closed WARC file's size and SHA-256 (idempotent on the collection and name),
    and queue it for indexing (``catalog.index_queue``)."""
    row = record_file(session, collection_id=collection_id, crawl_id=crawl_id,
                      filename=closed.filename, size=closed.size, sha256=closed.sha256,
                      records=closed.records)
    enqueue(session, row.id, collection_id)
    return row


def list_crawls(session: Session, collection: str | None = None) -> list[tuple[Crawl, str]]:
    query = select(Crawl, Collection.slug).join(Collection).order_by(Crawl.id)
    if collection is not None:
        query = query.where(Collection.slug == collection)
    return [(crawl, slug) for crawl, slug in session.execute(query)]


def crawl_summary(crawl: Crawl, slug: str) -> dict[str, Any]:
    """The public shape of a crawl (``diancang crawls --json``): ``bytes`` downloaded,
    ``warc_bytes`` stored (None until the crawl ends), ``elapsed`` seconds, ``rate`` pages/s."""
    def iso(value: datetime | None) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:  # SQLite hands back naive datetimes; they were stored as UTC
            value = value.replace(tzinfo=UTC)
        return value.isoformat(timespec="seconds")

    stats = crawl.stats or {}
    return {"id": crawl.id, "collection": slug, "status": crawl.status,
            "started": iso(crawl.started), "finished": iso(crawl.finished),
            "pages": crawl.pages, "bytes": crawl.bytes, "errors": crawl.errors,
            "revisits": int(stats.get("revisits", 0)),
            "warc_bytes": stats.get("warc_bytes"),
            "elapsed": stats.get("elapsed"), "rate": stats.get("rate"),
            "stop_reason": crawl.stop_reason, "host": crawl.host}
