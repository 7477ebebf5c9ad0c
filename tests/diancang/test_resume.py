"""Pause and resume through the real command line: a crawl killed (SIGKILL) or interrupted
(Ctrl-C) mid-way, then ``diancang crawl --resume``, harvests the same URLs as a crawl left
alone, fetching again no more than was in flight, under the same crawl id."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from crawler.frontier import DONE, INFLIGHT
from diancang.demo.server import FixtureServer
from diancang.home import Home
from tests.support import crawls, make_home, run_cli

pytestmark = pytest.mark.slow   # crawls through the real CLI, in child processes

ENV = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1", "DIANCANG_CRAWL_HEARTBEAT": "0.3"}
PAGES = 60


@pytest.fixture
def site() -> Iterator[FixtureServer]:
    server = FixtureServer(generate_pages=PAGES, latency=0.05)
    server.record_hits = True      # each request the crawls send, to count fetches
    server.start()
    yield server
    server.stop()


def captured_paths(home: Path, origin: str) -> list[str]:
    """The paths of every response and revisit record in the collection's WARCs, read by
    ``warcio index``, robots.txt left out (each run of a crawl asks for it anew)."""
    paths = []
    for warc in sorted((home / "collections" / "slow" / "archive").glob("*.warc.gz")):
        out = subprocess.run(["warcio", "index", "-f", "warc-type,warc-target-uri", str(warc)],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if '"response"' in line or '"revisit"' in line:
                url = line.split('"warc-target-uri": "')[1].split('"')[0]
                if url != origin + "/robots.txt":
                    paths.append(url.removeprefix(origin))
    return paths


def frontier_counts(path: Path) -> Counter[int]:
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.OperationalError:
        return Counter()
    try:
        return Counter(dict(db.execute("SELECT state, count(*) FROM requests GROUP BY state")))
    except sqlite3.OperationalError:    # not created yet
        return Counter()
    finally:
        db.close()


def start_crawl(home: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home), "crawl",
                             "slow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, **ENV))


def interrupt_midway(home: Path, how: signal.Signals) -> Counter[int]:
    """Start a crawl, send it ``how`` once 20 requests are done; the frontier after its end."""
    frontier = Home(home).crawl(1).frontier
    crawl = start_crawl(home)
    try:
        deadline = time.monotonic() + 120
        while frontier_counts(frontier)[DONE] < 20 and time.monotonic() < deadline \
                and crawl.poll() is None:
            time.sleep(0.05)
        assert crawl.poll() is None, "the crawl ended before it could be interrupted"
    finally:
        crawl.send_signal(how)
        crawl.communicate(timeout=120)
    return frontier_counts(frontier)


def whole_crawl(tmp_path: Path, site: FixtureServer) -> list[str]:
    home = make_home(tmp_path / "whole", site.origin)
    run_cli(home, "crawl", "slow", env=ENV)
    return captured_paths(home, site.origin)


def fetches(site: FixtureServer) -> Counter[str]:
    return Counter(hit.target for hit in site.hits if hit.target != "/robots.txt")


def test_a_killed_crawl_resumes_where_it_was(tmp_path: Path, site: FixtureServer) -> None:
    expected = whole_crawl(tmp_path, site)
    assert len(expected) > PAGES, "the site's pages and their images"
    site.hits.clear()
    home = make_home(tmp_path, site.origin)
    at_kill = interrupt_midway(home, signal.SIGKILL)
    assert at_kill[DONE] >= 20
    # as the scheduler daemon starts it: the crawl that died (reaped, failed) is resumed
    out = run_cli(home, "crawl", "slow", "--resume-failed", env=ENV)
    assert "crawl 1 of slow finished" in out.stdout, out.stderr
    assert "repaired" in out.stderr      # the WARC the killed crawl left open
    history = crawls(home)
    assert [(c["id"], c["status"]) for c in history] == [(1, "finished")]
    got = captured_paths(home, site.origin)
    assert sorted(got) == sorted(expected), "the same URLs, each once"
    twice = [path for path, n in fetches(site).items() if n > 1]
    assert len(twice) <= at_kill[INFLIGHT], (twice, at_kill)
    again = run_cli(home, "crawl", "slow", "--resume", env=ENV, check=False)
    assert again.returncode == 2 and "no unfinished crawl to resume" in again.stderr


def test_an_interrupted_crawl_resumes_and_a_plain_crawl_says_so(tmp_path: Path,
                                                                 site: FixtureServer) -> None:
    expected = whole_crawl(tmp_path, site)
    site.hits.clear()
    home = make_home(tmp_path, site.origin)
    at_stop = interrupt_midway(home, signal.SIGINT)
    assert [(c["id"], c["status"]) for c in crawls(home)] == [(1, "stopped")]
    assert not list((home / "collections" / "slow" / "archive").glob("*.open"))
    out = run_cli(home, "crawl", "slow", "--resume", env=ENV)
    assert "crawl 1 of slow finished" in out.stdout, out.stderr
    assert sorted(captured_paths(home, site.origin)) == sorted(expected)
    twice = [path for path, n in fetches(site).items() if n > 1]
    assert len(twice) <= at_stop[INFLIGHT], (twice, at_stop)


def test_pause_asks_the_running_crawl_to_stop_and_resume_continues_it(
        tmp_path: Path, site: FixtureServer) -> None:
    home = make_home(tmp_path, site.origin)
    assert run_cli(home, "crawl", "slow", "--pause", env=ENV, check=False).returncode == 2
    frontier = Home(home).crawl(1).frontier
    site.latency = 0.3       # slow enough that the crawl still runs when --pause has started
    crawl = start_crawl(home)
    try:
        while frontier_counts(frontier)[DONE] < 5 and crawl.poll() is None:
            time.sleep(0.05)
        assert crawl.poll() is None, "the crawl ended before it could be paused"
        paused = run_cli(home, "crawl", "slow", "--pause", env=ENV)
        assert "crawl 1 of slow asked to stop" in paused.stdout
        crawl.communicate(timeout=120)
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert crawl.returncode == 0
    assert [(c["status"], c["stop_reason"]) for c in crawls(home)] == \
        [("stopped", "stop requested")]
    plain = run_cli(home, "crawl", "slow", "--max-pages", "1", env=ENV)
    assert "crawl 1 of slow is unfinished" in plain.stderr
    assert "--resume continues it" in plain.stderr
    resumed = run_cli(home, "crawl", "slow", "--resume", env=ENV, check=False)
    assert resumed.returncode == 2, "the new crawl (2) is the last one, and it ran to its limit"
