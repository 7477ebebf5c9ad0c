"""``catalog.recover`` on both backends: a collection, its seeds and crawls from warcinfo
fields; crawl ids kept, and the next crawl numbered after them (PostgreSQL's sequence too)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from catalog.collections import get_collection, seed_list_of
from catalog.crawls import start_crawl
from catalog.db import Catalog
from catalog.models import Crawl, WarcFile
from catalog.recover import SEED_LIST_FIELD, FoundFile, recover_collection
from seeds.model import SeedList, seed_list_to_json
from tests.support import SEED_DEFAULTS, make_seed
from warc_store.warcinfo import WarcInfo

SEED_LIST = SeedList(collection="gd", title="广东省政府网站", kind="event", schedule="weekly",
                     description="省政府门户", seeds=(
                         make_seed(url="http://www.gd.gov.cn/", scope="domain", depth=3,
                              exclude=("/search",), title="广东省人民政府", agency="办公厅"),
                         make_seed(url="http://www.gz.gov.cn/", robots="ignore")))


def _file(name: str, day: int, crawl: str, slug: str = "gd") -> FoundFile:
    fields = {"isPartOf": slug, "description": "old title", "crawl": crawl,
              SEED_LIST_FIELD: seed_list_to_json(SEED_LIST)}
    return FoundFile(name, 100 + day, f"{day:064d}", WarcInfo(datetime(2024, 5, day,
                                                                        tzinfo=UTC), fields))


def test_collection_seeds_and_crawls_come_back(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    files = [_file("a.warc.gz", 1, "7"), _file("b.warc.gz", 2, "7"), _file("c.warc.gz", 9, "12"),
             FoundFile("x.arc.gz", 5, "f" * 64, None)]
    with catalog.session() as s:
        found = recover_collection(s, "gd", files, seed_defaults=SEED_DEFAULTS)
    assert (found.title, found.seeds, found.crawls, found.files, found.schedule) == \
        ("广东省政府网站", 2, 2, 4, "weekly")
    with catalog.session() as s:
        coll = get_collection(s, "gd")
        assert coll is not None and coll.public is False
        back = seed_list_of(coll)
        assert back.seeds == SEED_LIST.seeds and back.schedule == "once"
        assert (back.kind, back.description) == ("event", "省政府门户")
        crawls = {c.id: (c.started.day, c.finished.day if c.finished else None, c.status)
                  for c in s.scalars(select(Crawl))}
        assert crawls == {7: (1, 2, "finished"), 12: (9, 9, "finished")}
        rows = {w.filename: (w.crawl_id, w.sha256[-1]) for w in s.scalars(select(WarcFile))}
        assert rows == {"a.warc.gz": (7, "1"), "b.warc.gz": (7, "2"), "c.warc.gz": (12, "9"),
                        "x.arc.gz": (None, "f")}
        assert start_crawl(s, coll).id == 13        # numbered after the recovered ones
    catalog.dispose()


def test_files_of_other_tools(catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        found = recover_collection(s, "old", [_file("h.warc.gz", 3, "4", slug="elsewhere"),
                                              FoundFile("w.warc", 5, "e" * 64, None)],
                                   seed_defaults=SEED_DEFAULTS)
    # a seed list is a seed list wherever it was written; a crawl id only in its own collection
    assert (found.title, found.seeds, found.crawls) == ("广东省政府网站", 2, 0)
    catalog.dispose()
