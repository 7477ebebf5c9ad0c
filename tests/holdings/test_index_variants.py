"""Indexing the WARC and ARC files other tools write: each file's CDXJ lines are pywb's own
indexer's, capture rows follow them (with text, also for a page in a ``resource`` record),
and a file no record of which can be read alone is named with its reason and skipped."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pywb.indexer.cdxindexer import write_cdx_index
from sqlalchemy import select

from catalog.collections import create_collection
from catalog.db import Catalog
from catalog.models import Capture
from indexer.collection import index_collection
from indexer.index import index_file
from indexer.textpool import TextPool
from tests.holdings.variants import KINDS, ORIGIN, cut, write_arc, write_warc
from tests.indexer.corpus import dirs

VARIANTS = [(kind, version, compression) for kind in KINDS for version in ("1.0", "1.1")
            for compression in ("record", "none")]


def pywb_lines(path: Path) -> list[str]:
    """The lines pywb's own indexer writes for the file (as ``wb-manager add`` does)."""
    out = io.BytesIO()
    with path.open("rb") as fh:
        write_cdx_index(out, fh, path.name, cdxj=True, sort=True, include_all=False,
                        append_post=True)
    return out.getvalue().decode("utf-8").splitlines(keepends=True)


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    catalog = Catalog(f"sqlite:///{tmp_path / 'catalog.sqlite'}")
    with catalog.session() as s:
        create_collection(s, "c", title="C", kind="site")
    return catalog


def _variant(tmp_path: Path, kind: str, version: str, compression: str) -> Path:
    ext = ".warc" if compression == "none" else ".warc.gz"
    return write_warc(tmp_path / "c" / "archive" / f"{kind}-{version}{ext}", kind,
                      version=version, compression=compression)


@pytest.mark.parametrize(("kind", "version", "compression"), VARIANTS)
def test_warc_lines_are_pywbs(catalog: Catalog, tmp_path: Path, kind: str, version: str,
                              compression: str) -> None:
    warc = _variant(tmp_path, kind, version, compression)
    with TextPool(1, 1000, 10_000_000) as pool:
        result = index_file(catalog, "c", warc, tmp_path / "c" / "indexes", pool=pool)
    expected = pywb_lines(warc)
    assert expected and (tmp_path / "c" / "indexes" / (warc.name + ".cdxj")).read_text(
        encoding="utf-8").splitlines(keepends=True) == expected
    assert (result.captures, result.problems) == (len(expected), [])


@pytest.mark.parametrize("compressed", [False, True])
def test_arc_files_are_indexed(catalog: Catalog, tmp_path: Path, compressed: bool) -> None:
    arc = write_arc(tmp_path / "c" / "archive" / ("IA-001.arc" + (".gz" if compressed else "")),
                    compressed=compressed)
    result = index_collection(catalog, "c", *dirs(tmp_path / "c"), workers=1, pdf_max_bytes=1000,
                              lease=60.0, max_decoded_bytes=10_000_000)
    assert (result.files, result.captures, result.problems) == (1, 2, [])
    assert (tmp_path / "c" / "indexes" / (arc.name + ".cdxj")).read_text(
        encoding="utf-8").splitlines(keepends=True) == pywb_lines(arc)
    with catalog.session() as s:
        titles = {c.url: c.title for c in s.scalars(select(Capture))}
    assert titles == {f"{ORIGIN}/": "ARC 首页", f"{ORIGIN}/a.html": "ARC 通知"}


def test_resource_page_has_text(catalog: Catalog, tmp_path: Path) -> None:
    _variant(tmp_path, "post", "1.1", "record")
    index_collection(catalog, "c", *dirs(tmp_path / "c"), workers=1, lease=60.0, pdf_max_bytes=1000,
                     max_decoded_bytes=10_000_000)
    with catalog.session() as s:
        got = {c.url: (c.record_type, c.title, c.text) for c in s.scalars(select(Capture))}
    kind, title, text = got[f"{ORIGIN}/saved.html"]
    assert (kind, title) == ("response", "资源记录中的页面") and "图书馆" in (text or "")
    assert len(got) == 2          # the POST's response is keyed with its body by pywb


def test_bad_files_are_named_and_the_rest_indexed(catalog: Catalog, tmp_path: Path) -> None:
    archive = tmp_path / "c" / "archive"
    whole = write_warc(archive / "a-whole.warc.gz", "basic", compression="file")
    good = write_warc(tmp_path / "good.warc.gz", "basic")
    cut_at = good.stat().st_size - 40              # inside the last record's gzip member
    cut(good, cut_at, archive / "b-cut.warc.gz")
    write_warc(archive / "c-good.warc.gz", "heritrix")
    result = index_collection(catalog, "c", *dirs(tmp_path / "c"), workers=1, pdf_max_bytes=1000,
                              lease=60.0, max_decoded_bytes=10_000_000)
    assert (result.files, result.skipped) == (2, 1)
    assert result.problems[0] == (f"{whole}: file skipped: whole-file gzip: its records are "
                                  "not each their own gzip member, so none can be read alone")
    assert len(result.problems) == 2 and "b-cut.warc.gz: offset " in result.problems[1]
    offset = int(result.problems[1].split("offset ")[1].split(":")[0])
    assert 0 < offset < cut_at
    assert result.captures == 4 + 4       # the cut member was a request: every response stays
    assert not list((tmp_path / "c" / "indexes").glob("*.tmp"))
    assert not (tmp_path / "c" / "indexes" / "a-whole.warc.gz.cdxj").exists()
