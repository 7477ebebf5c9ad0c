"""The real ``diancang scheduler`` daemon, in a child process, against a site that changes
between crawls: schedules fire, survive a restart, never overlap a manual crawl; a run
missed while the daemon was down is recorded as missed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select, text

from catalog.db import Catalog
from catalog.models import Crawl, CrawlRequest
from diancang.demo.server import FixtureServer
from tests import changing_site
from tests.support import run_cli

pytestmark = pytest.mark.slow   # the scheduler daemon and its crawls, in child processes

ENV = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1", "DIANCANG_CRAWL_HEARTBEAT": "0.3",
       "DIANCANG_SCHEDULER_POLL_INTERVAL": "0.3"}


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[FixtureServer, Path]]:
    root = tmp_path / "site"
    changing_site.build(root)
    server = FixtureServer(root).start()
    yield server, root
    server.stop()


def daemon(home: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                             "scheduler"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=dict(os.environ, **ENV, **env))


def stop(proc: subprocess.Popen[str]) -> str:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return err


def wait_for(what: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def schedule_soon(home: Path, catalog: Catalog) -> datetime:
    """One run due in 12 s, once the daemon has put it in its job store (room for a loaded
    machine to stop the daemon before it falls due).  A daemon that put it there only after
    it fell due has skipped it: then again, with twice the room."""
    room = 12
    while True:
        soon = (datetime.now(UTC) + timedelta(seconds=room)).replace(microsecond=0)
        run_cli(home, "schedule", "set", "cs", "every 3600s", "--start", soon.isoformat(),
                env={"DIANCANG_DATABASE_URL": catalog.url})

        def synced(soon: datetime = soon) -> bool:
            with catalog.session() as s:
                names = s.execute(text("SELECT job_state FROM apscheduler_jobs")).scalars()
                return any(b"every 3600s|" + str(soon).encode() in state for state in names)
        wait_for(synced)
        if datetime.now(UTC) < soon - timedelta(seconds=1):
            return soon
        room *= 2


def wait_until(moment: datetime) -> None:
    """Sleep until 2 s after ``moment``."""
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds() + 2))


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_schedules_fire_survive_restarts_and_never_overlap(
        tmp_path: Path, site: tuple[FixtureServer, Path]) -> None:
    server, root = site
    home = tmp_path / "home"
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(f"collection: cs\nschedule: daily\nseeds:\n  - url: {server.origin}/\n"
                     f"defaults: {{delay: 0, concurrency: 2}}\n", encoding="utf-8")
    run_cli(home, "init")
    run_cli(home, "seeds", "import", str(seeds))
    assert "cs                   daily" in run_cli(home, "schedule", "list").stdout
    bad = run_cli(home, "schedule", "set", "cs", "cron 0 3 * *", check=False)
    assert bad.returncode == 2 and "schedule: invalid cron expression '0 3 * *'" in bad.stderr
    bad = run_cli(home, "schedule", "set", "cs", "daily", "--end", "2025-13-01", check=False)
    assert bad.returncode == 2 and "--end: expected a date YYYY-MM-DD" in bad.stderr
    run_cli(home, "schedule", "set", "cs", "every 3s")
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")

    def crawls() -> list[Crawl]:
        with catalog.session() as s:
            return list(s.scalars(select(Crawl).order_by(Crawl.id)))

    def finished() -> int:
        return sum(c.status == "finished" for c in crawls())

    proc = daemon(home)
    try:
        wait_for(lambda: finished() >= 1)
        changing_site.change(root)
        # a manual crawl meanwhile: it runs alone, or is refused while the daemon's runs
        manual = run_cli(home, "crawl", "cs", env=ENV, check=False)
        assert manual.returncode in (0, 3), manual.stderr
        wait_for(lambda: finished() >= 3)
    finally:
        stop(proc)
    with catalog.session() as s:
        jobs = s.execute(text("SELECT id FROM apscheduler_jobs")).scalars().all()
    assert jobs == ["crawl:cs"], "the job is kept in the catalogue's job store"
    before = len(crawls())

    proc = daemon(home)                   # restarted: the schedule goes on
    try:
        wait_for(lambda: len(crawls()) >= before + 1 and finished() >= before + 1)
        # next: one run, due in 12 s, that falls while the daemon is down
        soon = schedule_soon(home, catalog)
    finally:
        stop(proc)
    wait_until(soon)
    count = len(crawls())
    proc = daemon(home)                   # within the misfire grace: runs once on return
    try:
        wait_for(lambda: len(crawls()) == count + 1 and finished() >= count + 1)
        soon = schedule_soon(home, catalog)
    finally:
        stop(proc)
    wait_until(soon)
    proc = daemon(home, DIANCANG_SCHEDULER_MISFIRE_GRACE="1")
    try:                                  # beyond a 1-second grace: recorded as missed
        def missed() -> bool:
            with catalog.session() as s:
                return s.scalar(select(CrawlRequest.id).where(
                    CrawlRequest.status == "missed")) is not None
        wait_for(missed, timeout=30)
        run_cli(home, "schedule", "pause", "cs")
        time.sleep(1)
    finally:
        stop(proc)
    assert len(crawls()) == count + 1, "the missed run started no crawl"

    history = crawls()
    # every crawl finished, but one the daemon's own stop interrupted: stopped, or (caught
    # while Scrapy was still starting) failed with nothing fetched
    assert all(c.status == "finished" or c.stop_reason in ("shutdown", "interrupted")
               or (c.status == "failed" and c.pages == 0) for c in history), \
        [(c.id, c.status, c.stop_reason) for c in history]
    assert sum(c.status == "finished" for c in history) >= 4
    spans = sorted((aware(c.started), aware(c.finished)) for c in history if c.finished)
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start, "two crawls of one collection overlapped"
    # the site changed after the first crawl: later crawls stored revisits for the rest
    assert history[0].stats.get("revisits", 0) == 0
    # by the last crawl, every 200 of version 2 is unchanged: the four, b.html and new.html
    assert history[-1].stats.get("revisits") == len(changing_site.UNCHANGED) + 2
    with catalog.session() as s:
        requests = s.scalars(select(CrawlRequest)).all()
        statuses = [r.status for r in requests]
        # none left hanging; one interrupted by the daemon's stop may have ended "failed"
        assert "queued" not in statuses and "started" not in statuses
        assert statuses.count("missed") >= 1 and statuses.count("done") >= 2, \
            [(r.id, r.status, r.crawl_id, r.message) for r in requests]
    assert "paused" in run_cli(home, "schedule", "list").stdout
    catalog.dispose()


def test_many_daemons_fire_each_trigger_once(tmp_path: Path, catalog_url: str,
                                             site: tuple[FixtureServer, Path]) -> None:
    """Two daemons on one catalogue (SQLite, and PostgreSQL as on many machines): the one
    holding the lease fires; one trigger queues one crawl.  The leader killed with -9, the
    other takes over (its heartbeat gone stale) and fires the next trigger, once."""
    server, _ = site
    home = tmp_path / "home"
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text(f"collection: cs\nseeds:\n  - url: {server.origin}/\n"
                     f"defaults: {{delay: 0, concurrency: 2}}\n", encoding="utf-8")
    on = {"DIANCANG_DATABASE_URL": catalog_url}
    run_cli(home, "init", env=on)
    run_cli(home, "seeds", "import", str(seeds), env=on)
    catalog = Catalog(catalog_url)
    fast = {"DIANCANG_SCHEDULER_LOCK_STALE_AFTER": "3", **on}

    def leader() -> int | None:
        with catalog.session() as s:
            return s.scalar(text("SELECT pid FROM leases WHERE name = 'scheduler'"))

    def scheduled() -> list[CrawlRequest]:
        with catalog.session() as s:
            return list(s.scalars(select(CrawlRequest).where(
                CrawlRequest.requested_by == "schedule")))

    def all_done(count: int) -> Callable[[], bool]:
        return lambda: len(scheduled()) == count and all(
            r.status == "done" for r in scheduled())

    first = daemon(home, **fast)
    second = None
    try:
        wait_for(lambda: leader() == first.pid)
        second = daemon(home, **fast)
        soon = schedule_soon(home, catalog)
        wait_until(soon)
        wait_for(all_done(1))
        first.send_signal(signal.SIGKILL)
        first.wait()
        wait_for(lambda: leader() == second.pid)
        soon = schedule_soon(home, catalog)
        wait_until(soon)
        wait_for(all_done(2))
        time.sleep(1)                     # room for a duplicate, were there one
    finally:
        if first.poll() is None:
            first.kill()
        if second is not None:
            stop(second)
    requests = scheduled()
    assert len(requests) == 2, [(r.id, r.status, r.requested) for r in requests]
    with catalog.session() as s:
        crawls = list(s.scalars(select(Crawl)))
    assert len(crawls) == 2 and all(c.status == "finished" for c in crawls), \
        [(c.id, c.status, c.stop_reason) for c in crawls]
    catalog.dispose()
