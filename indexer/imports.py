"""Taking in WARC, ARC and WACZ files from other tools: check, place, record, index.

Each file is checked whole first (``warc_store.check``; a WACZ against its datapackage hashes,
then each of its WARCs), then placed in the collection's archive directory unchanged under a free
name (``warc_store.intake``), given its fixity row from the bytes checked, and indexed as a
crawled file is.  A file whose bytes the collection already holds is skipped.  Nothing of a
rejected file is taken in.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from catalog.collections import get_collection
from catalog.db import Catalog
from catalog.holdings import file_names, held_with_sha256, record_file
from indexer.index import index_file
from indexer.textpool import TextPool
from warc_store.check import Checked, Rejected, check_archive
from warc_store.intake import take_in
from warc_store.wacz import extract_wacz


@dataclass(slots=True)
class Outcome:
    """What became of one file given to ``diancang import``: its line, and its figures."""
    source: Path
    message: str
    rejected: bool = False
    files: int = 0                  # files taken in
    captures: int = 0
    problems: list[str] = field(default_factory=list)


def _collection_id(catalog: Catalog, slug: str) -> int:
    with catalog.session() as session:
        coll = get_collection(session, slug)
        if coll is None:
            raise LookupError(f"no collection {slug!r}")
        return coll.id


def _held(catalog: Catalog, coll_id: int, checked: Checked) -> str | None:
    with catalog.session() as session:
        row = held_with_sha256(session, coll_id, checked.sha256)
        return row.filename if row is not None else None


def _place(catalog: Catalog, slug: str, archive: Path, indexes: Path, source: Path,
           checked: Checked, *, move: bool, pool: TextPool) -> Outcome:
    """Place a checked file, record its fixity, index it."""
    coll_id = _collection_id(catalog, slug)
    with catalog.session() as session:
        taken = file_names(session, coll_id)
    final = take_in(source, archive, sha256=checked.sha256, move=move, taken=taken)
    with catalog.session() as session:
        record_file(session, collection_id=coll_id, crawl_id=None, filename=final.name,
                    size=checked.size, sha256=checked.sha256, records=checked.records)
    result = index_file(catalog, slug, final, indexes, pool=pool)
    renamed = f" (as {final.name})" if final.name != source.name else ""
    return Outcome(source, f"{result.captures} captures{renamed}", files=1,
                   captures=result.captures, problems=result.problems)


def import_archive(catalog: Catalog, slug: str, archive: Path, indexes: Path, source: Path, *,
                   move: bool, pool: TextPool) -> Outcome:
    """Take in one ``.warc``/``.warc.gz``/``.arc``/``.arc.gz`` file into the collection's
    ``archive`` directory (its CDXJ into ``indexes``)."""
    try:
        checked = check_archive(source)
    except Rejected as exc:
        return Outcome(source, f"rejected: {exc}", rejected=True)
    held = _held(catalog, _collection_id(catalog, slug), checked)
    if held is not None:
        return Outcome(source, f"already held as {held}; skipped")
    try:
        return _place(catalog, slug, archive, indexes, source, checked, move=move, pool=pool)
    except Rejected as exc:
        return Outcome(source, f"rejected: {exc}", rejected=True)
    except OSError as exc:          # a full disk, a permission: said, and the next file tried
        return Outcome(source, f"rejected: not placed ({exc})", rejected=True)


def import_wacz(catalog: Catalog, slug: str, archive: Path, indexes: Path, source: Path, *,
                move: bool, pool: TextPool) -> Outcome:
    """Take in the WARC files of a WACZ package, all or none: the package's hashes and each
    of its WARCs are checked before any is placed."""
    archive.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".wacz-", dir=archive))   # same file system: moves
    try:
        try:
            warcs = extract_wacz(source, work)
            checked = [(warc, check_archive(warc)) for warc in warcs]
        except (Rejected, OSError) as exc:
            return Outcome(source, f"rejected: {exc}", rejected=True)
        coll_id = _collection_id(catalog, slug)
        total = Outcome(source, "")
        held: list[str] = []
        for warc, check in checked:
            name = _held(catalog, coll_id, check)
            if name is not None:
                held.append(name)
                continue
            try:
                one = _place(catalog, slug, archive, indexes, warc, check, move=True,
                             pool=pool)
            except (Rejected, OSError) as exc:
                total.problems.append(f"{source}: {warc.name}: not placed ({exc})")
                total.rejected = True
                continue
            total.files += 1
            total.captures += one.captures
            total.problems += one.problems
    finally:
        shutil.rmtree(work, ignore_errors=True)
    total.message = (f"{total.files} WARC files, {total.captures} captures"
                     + (f"; {len(held)} already held ({', '.join(held)}), skipped" if held else ""))
    if move and not total.rejected:
        source.unlink()
    return total
