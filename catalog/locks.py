"""At most one crawl per collection, and one holder of a role, across processes and machines:
a row in the catalogue.

``acquire`` inserts the collection's ``crawl_locks`` row; the primary key makes a second
insert fail, on SQLite and PostgreSQL alike.  The holder (pid, host) refreshes ``heartbeat``
while it crawls and deletes the row when it ends.  A row whose holder is dead (its pid is gone
and it ran on this host, or its heartbeat is older than ``stale_after`` seconds: the
``scheduler.lock_stale_after`` setting) is taken over with a
compare-and-swap update, so two would-be takers never both win.

Named leases (``take_lease``) are the same rows for a role rather than a collection: the
scheduler daemon that fires schedules holds ``scheduler``, so however many daemons run, one
trigger queues one crawl.

``reap`` marks as failed the ``running`` crawls whose process is dead, so no crawl is left
"running" after a crash or a kill -9.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Result, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from catalog.models import Crawl, CrawlLock, Held, Lease
from errors import Busy


@dataclass(frozen=True, slots=True)
class Holder:
    pid: int
    host: str
    crawl_id: int | None
    heartbeat: datetime


class CollectionLocked(Busy):
    """Another live process is crawling the collection (``diancang crawl`` exits 3)."""

    def __init__(self, holder: Holder, collection: str | None = None):
        self.holder = holder
        crawl = f"crawl {holder.crawl_id}, " if holder.crawl_id else ""
        which = f"collection {collection!r} is " if collection else ""
        super().__init__(f"{which}already being crawled ({crawl}pid {holder.pid} on {holder.host}, "
                         f"last heartbeat {holder.heartbeat.isoformat(timespec='seconds')})")


def changed(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE touched."""
    return cast(CursorResult[Any], result).rowcount


def this_process() -> tuple[int, str]:
    return os.getpid(), socket.gethostname()


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:      # alive, someone else's
        return True
    return True


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def holder_dead(pid: int | None, host: str | None, heartbeat: datetime | None, *,
                stale_after: float, now: datetime | None = None) -> bool:
    """Whether a lock or crawl's process is known to be gone."""
    now = now or datetime.now(UTC)
    if pid is not None and host == socket.gethostname() and not pid_alive(pid):
        return True
    return heartbeat is not None and now - _aware(heartbeat) > timedelta(seconds=stale_after)


def _holder(row: Any) -> Holder:
    return Holder(row.pid, row.host, getattr(row, "crawl_id", None), _aware(row.heartbeat))


def current_holder(session: Session, collection_id: int) -> Holder | None:
    row = session.get(CrawlLock, collection_id, populate_existing=True)
    return None if row is None else _holder(row)


def _take(session: Session, model: type[Held], key: dict[str, Any], *,
          pid: int, host: str, stale_after: float) -> Holder | None:
    """Insert the lock row ``key`` of ``model`` (committing), or take it over from a dead
    holder by compare-and-swap; None when taken, else the live holder that keeps it."""
    now = datetime.now(UTC)
    session.add(cast(Any, model)(**key, pid=pid, host=host, acquired=now, heartbeat=now))
    try:
        session.commit()
        return None
    except IntegrityError:
        session.rollback()
    held = session.get(model, tuple(key.values()), populate_existing=True)
    if held is None:             # released meanwhile: try once more
        return _take(session, model, key, pid=pid, host=host, stale_after=stale_after)
    holder = _holder(held)
    if not holder_dead(held.pid, held.host, held.heartbeat, stale_after=stale_after, now=now):
        return holder
    fresh: dict[str, Any] = {"pid": pid, "host": host, "acquired": now, "heartbeat": now}
    if model is CrawlLock:
        fresh["crawl_id"] = None
    taken = session.execute(
        update(model).where(*(getattr(model, k) == v for k, v in key.items()),
                            model.pid == held.pid, model.host == held.host,
                            model.heartbeat == held.heartbeat).values(**fresh))
    session.commit()
    if changed(taken) != 1:      # someone else took it over first
        row = session.get(model, tuple(key.values()), populate_existing=True)
        return holder if row is None else _holder(row)
    return None


def _renew(session: Session, model: type[Held], key: dict[str, Any],
           **values: Any) -> bool:
    """Refresh our lock row's heartbeat; False if it is no longer ours (taken over)."""
    pid, host = this_process()
    done = session.execute(update(model).where(
        *(getattr(model, k) == v for k, v in key.items()), model.pid == pid,
        model.host == host).values(heartbeat=datetime.now(UTC), **values))
    session.commit()
    return changed(done) == 1


def _release(session: Session, model: type[Held], key: dict[str, Any]) -> None:
    pid, host = this_process()
    session.execute(delete(model).where(*(getattr(model, k) == v for k, v in key.items()),
                                        model.pid == pid, model.host == host))
    session.commit()


def acquire(session: Session, collection_id: int, *, pid: int | None = None,
            host: str | None = None, stale_after: float) -> None:
    """Take the collection's lock (committing), or raise ``CollectionLocked``."""
    own_pid, own_host = this_process()
    holder = _take(session, CrawlLock, {"collection_id": collection_id}, pid=pid or own_pid,
                   host=host or own_host, stale_after=stale_after)
    if holder is not None:
        raise CollectionLocked(holder)


def heartbeat(session: Session, collection_id: int, *, crawl_id: int | None = None) -> bool:
    """Refresh our lock; False if it is no longer ours (it was taken over)."""
    values = {} if crawl_id is None else {"crawl_id": crawl_id}
    return _renew(session, CrawlLock, {"collection_id": collection_id}, **values)


def release(session: Session, collection_id: int) -> None:
    _release(session, CrawlLock, {"collection_id": collection_id})


# -- named leases: one live holder of a role (the scheduler daemon that fires schedules) -----
def take_lease(session: Session, name: str, *, stale_after: float) -> Holder | None:
    """Hold the lease ``name`` (committing): None when this process now holds it, else the
    live holder."""
    pid, host = this_process()
    holder = _take(session, Lease, {"name": name}, pid=pid, host=host, stale_after=stale_after)
    return None if holder is None or (holder.pid, holder.host) == (pid, host) else holder


def renew_lease(session: Session, name: str) -> bool:
    """Refresh our lease; False if another process took it over (we no longer hold it)."""
    return _renew(session, Lease, {"name": name})


def release_lease(session: Session, name: str) -> None:
    _release(session, Lease, {"name": name})


def reap(session: Session, collection_id: int | None = None, *,
         stale_after: float) -> list[int]:
    """Mark failed every ``running`` crawl whose process is dead; returns their ids.

    A crawl is alive while its collection's lock names it with a fresh heartbeat, or (a crawl
    without a lock row) while its pid runs on this host.
    """
    query = select(Crawl).where(Crawl.status == "running")
    if collection_id is not None:
        query = query.where(Crawl.collection_id == collection_id)
    now = datetime.now(UTC)
    reaped = []
    for crawl in session.scalars(query):
        lock = session.get(CrawlLock, crawl.collection_id, populate_existing=True)
        if lock is not None and lock.crawl_id == crawl.id:
            dead = holder_dead(lock.pid, lock.host, lock.heartbeat, stale_after=stale_after,
                               now=now)
        elif crawl.host == socket.gethostname() and crawl.pid is not None:
            dead = not pid_alive(crawl.pid)
        else:                    # another machine's crawl, no lock: judged by its age
            dead = now - _aware(crawl.started) > timedelta(seconds=stale_after)
        if dead:
            crawl.status = "failed"
            crawl.stop_reason = "process died"
            crawl.finished = now
            reaped.append(crawl.id)
    session.flush()
    return reaped
