"""Taking in files from other tools (``indexer.imports``), on SQLite and PostgreSQL: each is
placed unchanged with its fixity, indexed as pywb indexes it, never overwrites, is skipped
when already held, and a rejected one leaves nothing behind."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from catalog.collections import create_collection
from catalog.db import Catalog
from catalog.models import Capture, WarcFile
from diancang.home import CollectionPaths
from indexer.export import Selection, export_wacz
from indexer.imports import import_archive, import_wacz
from indexer.textpool import TextPool
from tests.holdings.test_index_variants import pywb_lines
from tests.holdings.variants import ORIGIN, cut, write_arc, write_warc


@pytest.fixture
def pool() -> Iterator[TextPool]:
    with TextPool(1, 100_000, 10_000_000) as pool:
        yield pool


@pytest.fixture
def catalog(catalog_url: str) -> Iterator[Catalog]:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        create_collection(s, "c", title="C", kind="site")
    yield catalog
    catalog.dispose()


def at(coll: Path) -> tuple[Path, Path]:
    """The collection's archive and indexes directories, as the composition root passes them."""
    paths = CollectionPaths(coll)
    return paths.archive, paths.indexes


def _files(catalog: Catalog) -> dict[str, str]:
    with catalog.session() as s:
        return {w.filename: w.sha256 for w in s.scalars(select(WarcFile))}


def _index(coll: Path) -> list[str]:
    return sorted(line for cdxj in (coll / "indexes").glob("*.cdxj")
                  for line in cdxj.read_text(encoding="utf-8").splitlines(keepends=True))


def test_files_are_taken_in_unchanged(catalog: Catalog, tmp_path: Path,
                                      pool: TextPool) -> None:
    src, coll = tmp_path / "src", tmp_path / "c"
    sources = [write_warc(src / "heritrix.warc.gz", "heritrix"),
               write_warc(src / "wget.warc", "wget", version="1.0", compression="none"),
               write_warc(src / "post.warc.gz", "post"),
               write_arc(src / "IA.arc.gz", compressed=True), write_arc(src / "IA.arc",
                                                                         compressed=False)]
    for source in sources:
        outcome = import_archive(catalog, "c", *at(coll), source, move=False, pool=pool)
        placed = coll / "archive" / source.name
        assert placed.read_bytes() == source.read_bytes()
        assert outcome.message == f"{len(pywb_lines(placed))} captures"
        assert (coll / "indexes" / (source.name + ".cdxj")).read_text(
            encoding="utf-8").splitlines(keepends=True) == pywb_lines(placed)
    assert _files(catalog) == {s.name: hashlib.sha256(s.read_bytes()).hexdigest()
                               for s in sources}
    with catalog.session() as s:
        titles = {c.title for c in s.scalars(select(Capture)) if c.title}
    assert {"Heritrix 首页", "wget 首页", "ARC 首页", "资源记录中的页面"} <= titles


def test_same_name_gets_a_suffix_same_bytes_are_skipped(catalog: Catalog, tmp_path: Path,
                                                        pool: TextPool) -> None:
    coll = tmp_path / "c"
    one = write_warc(tmp_path / "a" / "example.warc.gz", "basic")
    two = write_warc(tmp_path / "b" / "example.warc.gz", "heritrix")
    assert import_archive(catalog, "c", *at(coll), one, move=False, pool=pool).message == \
        "4 captures"
    assert import_archive(catalog, "c", *at(coll), two, move=False, pool=pool).message == \
        "4 captures (as example-1.warc.gz)"
    again = import_archive(catalog, "c", *at(coll), one, move=False, pool=pool)
    assert (again.message, again.files) == ("already held as example.warc.gz; skipped", 0)
    assert (coll / "archive" / "example.warc.gz").read_bytes() == one.read_bytes()
    assert (coll / "archive" / "example-1.warc.gz").read_bytes() == two.read_bytes()
    assert sorted(_files(catalog)) == ["example-1.warc.gz", "example.warc.gz"]


def test_move_and_rejections(catalog: Catalog, tmp_path: Path, pool: TextPool) -> None:
    coll = tmp_path / "c"
    moved = write_warc(tmp_path / "src" / "moved.warc.gz", "basic")
    data = moved.read_bytes()
    assert import_archive(catalog, "c", *at(coll), moved, move=True, pool=pool).files == 1
    assert not moved.exists() and (coll / "archive" / "moved.warc.gz").read_bytes() == data
    whole = write_warc(tmp_path / "src" / "whole.warc.gz", "wget", compression="file")
    good = write_warc(tmp_path / "good.warc.gz", "heritrix")
    cut_file = cut(good, good.stat().st_size - 10, tmp_path / "src" / "cut.warc.gz")
    last_member = good.read_bytes().rindex(b"\x1f\x8b\x08")
    outcomes = [import_archive(catalog, "c", *at(coll), f, move=True, pool=pool)
                for f in (whole, cut_file)]
    assert [o.message for o in outcomes] == [
        "rejected: whole-file gzip",
        f"rejected: truncated at offset {last_member}"]
    assert all(o.rejected for o in outcomes) and whole.exists() and cut_file.exists()
    assert sorted(p.name for p in (coll / "archive").iterdir()) == ["moved.warc.gz"]
    assert list(_files(catalog)) == ["moved.warc.gz"]


def test_wacz_round_trip(catalog: Catalog, tmp_path: Path, pool: TextPool) -> None:
    """Export a collection, import the package into another: the same CDXJ lines; a package
    whose WARC does not match its hash is rejected whole."""
    coll = tmp_path / "c"
    for name, kind in (("h.warc.gz", "heritrix"), ("w.warc", "wget"), ("p.warc.gz", "post")):
        source = write_warc(tmp_path / "src" / name, kind,
                            compression="none" if name.endswith(".warc") else "record")
        import_archive(catalog, "c", *at(coll), source, move=False, pool=pool)
    package = tmp_path / "c.wacz"
    export_wacz(catalog, "c", *at(coll), package, selection=Selection(), title="C",
                description=None, software="test")
    with catalog.session() as s:
        create_collection(s, "d", title="D", kind="site")
    outcome = import_wacz(catalog, "d", *at(tmp_path / "d"), package, move=False, pool=pool)
    assert (outcome.rejected, outcome.files) == (False, 3)
    assert _index(tmp_path / "d") == _index(coll)
    assert sorted(p.name for p in (tmp_path / "d" / "archive").iterdir()) == \
        ["h.warc.gz", "p.warc.gz", "w.warc"]

    part = tmp_path / "part.wacz"
    export_wacz(catalog, "c", *at(coll), part, selection=Selection(url_prefix=f"{ORIGIN}/save"),
                title="C", description=None, software="test")
    with zipfile.ZipFile(part) as zf:
        lines = zf.read("indexes/index.cdxj").decode().splitlines(keepends=True)
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()]
    assert [json.loads(line.split(" ", 2)[2])["url"] for line in lines] == \
        [f"{ORIGIN}/saved.html"]
    assert [p.get("title") for p in pages[1:]] == ["资源记录中的页面"]
    with catalog.session() as s:
        create_collection(s, "e", title="E", kind="site")
    assert import_wacz(catalog, "e", *at(tmp_path / "e"), part, move=False, pool=pool).files == 1
    assert _index(tmp_path / "e") == lines

    post = tmp_path / "post.wacz"           # the POST's request record goes along
    export_wacz(catalog, "c", *at(coll), post, selection=Selection(url_prefix=f"{ORIGIN}/search"),
                title="C", description=None, software="test")
    with zipfile.ZipFile(post) as zf:
        post_lines = zf.read("indexes/index.cdxj").decode().splitlines(keepends=True)
    assert len(post_lines) == 1 and "?__wb_method=post&page=1&q=" in post_lines[0]
    with catalog.session() as s:
        create_collection(s, "g", title="G", kind="site")
    assert import_wacz(catalog, "g", *at(tmp_path / "g"), post, move=False, pool=pool).files == 1
    assert _index(tmp_path / "g") == post_lines

    bad = tmp_path / "bad.wacz"
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(info, data.replace(b"wget", b"WGET") if info.filename ==
                         "archive/w.warc" else data)
    with catalog.session() as s:
        create_collection(s, "f", title="F", kind="site")
    rejected = import_wacz(catalog, "f", *at(tmp_path / "f"), bad, move=False, pool=pool)
    assert rejected.message == \
        "rejected: archive/w.warc does not match its hash in datapackage.json"
    assert list((tmp_path / "f" / "archive").iterdir()) == []
