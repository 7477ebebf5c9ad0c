"""Real ``diancang indexer`` processes on one queue, on SQLite and PostgreSQL: several index
each file exactly once; one killed (SIGKILL) mid-file leaves its file to be taken again after
its lease; either way the catalogue ends as one whole pass (a rebuild) makes it."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.collections import get_collection
from catalog.crawls import record_warc_file
from catalog.db import Catalog
from catalog.models import IndexQueueEntry
from diancang.settings import Settings
from indexer.collection import index_collection
from tests.support import FIXTURES, capture_snapshot, run_cli
from warc_store.records import HttpExchange
from warc_store.writer import WarcWriter

pytestmark = pytest.mark.slow   # indexer processes

FILES, PAGES = 6, 15
# long enough that a live indexer's heartbeat (every quarter of it) never lapses on a loaded
# machine, short enough that the killed indexer's file is taken again soon
LEASE = 15.0


@pytest.fixture
def home(tmp_path: Path, catalog_url: str) -> Iterator[tuple[Path, dict[str, str]]]:
    env = {"DIANCANG_DATABASE_URL": catalog_url, "DIANCANG_INDEX_WORKERS": "1",
           "DIANCANG_INDEX_LEASE": str(LEASE), "DIANCANG_INDEX_POLL_INTERVAL": "0.2"}
    home = tmp_path / "home"
    seeds = tmp_path / "seeds.yaml"
    seeds.write_text("collection: ix\nseeds:\n  - url: http://www.gd.gov.cn/\n",
                     encoding="utf-8")
    run_cli(home, "init", env=env)
    run_cli(home, "seeds", "import", str(seeds), env=env)
    yield home, env


def enqueue_files(home: Path, catalog: Catalog) -> None:
    """Write FILES WARC files of PAGES pages each and record them as a crawl's closing
    files are recorded: queued for indexing."""
    archive = home / "collections" / "ix" / "archive"
    bodies = [p.read_bytes() for p in sorted((FIXTURES / "corpus").glob("*.html"))]
    when = datetime(2024, 3, 1, tzinfo=UTC)
    with catalog.session() as session:
        coll = get_collection(session, "ix")
        assert coll is not None
        for f in range(FILES):
            writer = WarcWriter(archive, prefix="ix", hostname=f"h{f}",
                                warcinfo={"software": "Diancang/test"})
            for n in range(PAGES):
                writer.write_exchange(HttpExchange(
                    url=f"http://www.gd.gov.cn/{f}/{n}.html", method="GET",
                    request_headers=[("Accept", "*/*")], request_body=b"", status=200,
                    reason="OK", protocol="HTTP/1.1",
                    response_headers=[("Content-Type", "text/html; charset=utf-8")],
                    body=bodies[(f + n) % len(bodies)], ip_address="127.0.0.1",
                    date=when + timedelta(minutes=f, seconds=n)))
            closed = writer.close()
            assert closed is not None
            record_warc_file(session, collection_id=coll.id, crawl_id=None, closed=closed)


def indexer(home: Path, env: dict[str, str], name: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home),
                             "indexer", "--name", name], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, **env))


def stop(proc: subprocess.Popen[str]) -> int:
    """SIGTERM it; the number of files it says it indexed."""
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    match = re.search(r"indexed (\d+) WARC files", out)
    assert match, out + err
    return int(match.group(1))


@contextmanager
def running(home: Path, env: dict[str, str], *names: str) -> Iterator[
        dict[str, subprocess.Popen[str]]]:
    procs = {name: indexer(home, env, name) for name in names}
    try:
        for proc in procs.values():     # each has started and waits on the queue
            assert proc.stderr is not None
            assert "taking files from the queue" in proc.stderr.readline()
        yield procs
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def rows(catalog: Catalog) -> list[IndexQueueEntry]:
    with catalog.session() as session:
        return list(session.scalars(select(IndexQueueEntry)
                                    .order_by(IndexQueueEntry.warc_file_id)))


def wait_for(what: Callable[[], bool], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if what():
            return
        time.sleep(0.1)
    raise AssertionError("timed out")


def all_done(catalog: Catalog) -> Callable[[], bool]:
    return lambda: all(r.status == "done" for r in rows(catalog)) and len(rows(catalog)) == FILES


def same_as_one_pass(home: Path, catalog: Catalog) -> None:
    """The catalogue's captures equal what one whole pass (a rebuild) makes of the files."""
    indexed = capture_snapshot(catalog)
    assert len(indexed) == FILES * PAGES
    options = Settings.defaults().index_options()
    coll = home / "collections" / "ix"
    index_collection(catalog, "ix", coll / "archive", coll / "indexes", rebuild=True,
                     **{**options, "workers": 1})
    assert capture_snapshot(catalog) == indexed


def test_several_indexers_index_each_file_once(home: tuple[Path, dict[str, str]],
                                               catalog_url: str) -> None:
    path, env = home
    catalog = Catalog(catalog_url)
    with running(path, env, "a", "b", "c") as procs:
        enqueue_files(path, catalog)           # after all three wait on the queue
        wait_for(all_done(catalog))
        counts = {name: stop(proc) for name, proc in procs.items()}
    assert sum(counts.values()) == FILES, counts
    assert all(r.attempts == 1 for r in rows(catalog)), "no file taken twice"
    assert {r.holder for r in rows(catalog)} <= {"a", "b", "c"}
    status = run_cli(path, "indexer", "--status", env=env).stdout
    assert f"0 queued, 0 taken, {FILES} done, 0 failed" in status
    same_as_one_pass(path, catalog)
    catalog.dispose()


def test_an_indexer_killed_mid_file_leaves_it_to_another(home: tuple[Path, dict[str, str]],
                                                         catalog_url: str) -> None:
    path, env = home
    catalog = Catalog(catalog_url)
    with running(path, env, "doomed") as procs:
        doomed = procs["doomed"]
        enqueue_files(path, catalog)
        while True:       # freeze it holding a file (not between two), then kill it
            wait_for(lambda: any(r.status == "taken" for r in rows(catalog)))
            doomed.send_signal(signal.SIGSTOP)
            held = [r for r in rows(catalog) if r.status == "taken"]
            if held:
                break
            doomed.send_signal(signal.SIGCONT)
        doomed.send_signal(signal.SIGKILL)
        doomed.wait()
    victim = held[0]
    assert (victim.holder, victim.attempts) == ("doomed", 1)
    with running(path, env, "b", "c") as procs:
        wait_for(all_done(catalog))
        counts = {name: stop(proc) for name, proc in procs.items()}
    after = {r.warc_file_id: r for r in rows(catalog)}
    assert after[victim.warc_file_id].attempts == 2, "taken again once its lease ran out"
    assert after[victim.warc_file_id].holder in ("b", "c")
    done_before = sum(r.holder == "doomed" for r in after.values())
    assert sum(counts.values()) + done_before == FILES, counts
    assert all(r.attempts == 1 for r in after.values() if r.warc_file_id != victim.warc_file_id)
    same_as_one_pass(path, catalog)
    catalog.dispose()
