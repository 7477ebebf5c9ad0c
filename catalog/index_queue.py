"""The queue of closed WARC files to index, in the catalogue: taken with a lease, done once.

Closing a WARC enqueues it (``enqueue``, in the transaction that records the file).  An
indexer (``diancang indexer`` on any machine, or the crawl itself in the embedded default)
takes one file at a time (``take_next``, or ``take_file`` for a file it names); a take is a
compare-and-swap on the row, its ``attempts`` counting up, so of several indexers exactly one
gets it.  On PostgreSQL the candidate is chosen ``FOR UPDATE SKIP LOCKED``, so indexers do
not queue up behind each other's row; on SQLite, whose writers take turns anyway, a lost swap
moves on to the next candidate.

The taker renews its heartbeat (``renew``) while it indexes; a file whose heartbeat is older
than ``lease`` seconds (its indexer died or froze) may be taken again, by anyone.  ``finish``
marks the file done in the very transaction that writes its capture rows, and only while the
take is still the file's latest: a take that was overtaken raises ``LeaseLost`` and its rows
roll back with it, so each file's rows are written by exactly one take.  A file that cannot
be read is ``fail``-ed with its reason; one taken ``max_attempts`` times without an end (its
indexers keep dying on it) is failed too, never retried forever.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from catalog.locks import changed, pid_alive
from catalog.models import Collection, IndexQueueEntry, WarcFile

QUEUED, TAKEN, DONE, FAILED = "queued", "taken", "done", "failed"
CANDIDATES = 8          # rows looked at per try of take_next


class LeaseLost(Exception):
    """The file was taken again by another indexer (this one was judged dead)."""


@dataclass(frozen=True, slots=True)
class Taken:
    """One take of one file: what the taker needs to find, index and finish it."""

    warc_file_id: int
    collection: str                  # the collection's slug
    filename: str
    holder: str
    attempt: int


def enqueue(session: Session, warc_file_id: int, collection_id: int) -> None:
    """Queue the file (again, if it was done or failed: it was closed anew, e.g. repaired)."""
    row = session.get(IndexQueueEntry, warc_file_id)
    now = datetime.now(UTC)
    if row is None:
        session.add(IndexQueueEntry(warc_file_id=warc_file_id, collection_id=collection_id,
                                    status=QUEUED, queued=now, attempts=0))
    elif row.status in (DONE, FAILED):
        row.status, row.queued, row.attempts = QUEUED, now, 0
        row.error = row.finished = row.holder = row.heartbeat = None
    session.flush()


def _takeable(cutoff: datetime) -> Any:
    return or_(IndexQueueEntry.status == QUEUED,
               and_(IndexQueueEntry.status == TAKEN, IndexQueueEntry.heartbeat < cutoff))


def _swap(session: Session, warc_file_id: int, seen_attempts: int, holder: str,
          cutoff: datetime, *, also: tuple[str, ...] = ()) -> bool:
    """Take the row if it is still as seen (committing); True if this take won."""
    now = datetime.now(UTC)
    condition = _takeable(cutoff)
    if also:
        condition = or_(condition, IndexQueueEntry.status.in_(also))
    done = session.execute(update(IndexQueueEntry).where(
        IndexQueueEntry.warc_file_id == warc_file_id,
        IndexQueueEntry.attempts == seen_attempts, condition).values(
        status=TAKEN, holder=holder, heartbeat=now, attempts=seen_attempts + 1,
        error=None, finished=None))
    session.commit()
    return changed(done) == 1


def _taken(session: Session, warc_file_id: int, holder: str, attempt: int) -> Taken:
    slug, filename = session.execute(
        select(Collection.slug, WarcFile.filename).join(
            WarcFile, WarcFile.collection_id == Collection.id).where(
            WarcFile.id == warc_file_id)).one()
    return Taken(warc_file_id, slug, filename, holder, attempt)


def _give_up(session: Session, warc_file_id: int, seen_attempts: int, cutoff: datetime) -> None:
    """A file taken ``max_attempts`` times whose last indexer died too: failed, for good."""
    gave_up = session.execute(update(IndexQueueEntry).where(
        IndexQueueEntry.warc_file_id == warc_file_id,
        IndexQueueEntry.attempts == seen_attempts, _takeable(cutoff)).values(
        status=FAILED, finished=datetime.now(UTC),
        error=f"its indexer died or stopped answering {seen_attempts} times"))
    session.commit()
    if changed(gave_up) == 1:
        raise GaveUp(_taken(session, warc_file_id, "", seen_attempts))


class GaveUp(Exception):
    """``take_next`` failed a file its indexers kept dying on (the caller logs it)."""

    def __init__(self, taken: Taken):
        super().__init__(f"{taken.collection}/{taken.filename}")
        self.taken = taken


def take_next(session: Session, holder: str, *, lease: float, max_attempts: int,
              collections: tuple[str, ...] = ()) -> Taken | None:
    """Take the oldest takeable file (of ``collections``, if given), or None when none is.
    Raises ``GaveUp`` for a file it failed instead (taken ``max_attempts`` times already)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=lease)
    while True:
        query = (select(IndexQueueEntry.warc_file_id, IndexQueueEntry.attempts)
                 .where(_takeable(cutoff)).order_by(IndexQueueEntry.warc_file_id)
                 .limit(CANDIDATES).with_for_update(skip_locked=True, of=IndexQueueEntry))
        if collections:
            query = query.join(Collection, Collection.id == IndexQueueEntry.collection_id) \
                .where(Collection.slug.in_(collections))
        candidates = session.execute(query).all()
        if not candidates:
            session.commit()
            return None
        for warc_file_id, attempts in candidates:
            if attempts >= max_attempts:
                _give_up(session, warc_file_id, attempts, cutoff)
                continue
            if _swap(session, warc_file_id, attempts, holder, cutoff):
                return _taken(session, warc_file_id, holder, attempts + 1)
            break                    # lost a race: look again from the start


def take_file(session: Session, warc_file_id: int, collection_id: int, holder: str, *,
              lease: float, again: tuple[str, ...] = ()) -> Taken | None:
    """Take this file (queuing it first if it never was); None while another indexer holds
    it, or when it is done or failed already, unless its status is one of ``again``
    (``diancang index``: the operator asks for it)."""
    enqueue_missing(session, warc_file_id, collection_id)
    cutoff = datetime.now(UTC) - timedelta(seconds=lease)
    attempts, holder_was = session.execute(
        select(IndexQueueEntry.attempts, IndexQueueEntry.holder).where(
            IndexQueueEntry.warc_file_id == warc_file_id)).one()
    session.commit()
    if _dead_here(holder_was):       # e.g. a crawl killed on this machine: no need to wait
        cutoff = datetime.now(UTC) + timedelta(days=1)
    if _swap(session, warc_file_id, attempts, holder, cutoff, also=again):
        return _taken(session, warc_file_id, holder, attempts + 1)
    return None


def _dead_here(holder: str | None) -> bool:
    """Whether ``holder`` names a process of this host (``host:pid``) that is gone."""
    host, _, pid = (holder or "").rpartition(":")
    return host == socket.gethostname() and pid.isdigit() and not pid_alive(int(pid))


def enqueue_missing(session: Session, warc_file_id: int, collection_id: int) -> None:
    if session.get(IndexQueueEntry, warc_file_id) is None:
        enqueue(session, warc_file_id, collection_id)
        session.commit()


def _mine(taken: Taken) -> Any:
    return and_(IndexQueueEntry.warc_file_id == taken.warc_file_id,
                IndexQueueEntry.attempts == taken.attempt, IndexQueueEntry.status == TAKEN)


def renew(session: Session, taken: Taken) -> bool:
    """Refresh the take's heartbeat (committing); False if the file was taken again."""
    done = session.execute(update(IndexQueueEntry).where(_mine(taken)).values(
        heartbeat=datetime.now(UTC)))
    session.commit()
    return changed(done) == 1


def finish(session: Session, taken: Taken) -> None:
    """Mark the file done, in the caller's transaction (not committed here); raises
    ``LeaseLost`` if the take was overtaken, so the caller's writes roll back."""
    done = session.execute(update(IndexQueueEntry).where(_mine(taken)).values(
        status=DONE, finished=datetime.now(UTC), error=None))
    if changed(done) != 1:
        raise LeaseLost(f"{taken.collection}/{taken.filename} was taken again by another "
                        f"indexer (this one was taken for dead)")


def fail(session: Session, taken: Taken, reason: str) -> bool:
    """Mark the file failed with its reason (committing); False if it was taken again."""
    done = session.execute(update(IndexQueueEntry).where(_mine(taken)).values(
        status=FAILED, finished=datetime.now(UTC), error=reason))
    session.commit()
    return changed(done) == 1


def put_back(session: Session, taken: Taken, reason: str) -> None:
    """Return the file to the queue after an unexpected error (its attempts still count)."""
    session.execute(update(IndexQueueEntry).where(_mine(taken)).values(
        status=QUEUED, heartbeat=None, error=reason))
    session.commit()


def queue_counts(session: Session, collection_id: int | None = None) -> dict[str, int]:
    """How many files are queued, taken, done and failed."""
    query = select(IndexQueueEntry.status, func.count()).group_by(IndexQueueEntry.status)
    if collection_id is not None:
        query = query.where(IndexQueueEntry.collection_id == collection_id)
    counts = {QUEUED: 0, TAKEN: 0, DONE: 0, FAILED: 0}
    counts.update({status: int(n) for status, n in session.execute(query)})
    return counts
