"""Crawl requests: how anything but the daemon asks for a crawl, or for one to stop.

The web app (and ``diancang schedule``) never run crawls: ``request_crawl`` queues one, the
scheduler daemon claims it (``claim_next``) and starts ``diancang crawl COLL --request ID``,
which attaches its crawl id.  ``request_stop`` marks a running crawl; the crawl sees the mark
at its next heartbeat and stops gracefully, its WARCs closed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from catalog.collections import get_collection
from catalog.locks import changed
from catalog.models import Crawl, CrawlRequest
from errors import InvalidInput, NotFound


class UnknownCollection(NotFound):
    pass


def request_crawl(session: Session, slug: str, urls: Sequence[str] | None = None,
                  requested_by: str | None = None) -> int:
    """Queue a crawl of the collection (``urls``: a patch crawl of just those); its id."""
    coll = get_collection(session, slug)
    if coll is None:
        raise UnknownCollection(f"no collection {slug!r} in the catalogue")
    if urls is not None:
        urls = [u.strip() for u in urls if u.strip()]
        bad = [u for u in urls if not u.startswith(("http://", "https://"))]
        if not urls or bad:
            raise InvalidInput(f"urls: expected absolute http(s) URLs, got {bad or 'none'}")
    row = CrawlRequest(collection_id=coll.id, urls=list(urls) if urls is not None else None,
                       requested_by=requested_by, requested=datetime.now(UTC), status="queued")
    session.add(row)
    session.flush()
    return row.id


def request_stop(session: Session, crawl_id: int) -> bool:
    """Ask a running crawl to stop; False if it is not running."""
    done = session.execute(update(Crawl).where(Crawl.id == crawl_id, Crawl.status == "running")
                           .values(stop_requested=datetime.now(UTC)))
    return bool(changed(done))


def stop_requested(session: Session, crawl_id: int) -> bool:
    return session.scalar(select(Crawl.stop_requested).where(Crawl.id == crawl_id)) is not None


def queued(session: Session) -> list[CrawlRequest]:
    return list(session.scalars(select(CrawlRequest).where(CrawlRequest.status == "queued")
                                .order_by(CrawlRequest.id)))


def claim(session: Session, request_id: int) -> bool:
    """Take a queued request for starting (compare-and-swap: one daemon wins)."""
    done = session.execute(update(CrawlRequest).where(
        CrawlRequest.id == request_id, CrawlRequest.status == "queued")
        .values(status="started", started=datetime.now(UTC)))
    return bool(changed(done))


def requeue(session: Session, request_id: int, message: str) -> None:
    session.execute(update(CrawlRequest).where(CrawlRequest.id == request_id)
                    .values(status="queued", started=None, message=message))


def attach_crawl(session: Session, request_id: int, crawl_id: int) -> None:
    session.execute(update(CrawlRequest).where(CrawlRequest.id == request_id)
                    .values(crawl_id=crawl_id, status="started"))


def finish_request(session: Session, request_id: int, *, ok: bool,
                   message: str | None = None) -> None:
    session.execute(update(CrawlRequest).where(CrawlRequest.id == request_id)
                    .values(status="done" if ok else "failed", finished=datetime.now(UTC),
                            message=message))


def get_request(session: Session, request_id: int) -> CrawlRequest | None:
    return session.get(CrawlRequest, request_id, populate_existing=True)
