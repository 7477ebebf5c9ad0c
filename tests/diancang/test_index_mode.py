"""``index.mode`` through the real command line: inline, the crawl indexes its own files
through the queue; queue, it leaves them to ``diancang indexer``, which indexes them all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from catalog.db import Catalog
from catalog.models import Capture, IndexQueueEntry
from diancang.demo.server import FixtureServer
from tests.support import make_home, run_cli

pytestmark = pytest.mark.slow   # crawls and indexers in child processes

ENV = {"DIANCANG_CRAWL_ALLOW_PRIVATE": "1", "DIANCANG_WARC_MAX_SIZE": "20000",
       "DIANCANG_INDEX_WORKERS": "1"}


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    server = FixtureServer(generate_pages=40).start()
    yield server
    server.stop()


def queue(home: Path) -> list[tuple[str, int]]:
    catalog = Catalog(f"sqlite:///{home / 'catalog.sqlite'}")
    with catalog.session() as s:
        rows = [(r.status, r.attempts) for r in s.scalars(select(IndexQueueEntry))]
        rows.append(("captures", s.scalar(select(func.count()).select_from(Capture)) or 0))
    catalog.dispose()
    return rows


def test_queue_mode_leaves_files_to_indexers(tmp_path: Path, site: FixtureServer) -> None:
    home = make_home(tmp_path, site.origin)
    bad = run_cli(home, "crawl", "slow", env={**ENV, "DIANCANG_INDEX_MODE": "later"},
                  check=False)
    assert bad.returncode == 2 and "index.mode: expected one of inline, queue" in bad.stderr
    crawl = run_cli(home, "crawl", "slow", env={**ENV, "DIANCANG_INDEX_MODE": "queue"})
    assert "0 captures indexed from 0 WARC files" in crawl.stdout
    files = len(list((home / "collections" / "slow" / "archive").glob("*.warc.gz")))
    assert files > 1 and f"{files} WARC file(s) queued for indexing" in crawl.stderr
    assert queue(home) == [("queued", 0)] * files + [("captures", 0)]
    assert f"{files} queued, 0 taken, 0 done" in run_cli(home, "indexer", "--status",
                                                          env=ENV).stdout
    out = run_cli(home, "indexer", "--once", env=ENV).stdout
    assert f"indexed {files} WARC files" in out
    done = queue(home)
    assert done[:-1] == [("done", 1)] * files and done[-1][1] > 40
    assert "indexed 0 WARC files" in run_cli(home, "index", "slow", env=ENV).stdout


def test_inline_mode_indexes_through_the_queue(tmp_path: Path, site: FixtureServer) -> None:
    home = make_home(tmp_path, site.origin)
    crawl = run_cli(home, "crawl", "slow", env=ENV)
    files = len(list((home / "collections" / "slow" / "archive").glob("*.warc.gz")))
    assert f"captures indexed from {files} WARC files" in crawl.stdout
    rows = queue(home)
    assert rows[:-1] == [("done", 1)] * files and rows[-1][1] > 40
    assert "indexed 0 WARC files" in run_cli(home, "indexer", "--once", env=ENV).stdout
