"""Seed import and crawl records on both catalogue backends (SQLite and real PostgreSQL)."""

from pathlib import Path

import pytest

from catalog.collections import get_collection, import_seed_list, seed_list_of
from catalog.crawls import crawl_summary, finish_crawl, list_crawls, record_warc_file, start_crawl
from catalog.db import Catalog
from seeds.model import Seed, SeedList
from tests.support import make_seed
from warc_store.writer import ClosedWarc


def seed(url: str, **kw: object) -> Seed:
    values: dict[str, object] = {"scope": "host", "depth": 3, "max_pages": 100, "delay": 0.5,
                                 "concurrency": 2}
    values.update(kw)
    return make_seed(url=url, **values)  # type: ignore[arg-type]


def seed_list(*seeds: Seed, title: str = "广东省政府网站") -> SeedList:
    return SeedList(collection="gd-gov", title=title, kind="site", schedule="weekly",
                    seeds=tuple(seeds))


def test_import_creates_updates_and_removes_seeds(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    first = seed_list(seed("http://www.gd.gov.cn/", title="广东省人民政府", exclude=("/search",)),
                      seed("http://www.gz.gov.cn/"))
    with catalog.session() as s:
        result = import_seed_list(s, first)
    assert (result.created, result.added, result.updated, result.removed) == (True, 2, 0, 0)

    second = seed_list(seed("http://www.gd.gov.cn/", title="广东省人民政府", depth=1),
                       seed("http://www.sz.gov.cn/"), title="广东")
    with catalog.session() as s:
        result = import_seed_list(s, second)
    assert (result.created, result.added, result.updated, result.removed) == (False, 1, 1, 1)

    with catalog.session() as s:
        coll = get_collection(s, "gd-gov")
        assert coll is not None
        back = seed_list_of(coll)
    assert back.title == "广东"
    assert [x.url for x in back.seeds] == ["http://www.gd.gov.cn/", "http://www.sz.gov.cn/"]
    assert back.seeds[0].depth == 1 and back.seeds[0].exclude == ()
    assert back.seeds[0].title == "广东省人民政府"


def test_import_keeps_a_description_the_seed_list_does_not_give(catalog_url: str) -> None:
    """Curators describe collections in the web app; re-importing a seed list without a
    ``description`` must not wipe what they wrote, and one with a description replaces it."""
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, seed_list(seed("http://www.gd.gov.cn/")))
        coll = get_collection(s, "gd-gov")
        assert coll is not None
        coll.description = "广东省各级政府门户网站"
    with catalog.session() as s:
        import_seed_list(s, seed_list(seed("http://www.gd.gov.cn/")))
    with catalog.session() as s:
        coll = get_collection(s, "gd-gov")
        assert coll is not None and coll.description == "广东省各级政府门户网站"
    described = SeedList(collection="gd-gov", title="广东", kind="site", schedule="weekly",
                         seeds=(seed("http://www.gd.gov.cn/"),), description="新的说明")
    with catalog.session() as s:
        import_seed_list(s, described)
    with catalog.session() as s:
        coll = get_collection(s, "gd-gov")
        assert coll is not None and coll.description == "新的说明"
    catalog.dispose()


def test_failed_import_leaves_nothing(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with pytest.raises(RuntimeError), catalog.session() as s:
        import_seed_list(s, seed_list(seed("http://www.gd.gov.cn/")))
        raise RuntimeError("a later step failed")
    with catalog.session() as s:
        assert get_collection(s, "gd-gov") is None


def test_crawl_record_and_warc_fixity(catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, seed_list(seed("http://www.gd.gov.cn/")))
        coll = get_collection(s, "gd-gov")
        assert coll is not None
        crawl_id = start_crawl(s, coll).id
        coll_id = coll.id
    closed = ClosedWarc(path=tmp_path / "a.warc.gz", filename="a.warc.gz", size=1234,
                        sha256="ab" * 32, records=5)
    with catalog.session() as s:
        record_warc_file(s, collection_id=coll_id, crawl_id=crawl_id, closed=closed)
        record_warc_file(s, collection_id=coll_id, crawl_id=crawl_id, closed=closed)  # idempotent
    with catalog.session() as s:
        finish_crawl(s, crawl_id, status="finished", stop_reason="finished",
                     stats={"pages": 12, "bytes": 3456, "errors": 1})
    with catalog.session() as s:
        rows = [crawl_summary(c, slug) for c, slug in list_crawls(s, "gd-gov")]
    assert len(rows) == 1
    row = rows[0]
    assert (row["id"], row["collection"], row["status"], row["pages"], row["bytes"]) == \
        (crawl_id, "gd-gov", "finished", 12, 3456)
    assert row["warc_bytes"] == 1234, "what it stored: its closed files' sizes"
    assert row["revisits"] == 0 and row["rate"] is None
    assert row["started"].endswith("+00:00") and row["finished"] is not None
    with pytest.raises(ValueError, match="crawl status"), catalog.session() as s:
        finish_crawl(s, crawl_id, status="done", stop_reason=None, stats={})
