"""The metadata indexer: WARC files -> CDXJ indexes for pywb -> capture rows.

WARC files are the source of truth.  Indexing a file writes ``indexes/<warc>.cdxj`` (pywb
reads every CDXJ file in that directory) and replaces that file's capture rows, so it is
idempotent, and ``rebuild`` (drop everything, index every file) gives the same rows as the
incremental path.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from catalog.db import Catalog
from catalog.models import Capture, Collection, WarcFile
from warc_store.cdxj import index_warc, iter_cdxj

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc.gz", ".warc")


@dataclass(frozen=True, slots=True)
class IndexResult:
    files: int
    captures: int


def closed_warcs(archive_dir: Path) -> list[Path]:
    """The collection's closed WARC files (never ``*.open`` ones still being written)."""
    if not archive_dir.is_dir():
        return []
    return sorted(p for p in archive_dir.iterdir() if p.name.endswith(WARC_SUFFIXES))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _warc_row(session: Session, coll: Collection, path: Path) -> WarcFile:
    row = session.scalars(select(WarcFile).where(WarcFile.filename == path.name)).one_or_none()
    if row is None:  # a WARC the catalogue has not seen (copied in, or a lost catalogue)
        row = WarcFile(collection_id=coll.id, crawl_id=None, filename=path.name,
                       size=path.stat().st_size, sha256=_sha256(path), records=0,
                       closed=datetime.fromtimestamp(path.stat().st_mtime, UTC))
        session.add(row)
        session.flush()
    return row


def _capture_rows(coll_id: int, warc_id: int, cdxj: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for entry in iter_cdxj(cdxj):
        revisit = entry.mime == "warc/revisit"
        rows.append({
            "collection_id": coll_id, "warc_file_id": warc_id, "url": entry.url,
            "surt": entry.urlkey, "timestamp": entry.timestamp,
            "status": int(entry.status) if entry.status and entry.status.isdigit() else None,
            "mime": entry.mime, "digest": entry.digest, "offset": entry.offset,
            "length": entry.length, "record_type": "revisit" if revisit else "response",
        })
    return rows


def index_file(catalog: Catalog, slug: str, warc_path: Path, indexes_dir: Path) -> int:
    """Index one closed WARC file: its CDXJ, then its capture rows. Returns the capture count."""
    indexes_dir.mkdir(parents=True, exist_ok=True)
    cdxj = indexes_dir / (warc_path.name + ".cdxj")
    index_warc(warc_path, cdxj)
    with catalog.session() as session:
        coll = session.scalars(select(Collection).where(Collection.slug == slug)).one()
        row = _warc_row(session, coll, warc_path)
        session.execute(delete(Capture).where(Capture.warc_file_id == row.id))
        rows = _capture_rows(coll.id, row.id, cdxj)
        if rows:
            session.execute(insert(Capture), rows)
        row.indexed = datetime.now(UTC)
    log.info("indexed %s: %d captures", warc_path.name, len(rows))
    return len(rows)


def index_collection(catalog: Catalog, slug: str, collection_dir: Path, *,
                     rebuild: bool = False) -> IndexResult:
    """Index the collection's WARC files not yet indexed (all of them with ``rebuild``)."""
    archive_dir, indexes_dir = collection_dir / "archive", collection_dir / "indexes"
    warcs = closed_warcs(archive_dir)
    with catalog.session() as session:
        coll = session.scalars(select(Collection).where(Collection.slug == slug)).one()
        if rebuild:
            session.execute(delete(Capture).where(Capture.collection_id == coll.id))
            done: set[str] = set()
        else:
            done = set(session.scalars(select(WarcFile.filename).where(
                WarcFile.collection_id == coll.id, WarcFile.indexed.is_not(None))))
    if rebuild and indexes_dir.is_dir():
        for stale in indexes_dir.glob("*.cdxj"):
            stale.unlink()
    files = captures = 0
    for path in warcs:
        if path.name in done and (indexes_dir / (path.name + ".cdxj")).exists():
            continue
        captures += index_file(catalog, slug, path, indexes_dir)
        files += 1
    return IndexResult(files, captures)
