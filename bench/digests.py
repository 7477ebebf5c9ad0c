"""A recrawl's start: loading the digest map of a collection with a long history.

Builds a SQLite catalogue holding one collection of ``--urls`` URLs crawled ``--crawls`` times
(synthetic capture rows: most unchanged revisits, some changed, a few gone), then times, in the
same invocation, several runs each:

- the history pass: reading every capture of the collection, oldest first, into the map (what
  each crawl's start did before migration 0005);
- ``catalog.digests.previous_captures``: reading the map kept in ``latest_captures``;
- ``catalog.digests.record_file`` for one more crawl's file: the cost moved to indexing.

    python bench/digests.py [--urls 50000] [--crawls 20] [--runs 3]
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from catalog.collections import get_collection, import_seed_list
from catalog.db import Catalog
from catalog.digests import Latest, advance, previous_captures, record_file
from catalog.models import Capture, WarcFile
from diancang.settings import Settings
from seeds.model import Seed, SeedList

SEED_DEFAULTS = Settings.defaults().seed_defaults   # the archive's declared crawl.*

SITE = "http://www.example.gov.cn/"


def crawl_rows(rng: random.Random, urls: list[str], current: dict[str, str], crawl: int,
               coll_id: int, warc_id: int) -> list[dict[str, Any]]:
    ts = f"2024{crawl // 28 + 1:02d}{crawl % 28 + 1:02d}030000"
    rows = []
    for i, url in enumerate(urls):
        roll = rng.random()
        if url in current and roll < 0.9:
            kind, status, digest = "revisit", None, current[url]
        elif roll < 0.98:
            kind, status, digest = "response", 200, f"{crawl:04d}{i:028d}"
            current[url] = digest
        else:
            kind, status, digest = "response", 404, "-"
            current.pop(url, None)
        rows.append({"collection_id": coll_id, "warc_file_id": warc_id, "url": url,
                     "surt": url, "timestamp": ts, "status": status, "mime": "text/html",
                     "digest": digest, "offset": 1000 * i, "length": 1000,
                     "record_type": kind})
    return rows


def add_file(catalog: Catalog, coll_id: int, crawl: int) -> int:
    with catalog.session() as s:
        warc = WarcFile(collection_id=coll_id, filename=f"bench-{crawl:04d}.warc.gz", size=1,
                        sha256="0", records=1, closed=datetime.now(UTC))
        s.add(warc)
        s.flush()
        return warc.id


def history_pass(catalog: Catalog, coll_id: int) -> int:
    with catalog.session() as s:
        latest: dict[str, Latest] = {}
        for url, timestamp, digest, record_type, status in s.execute(
                select(Capture.url, Capture.timestamp, Capture.digest, Capture.record_type,
                       Capture.status)
                .where(Capture.collection_id == coll_id)
                .order_by(Capture.timestamp, Capture.id)):
            latest[url] = advance(latest.get(url), timestamp, digest, record_type, status)
        return sum(1 for row in latest.values() if row.digest is not None)


def timed(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=50_000)
    parser.add_argument("--crawls", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(1)
    urls = [f"{SITE}xxgk/{i // 100}/t{i}.html" for i in range(args.urls)]
    with tempfile.TemporaryDirectory(prefix="diancang-digests-") as tmp:
        catalog = Catalog(f"sqlite:///{Path(tmp) / 'catalog.sqlite'}")
        with catalog.session() as s:
            import_seed_list(s, SeedList("bench", "bench", "site", "weekly",
                                         (Seed(SITE, **SEED_DEFAULTS),)))
        with catalog.session() as s:
            coll = get_collection(s, "bench")
            assert coll is not None
            coll_id = coll.id
        current: dict[str, str] = {}
        t0 = time.perf_counter()
        for crawl in range(args.crawls):      # as the indexer does, file by file
            warc_id = add_file(catalog, coll_id, crawl)
            rows = crawl_rows(rng, urls, current, crawl, coll_id, warc_id)
            with catalog.session() as s:
                s.execute(insert(Capture), rows)
                record_file(s, coll_id, rows)
        print(f"catalogue: {args.urls} URLs x {args.crawls} crawls = "
              f"{args.urls * args.crawls} capture rows, built in {time.perf_counter() - t0:.0f} s",
              flush=True)

        old, found_old = timed(lambda: history_pass(catalog, coll_id), args.runs)

        def load() -> int:
            with catalog.session() as s:
                return len(previous_captures(s, coll_id))
        new, found_new = timed(load, args.runs)
        assert found_old == found_new == len(current), (found_old, found_new, len(current))

        warc_id = add_file(catalog, coll_id, args.crawls)
        rows = crawl_rows(rng, urls, current, args.crawls, coll_id, warc_id)
        with catalog.session() as s:
            s.execute(insert(Capture), rows)
        t0 = time.perf_counter()
        with catalog.session() as s:
            record_file(s, coll_id, rows)
        advance_s = time.perf_counter() - t0
        catalog.dispose()

    print(f"\nmedians of {args.runs} runs; {found_new} URLs in the map")
    print(f"history pass (every capture, before 0005):   {old:8.2f} s")
    print(f"previous_captures (latest_captures rows):     {new:8.2f} s   "
          f"{old / new:.1f}x faster")
    print(f"record_file for one more crawl's {len(rows)} captures: {advance_s:.2f} s "
          f"(at indexing, off the crawl)")


if __name__ == "__main__":
    main()
