"""A file name is unique within its collection only: ``example.warc.gz`` (a Heritrix name) in
two collections is two files, and indexing one never touches the other's rows -- on SQLite and
PostgreSQL, and in a catalogue made before migration 0006."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from catalog.collections import create_collection
from catalog.db import Catalog, alembic_config, make_engine
from catalog.models import Capture, Collection, WarcFile
from indexer.collection import index_collection
from tests.holdings.variants import write_warc
from tests.indexer.corpus import dirs


def _counts(catalog: Catalog) -> dict[str, tuple[int, int, str]]:
    """Per collection: captures, files and the name of the file its captures are in."""
    with catalog.session() as s:
        rows = s.execute(select(Collection.slug, func.count(Capture.id),
                                func.count(WarcFile.id.distinct()), func.min(WarcFile.filename))
                         .join(Capture, Capture.collection_id == Collection.id)
                         .join(WarcFile, WarcFile.id == Capture.warc_file_id)
                         .where(WarcFile.collection_id == Collection.id)
                         .group_by(Collection.slug)).all()
    return {slug: (n, files, name) for slug, n, files, name in rows}


def test_same_name_in_two_collections(catalog_url: str, tmp_path: Path) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        create_collection(s, "one", title="One", kind="site")
        create_collection(s, "two", title="Two", kind="site")
    write_warc(tmp_path / "one" / "archive" / "example.warc.gz", "basic")
    write_warc(tmp_path / "two" / "archive" / "example.warc.gz", "heritrix")
    first = index_collection(catalog, "one", *dirs(tmp_path / "one"), workers=1, lease=60.0,
                             pdf_max_bytes=1000, max_decoded_bytes=10_000_000)
    assert (first.files, first.captures) == (1, 4)
    expected = {"one": (4, 1, "example.warc.gz")}
    assert _counts(catalog) == expected
    for _ in range(3):      # each index of one collection leaves the other's rows alone
        index_collection(catalog, "two", *dirs(tmp_path / "two"), workers=1, pdf_max_bytes=1000,
                         lease=60.0, rebuild=True, max_decoded_bytes=10_000_000)
        index_collection(catalog, "one", *dirs(tmp_path / "one"), workers=1, pdf_max_bytes=1000,
                         lease=60.0, rebuild=True, max_decoded_bytes=10_000_000)
        assert _counts(catalog) == {**expected, "two": (4, 1, "example.warc.gz")}
    with catalog.session() as s:
        assert s.scalar(select(func.count()).select_from(WarcFile)) == 2
    catalog.dispose()


@pytest.mark.empty_catalog      # it migrates the catalogue step by step itself
def test_existing_catalogue_upgrades(catalog_url: str) -> None:
    """A catalogue from before the migration, holding a file, keeps it, and then takes the
    same name in another collection."""
    engine = make_engine(catalog_url)
    config = alembic_config(engine)
    before = ScriptDirectory.from_config(config).get_revision(
        "0010_warc_files_by_collection").down_revision
    command.upgrade(config, str(before))
    with engine.begin() as conn:
        for slug in ("one", "two"):
            conn.execute(text("INSERT INTO collections (slug, title, kind, schedule, created, "
                              "updated, public) VALUES (:s, :s, 'site', 'once', "
                              "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, false)"), {"s": slug})
        conn.execute(text("INSERT INTO warc_files (collection_id, filename, size, sha256, "
                          "records, closed) SELECT id, 'example.warc.gz', 1, 'a', 1, "
                          "CURRENT_TIMESTAMP FROM collections WHERE slug = 'one'"))
    engine.dispose()
    catalog = Catalog(catalog_url)          # migrates to the newest schema
    with catalog.session() as s:
        two = s.scalars(select(Collection).where(Collection.slug == "two")).one()
        s.add(WarcFile(collection_id=two.id, filename="example.warc.gz", size=2, sha256="b",
                       records=1, closed=func.now()))
    with catalog.session() as s:
        names = s.execute(select(Collection.slug, WarcFile.filename, WarcFile.sha256)
                          .join(Collection).order_by(Collection.slug)).all()
    assert [tuple(n) for n in names] == [("one", "example.warc.gz", "a"),
                                         ("two", "example.warc.gz", "b")]
    catalog.dispose()
