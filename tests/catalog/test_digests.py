"""The digest map a recrawl deduplicates against, on both catalogue backends."""

from __future__ import annotations

from datetime import UTC, datetime

from catalog.collections import get_collection, import_seed_list
from catalog.db import Catalog
from catalog.digests import previous_captures, warc_date
from catalog.models import Capture, WarcFile
from seeds.model import Seed, SeedList
from warc_store.records import Original

U = "http://www.gd.gov.cn/"


def test_warc_date() -> None:
    assert warc_date("20240506070809") == "2024-05-06T07:08:09Z"


def test_latest_capture_per_url(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, SeedList("gd", "广东", "site", "weekly", (Seed(U),)))
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
