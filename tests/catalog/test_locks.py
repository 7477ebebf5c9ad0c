"""The per-collection crawl lock, named leases and the reaping of dead crawls, on both
backends."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from catalog.collections import get_collection, import_seed_list
from catalog.crawls import start_crawl
from catalog.db import Catalog
from catalog.locks import (
    CollectionLocked,
    acquire,
    current_holder,
    heartbeat,
    reap,
    release,
    release_lease,
    renew_lease,
    take_lease,
)
from catalog.models import Crawl, CrawlLock, Lease
from diancang.settings import Settings
from seeds.model import SeedList
from tests.support import make_seed

STALE = Settings.defaults()["scheduler.lock_stale_after"]


def dead_pid() -> int:
    """A process id no process can have: the kernel hands out ids below ``pid_max``."""
    return int(Path("/proc/sys/kernel/pid_max").read_text(encoding="ascii"))


@pytest.fixture
def catalog(catalog_url: str) -> Catalog:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, SeedList("gd", "广东", "site", "daily", (make_seed("http://gd.cn/"),)))
    return catalog


def coll_id(catalog: Catalog) -> int:
    with catalog.session() as s:
        coll = get_collection(s, "gd")
        assert coll is not None
        return coll.id


def test_one_holder_at_a_time(catalog: Catalog) -> None:
    cid = coll_id(catalog)
    with catalog.session() as s:
        acquire(s, cid, stale_after=STALE)
        holder = current_holder(s, cid)
        assert holder is not None and holder.pid == os.getpid()
        with pytest.raises(CollectionLocked, match=f"pid {os.getpid()} on"):
            acquire(s, cid, stale_after=STALE)
        release(s, cid)
        assert current_holder(s, cid) is None
        acquire(s, cid, stale_after=STALE)          # free again
        release(s, cid)
    catalog.dispose()


def test_a_dead_holder_s_lock_is_taken_over(catalog: Catalog) -> None:
    cid = coll_id(catalog)
    now = datetime.now(UTC)
    with catalog.session() as s:
        s.add(CrawlLock(collection_id=cid, pid=dead_pid(), host=socket.gethostname(),
                        acquired=now, heartbeat=now))
    with catalog.session() as s:
        acquire(s, cid, stale_after=STALE)
        holder = current_holder(s, cid)
        assert holder is not None and holder.pid == os.getpid()
        release(s, cid)
    catalog.dispose()


def test_a_stale_heartbeat_on_another_host_is_taken_over(catalog: Catalog) -> None:
    cid = coll_id(catalog)
    old = datetime.now(UTC) - timedelta(minutes=10)
    with catalog.session() as s:
        s.add(CrawlLock(collection_id=cid, pid=1, host="other-machine", acquired=old,
                        heartbeat=old))
    with catalog.session() as s:
        with pytest.raises(CollectionLocked, match="other-machine"):
            acquire(s, cid, stale_after=3600)
        acquire(s, cid, stale_after=60)
        assert heartbeat(s, cid)
        # taken over from us in turn: our heartbeat says so
        s.execute(CrawlLock.__table__.update().values(pid=2, host="other-machine"))
        s.commit()
        assert not heartbeat(s, cid)
    catalog.dispose()


def test_reap_marks_dead_running_crawls_failed(catalog: Catalog) -> None:
    cid = coll_id(catalog)
    with catalog.session() as s:
        coll = get_collection(s, "gd")
        assert coll is not None
        alive = start_crawl(s, coll)           # this process: alive
        dead = start_crawl(s, coll)
        dead.pid = dead_pid()
        ids = alive.id, dead.id
    with catalog.session() as s:
        assert reap(s, cid, stale_after=STALE) == [ids[1]]
    with catalog.session() as s:
        rows = {c.id: c for c in s.query(Crawl)}
        assert rows[ids[0]].status == "running"
        assert (rows[ids[1]].status, rows[ids[1]].stop_reason) == ("failed", "process died")
        assert rows[ids[1]].finished is not None
    catalog.dispose()


def test_a_lease_has_one_live_holder(catalog: Catalog) -> None:
    """The scheduler's lease: held by one process; another live holder keeps it; a stale one
    is taken over, and the old holder's renewal then fails (so it stands down)."""
    with catalog.session() as s:
        assert take_lease(s, "scheduler", stale_after=60) is None
        assert take_lease(s, "scheduler", stale_after=60) is None, "ours already: kept"
        assert renew_lease(s, "scheduler")
        release_lease(s, "scheduler")
        assert s.get(Lease, "scheduler", populate_existing=True) is None
    fresh = datetime.now(UTC)
    with catalog.session() as s:
        s.add(Lease(name="scheduler", pid=1, host="other-machine", acquired=fresh,
                    heartbeat=fresh))
    with catalog.session() as s:
        holder = take_lease(s, "scheduler", stale_after=60)
        assert holder is not None and (holder.pid, holder.host) == (1, "other-machine")
        assert not renew_lease(s, "scheduler"), "not ours to renew"
        s.execute(Lease.__table__.update().values(heartbeat=fresh - timedelta(minutes=10)))
        s.commit()
        assert take_lease(s, "scheduler", stale_after=60) is None, "stale: taken over"
        assert take_lease(s, "other-role", stale_after=60) is None, "names are independent"
        s.execute(Lease.__table__.update().where(Lease.name == "scheduler")
                  .values(pid=2, host="other-machine"))
        s.commit()
        assert not renew_lease(s, "scheduler"), "taken from us in turn"
    catalog.dispose()
