"""The indexer: WARC files -> CDXJ indexes for pywb -> described capture rows.

WARC files are the source of truth.  Indexing a file reads it once with the fast reader
(``warc_store.reader``): each record's CDXJ line is built on the way and each 2xx HTML or PDF
response goes to the text workers (``indexer.textpool``: visible text, gov metadata, jieba,
on every core).  Then ``indexes/<warc>.cdxj`` is written and the file's capture rows and
full-text entries are replaced in one transaction, so indexing is idempotent, and
``rebuild`` (drop everything, index every file) gives the same rows as the incremental path:
every column comes from the WARC, the seed list and the file's crawl, never from the order in
which files were indexed.

A corrupt record is skipped: a message naming the file and offset goes to the log and into
the result's ``problems``, and the rest of the file is indexed.  A file no record of which
can be read alone (a whole-file gzip) is skipped whole, named with its reason, and the next
file is indexed; no ``.cdxj.tmp`` is left behind.  ARC files are read by warcio and indexed
by pywb's own indexer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from catalog import digests, index_queue
from catalog.collections import seed_list_of
from catalog.db import Catalog
from catalog.holdings import find_warc_file, record_file
from catalog.index_queue import Taken
from catalog.models import GOV_FIELDS, Capture, Collection, Seed, WarcFile
from catalog.revisits import originals
from indexer.extract_text import HTML_MIMES, PDF_MIMES, Page
from indexer.textpool import TextPool
from search import fulltext
from seeds.scope import SeedPrefixes
from warc_store.cdxj import (
    NotMirrored,
    cdxj_line,
    index_warc_pywb,
    iter_cdxj,
    timestamp14,
    write_index_lines,
)
from warc_store.fixity import file_sha256
from warc_store.reader import (
    Corrupt,
    Http,
    Record,
    Unreadable,
    Unsupported,
    http_of,
    iter_records,
    iter_records_warcio,
)

log = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")
TEXT_MIMES = HTML_MIMES | PDF_MIMES
BATCH = 500
# what a revisit carries over from its original: what the response was and what it says
CARRIED = ("status", "mime", "charset", "language", "title", "text", "outlinks", "author",
           "sitename", "description", "page_date", *GOV_FIELDS)


@dataclass(slots=True)
class IndexResult:
    files: int
    captures: int
    problems: list[str] = field(default_factory=list)
    pages: int = 0                  # captures described with text
    skipped: int = 0                # files not indexed at all (named in ``problems``)
    skipped_records: int = 0        # corrupt records skipped (named in ``problems``)

    def add(self, one: IndexResult) -> None:
        self.files += one.files
        self.captures += one.captures
        self.problems += one.problems
        self.pages += one.pages
        self.skipped += one.skipped
        self.skipped_records += one.skipped_records


@dataclass(frozen=True, slots=True)
class IndexProgress:
    """Where ``index_collection`` stands after one more file (for a progress line)."""
    file: str
    captures: int                   # of that file
    files_done: int
    files_total: int
    bytes_done: int                 # WARC bytes indexed so far, of
    bytes_total: int
    elapsed: float                  # seconds since the first file began

    @property
    def rate(self) -> float:
        """WARC bytes indexed per second so far."""
        return self.bytes_done / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds until the last file is done, at the rate so far."""
        return (self.bytes_total - self.bytes_done) / self.rate if self.rate > 0 else None


@dataclass(slots=True)
class _FileRead:
    lines: list[str] | None                       # None: pywb writes this file's CDXJ
    revisit_of: dict[int, str]
    validators: dict[int, digests.Validators]     # ETag / Last-Modified of its 200s
    problems: list[str]
    corrupt: int = 0


def closed_warcs(archive_dir: Path) -> list[Path]:
    """The collection's closed WARC files (never ``*.open`` ones still being written)."""
    if not archive_dir.is_dir():
        return []
    return sorted(p for p in archive_dir.iterdir() if p.name.endswith(WARC_SUFFIXES))


def warc_row(session: Session, coll: Collection, path: Path) -> WarcFile:
    row = find_warc_file(session, coll.id, path.name)
    if row is None:  # a WARC the catalogue has not seen (copied in, or a lost catalogue)
        row = record_file(session, collection_id=coll.id, crawl_id=None, filename=path.name,
                          size=path.stat().st_size, sha256=file_sha256(path), records=0,
                          closed=datetime.fromtimestamp(path.stat().st_mtime, UTC))
    return row


def _text_page(record: Record) -> Page | None:
    """The record as a page to describe, if it is a 2xx HTML or PDF response, or a
    ``resource`` record of HTML or PDF (a page stored without its HTTP exchange)."""
    if record.type == "resource":
        kind = record.headers.get("content-type", "")
        http: Http | None = Http("", "200", [("Content-Type", kind)], 0)
    elif record.type == "response":
        http = http_of(record)
    else:
        return None
    if http is None or not http.status.startswith("2"):
        return None
    mime = (http.header("content-type") or "").split(";", 1)[0].strip().lower()
    if mime not in TEXT_MIMES:
        return None
    return Page(record.offset, record.url, mime, record.block, http)


def _read(path: Path, reader: Callable[[Path], Iterator[Record | Corrupt]],
          pool: TextPool) -> _FileRead:
    lines: list[str] | None = []
    revisit_of: dict[int, str] = {}
    validators: dict[int, digests.Validators] = {}
    problems: list[str] = []
    corrupt = 0
    for item in reader(path):
        if isinstance(item, Corrupt):
            corrupt += 1
            problems.append(f"{path}: offset {item.offset}: corrupt record skipped "
                            f"({item.error})")
            log.warning("%s", problems[-1])
            continue
        if lines is not None:
            try:
                line = cdxj_line(item, path.name)
            except NotMirrored:
                lines = None
            else:
                if line is not None:
                    lines.append(line)
        if item.type == "revisit" and "warc-refers-to-date" in item.headers:
            revisit_of[item.offset] = timestamp14(item.headers["warc-refers-to-date"])
        found = _validators(item)
        if found is not None:
            validators[item.offset] = found
        page = _text_page(item)
        if page is not None:
            pool.add(page)
    return _FileRead(lines, revisit_of, validators, problems, corrupt)


def _validators(record: Record) -> digests.Validators | None:
    """A 200 response's (or revisit's) ETag and Last-Modified, if it sent either."""
    if record.type not in ("response", "revisit"):
        return None
    http = http_of(record)
    if http is None or http.status != "200":
        return None
    found = digests.Validators(http.header("etag"), http.header("last-modified"))
    return found if found != digests.NO_VALIDATORS else None


def _write_cdxj(path: Path, cdxj: Path, read: _FileRead) -> None:
    if read.lines is None or (read.problems and not path.name.endswith(".gz")):
        index_warc_pywb(path, cdxj)
        return
    read.lines.sort()
    write_index_lines(cdxj, read.lines)


class _SeedMatcher:
    """Which seed of the collection a capture belongs to (the most specific scope)."""

    def __init__(self, coll: Collection):
        seeds: list[Seed] = list(coll.seeds)
        self.ids = [s.id for s in seeds]
        self.prefixes = SeedPrefixes(seed_list_of(coll).seeds) if seeds else None

    def __call__(self, surt: str) -> int | None:
        if self.prefixes is None:
            return None
        index = self.prefixes.seed_for(surt)
        return self.ids[index] if index is not None else None


def index_file(catalog: Catalog, slug: str, warc_path: Path, indexes_dir: Path, *,
               pool: TextPool, taken: Taken | None = None) -> IndexResult:
    """Index one closed WARC file: its CDXJ, then its capture rows and their text.

    With ``taken`` (the file taken from the index queue), the file is marked done in the
    transaction that writes its rows (``LeaseLost``, nothing written, if another indexer took
    it meanwhile), or failed with its reason when it cannot be read."""
    indexes_dir.mkdir(parents=True, exist_ok=True)
    cdxj = indexes_dir / (warc_path.name + ".cdxj")
    try:
        try:
            read = _read(warc_path, iter_records, pool)
        except Unsupported:
            pool.discard()
            read = _read(warc_path, iter_records_warcio, pool)
            read.lines = None
        described = dict(pool.results())
        _write_cdxj(warc_path, cdxj, read)
    except Unreadable as exc:       # named, and the next file is indexed
        pool.discard()
        problem = f"{warc_path}: file skipped: {exc}"
        log.error("%s", problem)
        if taken is not None:
            with catalog.session() as session:
                index_queue.fail(session, taken, str(exc))
        return IndexResult(0, 0, [problem], skipped=1)
    for offset, fields in described.items():
        if "_error" in fields:
            read.problems.append(f"{warc_path}: offset {offset}: text not extracted "
                                 f"({fields['_error']})")
            log.warning("%s", read.problems[-1])

    with catalog.session() as session:
        if taken is not None:        # first: on PostgreSQL its row stays locked till commit
            index_queue.finish(session, taken)
        coll = session.scalars(select(Collection).where(Collection.slug == slug)).one()
        row = warc_row(session, coll, warc_path)
        seed_of = _SeedMatcher(coll)
        session.execute(delete(Capture).where(Capture.warc_file_id == row.id))
        rows, words = _capture_rows(coll.id, row, cdxj, read, described, seed_of)
        conn = session.connection()
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            ids = session.scalars(insert(Capture).returning(Capture.id,
                                                            sort_by_parameter_order=True),
                                  batch).all()
            fulltext.store(conn, [(capture_id, *found)
                                  for capture_id, found in zip(ids, words[start:start + BATCH],
                                                               strict=True)
                                  if found is not None])
        digests.record_file(session, coll.id, rows, read.validators)
        _describe_revisits(session, row.id)
        row.indexed = datetime.now(UTC)
    pages = sum(1 for w in words if w is not None)
    log.info("indexed %s: %d captures, %d with text", warc_path.name, len(rows), pages)
    return IndexResult(1, len(rows), read.problems, pages, skipped_records=read.corrupt)


def _describe_revisits(session: Session, warc_file_id: int) -> None:
    """A revisit is a capture of its original's page: it gets the original's status, type,
    text, metadata and words (``catalog.revisits`` finds the original, in this file or an
    earlier one), so it is counted, listed and found like the capture it repeats."""
    found = originals(session, ("id", *CARRIED), Capture.warc_file_id == warc_file_id)
    if not found:
        return
    session.execute(update(Capture), [{"id": rev, **dict(zip(CARRIED, values[1:], strict=True))}
                                      for rev, values in found.items()])
    fulltext.copy(session.connection(), [(rev, values[0]) for rev, values in found.items()])


def _capture_rows(coll_id: int, warc: WarcFile, cdxj: Path, read: _FileRead,
                  described: dict[int, dict[str, Any]], seed_of: _SeedMatcher,
                  ) -> tuple[list[dict[str, Any]], list[tuple[str, str, str, str] | None]]:
    rows: list[dict[str, Any]] = []
    words: list[tuple[str, str, str, str] | None] = []
    for entry in iter_cdxj(cdxj):
        revisit = entry.mime == "warc/revisit"
        row: dict[str, Any] = {
            "collection_id": coll_id, "warc_file_id": warc.id, "url": entry.url,
            "surt": entry.urlkey, "timestamp": entry.timestamp,
            "status": int(entry.status) if entry.status and entry.status.isdigit() else None,
            "mime": entry.mime, "digest": entry.digest, "offset": entry.offset,
            "length": entry.length, "record_type": "revisit" if revisit else "response",
            "host": (urlsplit(entry.url).hostname or "") or None, "crawl_id": warc.crawl_id,
            "seed_id": seed_of(entry.urlkey), "revisit_of": read.revisit_of.get(entry.offset),
        }
        fields = described.get(entry.offset, {})
        for name, value in fields.items():
            if not name.startswith("_"):
                row[name] = value
        rows.append(row)
        has_words = "_title" in fields or "_body" in fields or "_other" in fields
        words.append((fields.get("_title", ""), fields.get("_body", ""),
                      fields.get("_other", ""), fields.get("_sub", "")) if has_words else None)
    keys = set().union(*rows) if rows else set()
    for row in rows:                  # one shape for every row of an executemany insert
        for key in keys - row.keys():
            row[key] = None
    return rows, words
