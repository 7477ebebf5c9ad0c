"""A revisit is a capture: indexed with its original's status, type, text and words, dated by
the recapture, so date filters, counts and the site's page list see it (both backends)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from catalog.access import ANONYMOUS
from catalog.collections import import_seed_list
from catalog.db import Catalog
from catalog.models import Capture, Collection
from indexer.collection import index_collection
from search.browse import captures_per_day, pages
from search.query import search
from seeds.model import SeedList
from tests.indexer.corpus import PAGES, _exchange, dirs
from tests.support import make_seed
from warc_store.records import Original, payload_digest
from warc_store.writer import WarcWriter

URL = "http://www.gd.gov.cn/library.html"
JAN = datetime(2024, 1, 15, 8, 0, 0, tzinfo=UTC)
JUN = datetime(2024, 6, 20, 9, 30, 0, tzinfo=UTC)


def write_recrawl(archive: Path) -> None:
    """January: the page as a response; June: the same bytes again, a revisit record."""
    body = (PAGES / "library.html").read_bytes()
    first = WarcWriter(archive, prefix="rv", hostname="h0")
    first.write_exchange(_exchange(URL, body, "text/html; charset=utf-8", JAN))
    first.close()
    previous = {URL: Original(payload_digest(body), URL, "2024-01-15T08:00:00Z")}
    second = WarcWriter(archive, prefix="rv", hostname="h1", previous=previous)
    assert second.write_exchange(_exchange(URL, body, "text/html; charset=utf-8", JUN)).revisit
    second.close()


def test_a_revisit_carries_its_originals_text_and_is_found_by_its_date(
        catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    coll_dir = tmp_path / "rv"
    write_recrawl(coll_dir / "archive")
    with catalog.session() as s:
        import_seed_list(s, SeedList("rv", "复访", "site", "once", (make_seed("http://www.gd.gov.cn/"),)))
    index_collection(catalog, "rv", *dirs(coll_dir), workers=1, lease=60.0, pdf_max_bytes=1000,
                     max_decoded_bytes=10_000_000)
    with catalog.session() as s:
        rows = {c.timestamp[:6]: c for c in s.scalars(select(Capture))}
        assert set(rows) == {"202401", "202406"}
        jan, jun = rows["202401"], rows["202406"]
        assert (jun.record_type, jun.revisit_of) == ("revisit", "20240115080000")
        assert (jun.status, jun.mime, jun.title, jun.text) == (
            jan.status, jan.mime, jan.title, jan.text) == (
            200, "text/html", "市图书馆开放时间调整", jan.text)
        assert jan.text and "图书" in jan.text

        after = search(s, "图书馆", date_from="2024-03-01", group="none")
        assert [h.timestamp[:6] for h in after.hits] == ["202406"]
        [grouped] = search(s, "图书馆").hits
        assert (grouped.captures, grouped.first[:6], grouped.last[:6]) == (2, "202401", "202406")

        coll_id = s.scalars(select(Collection.id)).one()
        [page] = pages(s, coll_id, "www.gd.gov.cn", ANONYMOUS)
        assert (page.url, page.captures) == (URL, 2)         # as pywb's TimeMap lists it
        assert [n for _, n in captures_per_day(s, coll_id, "www.gd.gov.cn", ANONYMOUS)] == [1, 1]
    catalog.dispose()
