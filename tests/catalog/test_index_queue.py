"""The index queue on both backends: one take per file however many indexers race for it, a
dead indexer's file taken again after its lease, a file given up on, finish only while ours."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from catalog.collections import get_collection, import_seed_list
from catalog.db import Catalog
from catalog.holdings import record_file
from catalog.index_queue import (
    DONE,
    FAILED,
    GaveUp,
    LeaseLost,
    Taken,
    enqueue,
    fail,
    finish,
    queue_counts,
    renew,
    take_file,
    take_next,
)
from catalog.models import IndexQueueEntry
from seeds.model import SeedList
from tests.support import make_seed

LEASE = 60.0
FILES = 24


@pytest.fixture
def catalog(catalog_url: str) -> Catalog:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, SeedList("gd", "广东", "site", "once", (make_seed("http://gd.cn/"),)))
        coll = get_collection(s, "gd")
        assert coll is not None
        for n in range(FILES):
            row = record_file(s, collection_id=coll.id, crawl_id=None,
                              filename=f"gd-{n:03d}.warc.gz", size=1, sha256="0" * 64,
                              records=1)
            enqueue(s, row.id, coll.id)
    return catalog


def statuses(catalog: Catalog) -> list[tuple[str, int, str | None]]:
    with catalog.session() as s:
        return [(r.status, r.attempts, r.holder) for r in s.scalars(
            select(IndexQueueEntry).order_by(IndexQueueEntry.warc_file_id))]


def age_heartbeats(catalog: Catalog, seconds: float) -> None:
    """Make every take look ``seconds`` old (its indexer silent since), as after a kill."""
    with catalog.session() as s:
        s.execute(update(IndexQueueEntry).values(
            heartbeat=datetime.now(UTC) - timedelta(seconds=seconds)))


def test_racing_indexers_take_each_file_once(catalog: Catalog, catalog_url: str) -> None:
    taken: dict[str, list[Taken]] = {}

    def indexer(name: str) -> None:
        own = Catalog(catalog_url, migrate=False)
        mine = taken.setdefault(name, [])
        while True:
            with own.session() as s:
                one = take_next(s, name, lease=LEASE, max_attempts=3)
            if one is None:
                break
            mine.append(one)
            with own.session() as s:
                finish(s, one)
        own.dispose()

    threads = [threading.Thread(target=indexer, args=(f"ix{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = sorted(t.filename for ts in taken.values() for t in ts)
    assert names == [f"gd-{n:03d}.warc.gz" for n in range(FILES)], "each file taken once"
    assert all(status == DONE and attempts == 1 for status, attempts, _ in statuses(catalog))
    with catalog.session() as s:
        assert queue_counts(s) == {"queued": 0, "taken": 0, "done": FILES, "failed": 0}
    catalog.dispose()


def test_a_dead_indexer_s_file_is_taken_again_and_its_late_finish_refused(
        catalog: Catalog) -> None:
    with catalog.session() as s:
        first = take_next(s, "dead", lease=LEASE, max_attempts=3)
    assert first is not None and first.attempt == 1
    with catalog.session() as s:
        again = take_next(s, "other", lease=LEASE, max_attempts=3)
    assert again is not None and again.warc_file_id != first.warc_file_id, \
        "a live take is not taken again"
    age_heartbeats(catalog, LEASE + 1)
    with catalog.session() as s:
        second = take_next(s, "other", lease=LEASE, max_attempts=3)
    assert second is not None
    assert (second.warc_file_id, second.attempt) == (first.warc_file_id, 2)
    with catalog.session() as s:
        assert not renew(s, first), "the overtaken indexer's heartbeat is refused"
    with pytest.raises(LeaseLost, match=r"gd-000\.warc\.gz was taken again"), \
            catalog.session() as s:
        finish(s, first)
    with catalog.session() as s:
        finish(s, second)
    with catalog.session() as s:
        row = s.get_one(IndexQueueEntry, first.warc_file_id)
        assert (row.status, row.attempts, row.holder) == (DONE, 2, "other")
    catalog.dispose()


def test_a_file_whose_indexers_keep_dying_is_given_up_on(catalog: Catalog) -> None:
    with catalog.session() as s:
        for _ in range(3):
            one = take_file(s, 1, 1, "dying", lease=LEASE)
            assert one is None or one.warc_file_id == 1
            s.execute(update(IndexQueueEntry).where(IndexQueueEntry.warc_file_id == 1)
                      .values(heartbeat=datetime.now(UTC) - timedelta(seconds=LEASE + 1)))
            s.commit()
    with catalog.session() as s, pytest.raises(GaveUp, match=r"gd/gd-000\.warc\.gz"):
        take_next(s, "next", lease=LEASE, max_attempts=3)
    with catalog.session() as s:
        row = s.get_one(IndexQueueEntry, 1)
        assert row.status == FAILED and row.error == \
            "its indexer died or stopped answering 3 times"
        nxt = take_next(s, "next", lease=LEASE, max_attempts=3)
        assert nxt is not None and nxt.warc_file_id == 2, "the failed file is not taken again"
    catalog.dispose()


def test_a_failed_file_stays_failed_unless_asked_again(catalog: Catalog) -> None:
    with catalog.session() as s:
        one = take_file(s, 1, 1, "ix", lease=LEASE)
        assert one is not None
        assert fail(s, one, "not a WARC file")
        assert take_file(s, 1, 1, "ix", lease=LEASE) is None
        assert take_next(s, "ix", lease=LEASE, max_attempts=3, collections=("gd",)) is not None
        again = take_file(s, 1, 1, "ix", lease=LEASE, again=(FAILED,))
        assert again is not None and again.attempt == 2
        assert take_next(s, "ix", lease=LEASE, max_attempts=3, collections=("none",)) is None
    catalog.dispose()


def test_a_file_held_by_a_dead_process_of_this_host_is_taken_at_once(catalog: Catalog) -> None:
    dead = int(Path("/proc/sys/kernel/pid_max").read_text(encoding="ascii"))  # no pid is
    with catalog.session() as s:
        assert take_file(s, 1, 1, f"{socket.gethostname()}:{dead}", lease=LEASE) is not None
        assert take_file(s, 2, 1, f"elsewhere:{dead}", lease=LEASE) is not None
        again = take_file(s, 1, 1, "next", lease=LEASE)     # a killed crawl's file
        assert again is not None and again.attempt == 2
        assert take_file(s, 2, 1, "next", lease=LEASE) is None, "another host's: its lease"
    catalog.dispose()
