"""The indexer on the corpus: described captures, gov metadata, PDFs, corrupt records, and a
rebuild that gives the same rows as the incremental path -- on SQLite and PostgreSQL."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select, text

from catalog.db import Catalog
from catalog.models import Capture, Seed, WarcFile
from diancang.settings import Settings
from indexer.collection import index_collection
from indexer.index import IndexProgress
from tests.indexer.corpus import CAP, GOV, GOV_NOTICE, GOV_YEARBOOK, URL, dirs, setup_corpus
from tests.support import FIXTURES, capture_snapshot

PDF_MAX = Settings.defaults()["index.pdf_max_bytes"]


def captures(catalog: Catalog) -> dict[tuple[str, str], Capture]:
    with catalog.session() as s:
        return {(c.url, c.timestamp[:6]): c for c in s.scalars(select(Capture))}


def test_captures_are_described(catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    coll_dir, closed = setup_corpus(catalog, tmp_path)
    result = index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, pdf_max_bytes=CAP,
                              lease=60.0, max_decoded_bytes=10_000_000)
    assert (result.files, result.captures, result.problems) == (2, 9, [])
    assert result.pages == 7          # 2xx HTML and PDF: not the 404
    got = captures(catalog)

    notice = got[(URL["notice"], "202401")]
    assert {k: getattr(notice, k) for k in GOV} == GOV_NOTICE
    assert notice.charset == "gb18030"
    assert notice.title == "广东省人民政府关于优化营商环境的通知"
    assert "联系人：朱镕" in notice.text and "优化营商环境" in notice.text
    assert notice.language == "zh-cn"
    yearbook = got[(URL["yearbook"], "202406")]
    assert {k: getattr(yearbook, k) for k in GOV} == GOV_YEARBOOK
    assert yearbook.charset == "gb18030" and "𠮷" in yearbook.text
    assert yearbook.title == "广州市统计年报"
    assert yearbook.language == "zh"        # undeclared: guessed from the text

    library = got[(URL["library"], "202401")]
    assert (library.status, library.mime, library.host, library.outlinks) == (
        200, "text/html", "www.gd.gov.cn", 2)
    assert library.title == "市图书馆开放时间调整"
    assert all(getattr(library, k) is None for k in GOV)
    english = got[(URL["english"], "202406")]
    assert (english.language, english.title) == ("en", "Shenzhen Library opens a new branch")
    assert english.seed_id is None          # no seed holds www.szlib.org.cn

    gone = got[(URL["gone"], "202401")]
    assert (gone.status, gone.text, gone.title) == (404, None, None)

    bulletin = got[(URL["pdf"], "202401")]
    assert bulletin.mime == "application/pdf"
    assert "Guangdong Statistical Bulletin 2023" in bulletin.text
    assert (bulletin.title, bulletin.author, bulletin.page_date) == (
        "Statistical Bulletin 2023", "Statistics Bureau", "2023-03-01")
    big = got[(URL["bigpdf"], "202401")]
    assert (big.mime, big.text) == ("application/pdf", None)     # over the size cap

    with catalog.session() as s:
        seeds = {seed.url: seed.id for seed in s.scalars(select(Seed))}
        crawl_of = {w.filename: w.crawl_id for w in s.scalars(select(WarcFile))}
    assert library.seed_id == seeds["http://www.gd.gov.cn/"]
    assert yearbook.seed_id == seeds["http://www.gz.gov.cn/"]     # domain scope: tjj.gz.gov.cn
    assert library.crawl_id == crawl_of[closed[0].filename] is not None
    assert yearbook.crawl_id is None        # a file no crawl recorded
    catalog.dispose()


def test_rebuild_gives_the_incremental_rows(catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    coll_dir, closed = setup_corpus(catalog, tmp_path)
    second = closed[1].path
    parked = tmp_path / second.name
    second.rename(parked)                    # index the first file alone, then the second
    assert index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, lease=60.0,
                            pdf_max_bytes=CAP, max_decoded_bytes=10_000_000).files == 1
    parked.rename(second)
    assert index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, lease=60.0,
                            pdf_max_bytes=CAP, max_decoded_bytes=10_000_000).files == 1
    assert index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, lease=60.0,
                            pdf_max_bytes=CAP,
                                max_decoded_bytes=10_000_000).files == 0     # nothing new
    incremental = capture_snapshot(catalog)
    cdxj = {p.name: p.read_bytes() for p in (coll_dir / "indexes").iterdir()}
    assert len(incremental) == 9

    # the rebuild extracts text in two worker processes, the incremental path in this one
    rebuilt = index_collection(catalog, "corpus", *dirs(coll_dir), rebuild=True, workers=2,
                               lease=60.0, pdf_max_bytes=CAP, max_decoded_bytes=10_000_000)
    assert (rebuilt.files, rebuilt.captures) == (2, 9)
    assert capture_snapshot(catalog) == incremental
    assert {p.name: p.read_bytes() for p in (coll_dir / "indexes").iterdir()} == cdxj
    with catalog.engine.connect() as conn:
        table = "capture_fts" if catalog.engine.dialect.name == "sqlite" else "capture_search"
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 7
    catalog.dispose()


def test_a_corrupt_record_is_skipped_and_named(catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    coll_dir, _ = setup_corpus(catalog, tmp_path)
    broken = coll_dir / "archive" / "broken.warc.gz"
    shutil.copy(FIXTURES / "warc" / "broken.warc.gz", broken)
    result = index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, lease=60.0,
                              pdf_max_bytes=PDF_MAX, max_decoded_bytes=10_000_000)
    assert result.files == 3
    assert len(result.problems) == 1
    assert result.problems[0].startswith(f"{broken}: offset 1000: corrupt record skipped")
    with catalog.session() as s:
        urls = sorted(s.scalars(select(Capture.url).join(WarcFile).where(
            WarcFile.filename == "broken.warc.gz")))
    assert urls == ["http://example.com/one", "http://example.com/three"]
    assert result.captures == 11
    catalog.dispose()


def test_files_are_indexed_as_they_close(catalog_url: str, tmp_path: Path) -> None:
    """What ``diancang crawl`` does on each closed WARC: queue it for the indexing thread."""
    from indexer.background import BackgroundIndexer

    catalog = Catalog(catalog_url)
    coll_dir, closed = setup_corpus(catalog, tmp_path)
    heard: list[IndexProgress] = []
    with catalog.session() as s:
        row = s.scalars(select(WarcFile)).one()
        coll_id, row_id = row.collection_id, row.id
    background = BackgroundIndexer(catalog, coll_id, coll_dir / "indexes", workers=1,
                                   pdf_max_bytes=CAP, max_decoded_bytes=10_000_000, lease=60.0,
                                   on_file=heard.append)
    background.submit(closed[0].path, row_id)
    result = background.close()
    assert background.pending == 0
    assert (result.files, result.captures, result.pages) == (1, 6, 4)
    size = closed[0].path.stat().st_size
    assert [(p.file, p.captures, p.files_done, p.files_total, p.bytes_done, p.bytes_total)
            for p in heard] == [(closed[0].filename, 6, 1, 1, size, size)]
    assert sorted(p.name for p in (coll_dir / "indexes").iterdir()) == [
        closed[0].filename + ".cdxj"]
    # the crawl-end pass then finds only the file not yet indexed
    assert index_collection(catalog, "corpus", *dirs(coll_dir), workers=1, lease=60.0,
                            pdf_max_bytes=PDF_MAX, max_decoded_bytes=10_000_000).files == 1
    catalog.dispose()
