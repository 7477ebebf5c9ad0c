"""Distributed crawls (``diancang crawl --workers N``) on the real Redis and PostgreSQL: a
worker killed mid-crawl loses nothing and writes nothing twice; a host's concurrency holds
across 1, 2 and 4 workers, as the fixture sites count it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from diancang.demo.server import FixtureServer
from tests.support import POSTGRES_ENV, postgres_schema_url, run_cli

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

HOSTS = 4        # fixture sites on 127.0.0.2 .. 127.0.0.5: four hosts to share out


@pytest.fixture
def sites() -> Iterator[list[FixtureServer]]:
    servers = [FixtureServer(host=f"127.0.0.{i}", generate_pages=40, latency=0.1).start()
               for i in range(2, 2 + HOSTS)]
    try:
        yield servers
    finally:
        for server in servers:
            server.stop()


def make_home(tmp_path: Path, sites: list[FixtureServer], database: str,
              frontier: tuple[str, str], concurrency: int) -> tuple[Path, dict[str, str]]:
    tmp_path.mkdir(parents=True, exist_ok=True)
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text("collection: dist\n"
                     f"defaults: {{depth: 10, delay: 0, concurrency: {concurrency}}}\n"
                     "seeds:\n" + "".join(f"  - url: {s.origin}/\n" for s in sites),
                     encoding="utf-8")
    env = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1", "DIANCANG_DATABASE_URL": database,
           "DIANCANG_FRONTIER_URL": frontier[0], "DIANCANG_FRONTIER_PREFIX": frontier[1],
           "DIANCANG_FRONTIER_LEASE_TIMEOUT": "4", "DIANCANG_FRONTIER_POLL_INTERVAL": "0.5",
           "DIANCANG_INDEX_WORKERS": "1"}
    home = tmp_path / "home"
    run_cli(home, "init", env=env)
    run_cli(home, "seeds", "import", str(seeds), env=env)
    return home, env


def written(home: Path) -> Counter[str]:
    """Each URL's response (or revisit) records in the collection's WARC files."""
    urls: Counter[str] = Counter()
    for path in sorted((home / "collections" / "dist" / "archive").glob("*.warc.gz")):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type in ("response", "revisit"):
                    urls[record.rec_headers.get_header("WARC-Target-URI")] += 1
    return urls


def workers_of(database: str) -> list[tuple[str, int, int]]:
    """(name, pid, pages) of each worker in the catalogue."""
    import sqlalchemy

    engine = sqlalchemy.create_engine(database)
    try:
        with engine.connect() as conn:
            try:
                rows = conn.execute(sqlalchemy.text(
                    "SELECT name, pid, pages FROM crawl_workers ORDER BY name")).all()
            except sqlalchemy.exc.ProgrammingError:    # not migrated yet
                return []
    finally:
        engine.dispose()
    return [(str(name), int(pid), int(pages)) for name, pid, pages in rows]


def test_a_worker_killed_mid_crawl_loses_nothing_and_writes_nothing_twice(
        tmp_path: Path, sites: list[FixtureServer], postgres_url: str,
        redis_frontier: tuple[str, str]) -> None:
    # the whole crawl by one worker, uninterrupted
    home, env = make_home(tmp_path / "one", sites, postgres_url, redis_frontier, 1)
    run_cli(home, "crawl", "dist", "--workers", "1", env=env)
    expected = written(home)
    assert len(expected) > HOSTS * 40 and set(expected.values()) == {1}
    for site in sites:
        site.targets.clear()

    # the same with two workers (another catalogue), one killed once it has captured pages
    schema = postgres_schema_url(os.environ[POSTGRES_ENV])
    database = next(schema)
    try:
        killed, out, err, home = crawl_killing_one(tmp_path / "two", sites, database,
                                                   (redis_frontier[0], redis_frontier[1] + "b"))
    finally:
        schema.close()
    assert f"left open by worker {killed}" in err, err
    got = written(home)
    assert set(got) == set(expected), sorted(set(got) ^ set(expected))
    assert [url for url, n in got.items() if n > 1] == [], "no URL written twice"
    # fetched again: at most what the killed worker had in flight (robots.txt aside, which
    # each worker asks of the hosts it takes)
    again_fetched = [t for site in sites for t, n in site.targets.items()
                     if n > 1 and t != "/robots.txt"]
    marker = " requests in flight when a worker stopped or died"
    taken_back = int(out.split(marker)[0].rsplit(" ", 1)[1]) if marker in out else 0
    assert len(again_fetched) <= taken_back, (again_fetched, taken_back)


def crawl_killing_one(tmp_path: Path, sites: list[FixtureServer], database: str,
                      frontier: tuple[str, str]) -> tuple[str, str, str, Path]:
    """``crawl --workers 2``, SIGKILL to the first worker with 10 pages; (its name, the
    crawl's stdout and stderr, the home)."""
    home, env = make_home(tmp_path, sites, database, frontier, 1)
    proc = subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                             "crawl", "dist", "--workers", "2"], env=dict(os.environ, **env),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    killed = None
    try:
        while killed is None and proc.poll() is None:
            time.sleep(0.3)
            busy = [row for row in workers_of(database) if row[2] >= 10]
            if busy:
                killed = busy[0]
                os.kill(killed[1], signal.SIGKILL)
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert killed is not None, "the crawl ended before a worker had 10 pages"
    assert proc.returncode == 0, out + err
    assert "finished (finished)" in out, out
    return killed[0], out, err, home


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_a_hosts_concurrency_holds_across_workers(
        tmp_path: Path, sites: list[FixtureServer], postgres_url: str,
        redis_frontier: tuple[str, str], workers: int) -> None:
    home, env = make_home(tmp_path, sites, postgres_url, redis_frontier, 2)
    proc = run_cli(home, "crawl", "dist", "--workers", str(workers), env=env)
    assert "finished (finished)" in proc.stdout, proc.stdout
    for site in sites:
        assert site.requests > 40
        assert site.most_active <= 2, f"{site.origin}: {site.most_active} requests at once"
    assert len(workers_of(postgres_url)) == workers
    assert set(written(home).values()) == {1}
