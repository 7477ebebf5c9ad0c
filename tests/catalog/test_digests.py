"""The digest map a recrawl deduplicates against, on both catalogue backends."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select

from catalog.collections import get_collection, import_seed_list
from catalog.db import Catalog
from catalog.digests import previous_captures, rebuild, record_file, warc_date
from catalog.models import Capture, LatestCapture, WarcFile
from seeds.model import SeedList
from tests.support import make_seed
from warc_store.records import Original

U = "http://www.gd.gov.cn/"


def test_warc_date() -> None:
    assert warc_date("20240506070809") == "2024-05-06T07:08:09Z"


def test_latest_capture_per_url(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, SeedList("gd", "广东", "site", "weekly", (make_seed(U),)))
    with catalog.session() as s:
        coll = get_collection(s, "gd")
        assert coll is not None
        coll_id = coll.id
        warc = WarcFile(collection_id=coll_id, filename="gd-1.warc.gz", size=1, sha256="0",
                        records=1, closed=datetime.now(UTC))
        s.add(warc)
        s.flush()

        def capture(url: str, ts: str, digest: str, status: int | None, kind: str,
                    offset: int) -> Capture:
            return Capture(collection_id=coll_id, warc_file_id=warc.id, url=url, surt=url,
                           timestamp=ts, status=status, mime="text/html", digest=digest,
                           offset=offset, length=10, record_type=kind)

        s.add_all([
            # a page captured, then revisited: refers to the first response
            capture(U, "20240101000000", "AAAA", 200, "response", 0),
            capture(U, "20240108000000", "AAAA", None, "revisit", 10),
            # changed on the second crawl: refers to the newer response
            capture(U + "b", "20240101000000", "BBBB", 200, "response", 20),
            capture(U + "b", "20240108000000", "CCCC", 200, "response", 30),
            # gone: the latest is a 404, so the next 200 is stored whole
            capture(U + "c", "20240101000000", "DDDD", 200, "response", 40),
            capture(U + "c", "20240108000000", "EEEE", 404, "response", 50),
            # a redirect is never an original
            capture(U + "old", "20240101000000", "FFFF", 301, "response", 60),
        ])
    with catalog.session() as s:
        assert previous_captures(s, coll_id) == {
            U: Original("sha1:AAAA", U, "2024-01-01T00:00:00Z"),
            U + "b": Original("sha1:CCCC", U + "b", "2024-01-08T00:00:00Z"),
        }
        assert previous_captures(s, coll_id + 1) == {}
    catalog.dispose()


def _collection(catalog: Catalog) -> int:
    with catalog.session() as s:
        import_seed_list(s, SeedList("gd", "广东", "site", "weekly", (make_seed(U),)))
    with catalog.session() as s:
        coll = get_collection(s, "gd")
        assert coll is not None
        return coll.id


def _file_of_captures(catalog: Catalog, coll_id: int, name: str,
                      rows: list[dict[str, Any]]) -> None:
    """What the indexer does for one WARC file: insert its capture rows, advance the map."""
    with catalog.session() as s:
        warc = WarcFile(collection_id=coll_id, filename=name, size=1, sha256="0",
                        records=len(rows), closed=datetime.now(UTC))
        s.add(warc)
        s.flush()
        full = [{**row, "collection_id": coll_id, "warc_file_id": warc.id, "surt": row["url"],
                 "mime": "text/html", "offset": 10 * i, "length": 10}
                for i, row in enumerate(rows)]
        if full:
            s.execute(insert(Capture), full)
        record_file(s, coll_id, full)


def _table(catalog: Catalog, coll_id: int) -> dict[str, tuple[str, str | None, str | None]]:
    with catalog.session() as s:
        return {url: (seen, digest, original) for url, seen, digest, original in s.execute(
            select(LatestCapture.url, LatestCapture.seen, LatestCapture.digest,
                   LatestCapture.original).where(LatestCapture.collection_id == coll_id))}


def test_the_map_kept_file_by_file_equals_one_pass_over_the_history(catalog_url: str) -> None:
    """Twelve crawls of 40 URLs, each capture one of: unchanged (revisit), changed, gone (404),
    redirected, a revisit whose digest is not the one held (refused); the map advanced as each
    crawl's file is indexed is the map rebuilt from every capture, and says the same as the
    captures do."""
    rng = random.Random(5)
    catalog = Catalog(catalog_url)
    coll_id = _collection(catalog)
    urls = [f"{U}p{i}.html" for i in range(40)] + [f"{U}新闻/{i}.html" for i in range(5)]
    current = {url: None for url in urls}
    for crawl in range(12):
        ts = f"202401{crawl + 1:02d}000000"
        rows = []
        for url in rng.sample(urls, 30):
            kind = rng.choice(["same", "same", "new", "gone", "moved", "stray"])
            held = current[url]
            if kind == "same" and held is not None:
                rows.append({"url": url, "timestamp": ts, "digest": held, "status": None,
                             "record_type": "revisit"})
            elif kind == "stray":
                rows.append({"url": url, "timestamp": ts, "digest": "STRAY", "status": None,
                             "record_type": "revisit"})
                current[url] = None
            elif kind in ("gone", "moved"):
                rows.append({"url": url, "timestamp": ts, "digest": f"X{crawl}",
                             "status": 404 if kind == "gone" else 301,
                             "record_type": "response"})
                current[url] = None
            else:
                current[url] = f"D{crawl}{url[-6:]}"
                rows.append({"url": url, "timestamp": ts, "digest": current[url], "status": 200,
                             "record_type": "response"})
        _file_of_captures(catalog, coll_id, f"gd-{crawl}.warc.gz", rows)
    kept = _table(catalog, coll_id)
    with catalog.session() as s:
        rebuild(s, coll_id)
    assert _table(catalog, coll_id) == kept
    with catalog.session() as s:
        found = previous_captures(s, coll_id)
    assert {url: o.digest for url, o in found.items()} == \
        {url: f"sha1:{digest}" for url, digest in current.items() if digest is not None}
    assert all(o.uri == url for url, o in found.items())
    catalog.dispose()


def test_an_older_file_indexed_late_does_not_move_a_url_back(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    coll_id = _collection(catalog)
    _file_of_captures(catalog, coll_id, "gd-new.warc.gz", [
        {"url": U, "timestamp": "20240108000000", "digest": "NEW", "status": 200,
         "record_type": "response"}])
    _file_of_captures(catalog, coll_id, "gd-old.warc.gz", [
        {"url": U, "timestamp": "20240101000000", "digest": "OLD", "status": 200,
         "record_type": "response"},
        {"url": U + "a", "timestamp": "20240101000000", "digest": "A", "status": 200,
         "record_type": "response"}])
    with catalog.session() as s:
        assert previous_captures(s, coll_id) == {
            U: Original("sha1:NEW", U, "2024-01-08T00:00:00Z"),
            U + "a": Original("sha1:A", U + "a", "2024-01-01T00:00:00Z")}
    catalog.dispose()


def test_a_catalogue_from_before_the_map_gets_it_from_its_captures(catalog_url: str) -> None:
    """Captures indexed before migration 0005 (no map rows): the first file indexed after it,
    or the first crawl, builds the map from the whole history, then advances it."""
    catalog = Catalog(catalog_url)
    coll_id = _collection(catalog)
    with catalog.session() as s:
        warc = WarcFile(collection_id=coll_id, filename="gd-0.warc.gz", size=1, sha256="0",
                        records=1, closed=datetime.now(UTC))
        s.add(warc)
        s.flush()
        s.add(Capture(collection_id=coll_id, warc_file_id=warc.id, url=U, surt=U,
                      timestamp="20240101000000", status=200, mime="text/html",
                      digest="OLD", offset=0, length=10, record_type="response"))
    assert _table(catalog, coll_id) == {}
    _file_of_captures(catalog, coll_id, "gd-1.warc.gz", [
        {"url": U + "b", "timestamp": "20240108000000", "digest": "B", "status": 200,
         "record_type": "response"}])
    assert _table(catalog, coll_id) == {
        U: ("20240101000000", "OLD", "20240101000000"),
        U + "b": ("20240108000000", "B", "20240108000000")}
    catalog.dispose()
