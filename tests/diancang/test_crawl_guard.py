"""Through the real command line: per-crawl limits, the collection lock, stop requests and
the reaping of a killed crawl."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.crawl_requests import request_stop
from catalog.db import Catalog
from catalog.models import Crawl, CrawlLock
from diancang.demo.server import FixtureServer
from tests.support import crawls, make_home, run_cli

pytestmark = pytest.mark.slow   # crawls through the real CLI, in child processes

ENV = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1", "DIANCANG_CRAWL_HEARTBEAT": "0.3"}


@pytest.fixture(scope="module")
def slow_site() -> Iterator[FixtureServer]:
    server = FixtureServer(generate_pages=400, latency=0.05).start()
    yield server
    server.stop()


@pytest.mark.parametrize(("limits", "reason"), [
    ("limits: {pages: 12}\n", "limit: pages"),
    ("limits: {bytes: 30kB}\n", "limit: bytes"),
    ("limits: {duration: 2s}\n", "limit: duration"),
])
def test_a_crawl_stops_at_its_limit(tmp_path: Path, slow_site: FixtureServer, limits: str,
                                    reason: str) -> None:
    home = make_home(tmp_path, slow_site.origin, limits)
    out = run_cli(home, "crawl", "slow", env=ENV).stdout
    assert f"stopped ({reason})" in out
    crawl = crawls(home)[0]
    assert (crawl["status"], crawl["stop_reason"]) == ("stopped", reason)
    archive = home / "collections" / "slow" / "archive"
    assert not list(archive.glob("*.open")), "every WARC closed"
    warc_bytes = sum(p.stat().st_size for p in archive.glob("*.warc.gz"))
    if reason == "limit: pages":
        assert 12 <= crawl["pages"] <= 13        # one more may be in flight (concurrency 1)
    elif reason == "limit: bytes":
        assert 30_000 <= warc_bytes < 34_000
    else:
        assert 10 < crawl["pages"] < 200


def start_crawl(home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home), "crawl",
                             "slow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, **ENV))


def wait_running(home: Path) -> dict:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        running = [c for c in crawls(home) if c["status"] == "running"]
        if running:
            return running[0]
        time.sleep(0.2)
    raise AssertionError("the crawl never started")


def test_no_second_crawl_while_one_runs_and_a_stop_request_stops_it(
        tmp_path: Path, slow_site: FixtureServer) -> None:
    home = make_home(tmp_path, slow_site.origin)
    first = start_crawl(home)
    try:
        running = wait_running(home)
        second = run_cli(home, "crawl", "slow", env=ENV, check=False)
        assert second.returncode == 3, second.stderr
        assert "collection 'slow' is already being crawled" in second.stderr
        assert f"crawl {running['id']}, pid {first.pid}" in second.stderr
        catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")
        with catalog.session() as s:
            assert request_stop(s, running["id"])
        catalog.dispose()
        _, err = first.communicate(timeout=60)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    crawl = crawls(home)[0]
    assert (crawl["status"], crawl["stop_reason"]) == ("stopped", "stop requested")
    assert len(crawls(home)) == 1, "the refused crawl left no record"


@pytest.mark.parametrize("resumed_elsewhere", [False, True])
def test_a_crawl_that_loses_its_lock_stops(tmp_path: Path, slow_site: FixtureServer,
                                           resumed_elsewhere: bool) -> None:
    """Another process took the lock over (this crawl was judged dead): the crawl stops at its
    next heartbeat, failed, its WARCs closed, an ERROR in its log, exit non-zero.  If that
    process resumed the crawl (the scheduler's --resume-failed), the record is left to it."""
    home = make_home(tmp_path, slow_site.origin)
    first = start_crawl(home)
    try:
        running = wait_running(home)
        catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")
        with catalog.session() as s:
            s.execute(CrawlLock.__table__.update().values(pid=2, host="other-machine"))
            if resumed_elsewhere:
                s.execute(Crawl.__table__.update().values(pid=2, host="other-machine"))
        catalog.dispose()
        _, err = first.communicate(timeout=300)   # it indexes what it wrote before it exits
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 1, err
    crawl = crawls(home)[0]
    expected = ("running", None) if resumed_elsewhere else ("failed", "lock lost")
    assert (crawl["id"], crawl["status"], crawl["stop_reason"]) == (running["id"], *expected)
    assert not list((home / "collections" / "slow" / "archive").glob("*.open"))
    log = (home / "crawls" / str(running["id"]) / "crawl.log").read_text(encoding="utf-8")
    assert "ERROR" in log and "crawl lock was taken over" in log


def test_a_killed_crawl_is_reaped_and_its_lock_taken_over(tmp_path: Path,
                                                          slow_site: FixtureServer) -> None:
    home = make_home(tmp_path, slow_site.origin, "limits: {pages: 30}\n")
    first = start_crawl(home)
    try:
        running = wait_running(home)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    out = run_cli(home, "crawl", "slow", env=ENV).stdout
    assert "stopped (limit: pages)" in out
    history = {c["id"]: c for c in crawls(home)}
    assert (history[running["id"]]["status"], history[running["id"]]["stop_reason"]) == \
        ("failed", "process died")
