"""The workers of a distributed crawl, as the catalogue knows them: each worker heartbeats its
figures into its ``crawl_workers`` row; a crawl's figures are the sum of its workers'."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import CrawlWorker

FIGURES = ("pages", "bytes", "errors")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def worker_heartbeat(session: Session, crawl_id: int, name: str, stats: dict[str, Any], *,
                     status: str = "running") -> None:
    """Create or refresh the worker's row with its latest figures."""
    now = datetime.now(UTC)
    row = session.get(CrawlWorker, (crawl_id, name), populate_existing=True)
    if row is None:
        row = CrawlWorker(crawl_id=crawl_id, name=name, started=now, stats={})
        session.add(row)
    row.host = socket.gethostname()
    row.pid = os.getpid()
    row.status = status
    row.heartbeat = now
    row.pages = int(stats.get("pages", 0))
    row.bytes = int(stats.get("bytes", 0))
    row.errors = int(stats.get("errors", 0))
    row.rate = float(stats.get("rate", 0.0))
    row.in_flight = int(stats.get("in_flight", 0))
    row.stats = {k: v for k, v in stats.items() if k not in ("in_flight",)}
    session.flush()


def crawl_workers(session: Session, crawl_id: int) -> list[CrawlWorker]:
    return list(session.scalars(select(CrawlWorker).where(CrawlWorker.crawl_id == crawl_id)
                                .order_by(CrawlWorker.name)))


def workers_by_crawl(session: Session, crawl_ids: list[int]) -> dict[int, list[CrawlWorker]]:
    out: dict[int, list[CrawlWorker]] = {}
    if not crawl_ids:
        return out
    for row in session.scalars(select(CrawlWorker).where(CrawlWorker.crawl_id.in_(crawl_ids))
                               .order_by(CrawlWorker.crawl_id, CrawlWorker.name)):
        out.setdefault(row.crawl_id, []).append(row)
    return out


def worker_summary(row: CrawlWorker, *, stale_after: float | None = None) -> dict[str, Any]:
    """The public shape of one worker (``diancang crawls --json``'s ``workers``); a running
    worker silent for ``stale_after`` seconds shows as ``silent``."""
    status = row.status
    if status == "running" and stale_after is not None and \
            datetime.now(UTC) - _aware(row.heartbeat) > timedelta(seconds=stale_after):
        status = "silent"
    return {"name": row.name, "host": row.host, "pid": row.pid, "status": status,
            "pages": row.pages, "bytes": row.bytes, "errors": row.errors,
            "rate": round(row.rate, 2), "in_flight": row.in_flight,
            "heartbeat": _aware(row.heartbeat).isoformat(timespec="seconds")}


def summed(rows: list[CrawlWorker]) -> dict[str, int]:
    """The crawl's figures: its workers' added up."""
    return {name: sum(int(getattr(row, name)) for row in rows) for name in FIGURES}
