"""A collection (or a part of it) as a WACZ package.

The package's WARC files are the collection's own, byte for byte.  Exported whole, each file
goes in unchanged and the index is the collection's CDXJ lines.  Filtered by capture date or
URL prefix, the selected records (and the request record after a POST response, whose body
pywb puts in the response's key) are copied byte for byte (whole gzip members) into a new
file of the same name inside the package, and their index lines follow them to their new
offsets; the files in the store are only read.  ``pages.jsonl`` lists the 200 HTML captures
with the titles the indexer found.  Captures taken down (``diancang access exclude``) are
left out, as they are of every other place a capture surfaces: a package with any is written
as a filtered one.  An embargo does not apply: exporting is the operator's own act.
"""

from __future__ import annotations

import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import not_, or_, select

from catalog.access import Viewer, visible_clause
from catalog.db import Catalog
from catalog.models import Capture, Collection
from indexer.index import closed_warcs
from warc_store.cdxj import parse_line
from warc_store.reader import GZIP_MAGIC, record_spans
from warc_store.wacz import Page, WaczWriter, file_chunks, record_chunks

PAGE_MIMES = ("text/html", "application/xhtml+xml")


class ExportError(Exception):
    """The package cannot be written (a file not indexed, nothing selected)."""


@dataclass(frozen=True, slots=True)
class Selection:
    start: str | None = None        # 14-digit timestamps, inclusive
    end: str | None = None
    url_prefix: str | None = None
    hidden: frozenset[tuple[str, str]] = frozenset()   # (timestamp, url) taken down

    @property
    def everything(self) -> bool:
        return (self.start is None and self.end is None and not self.url_prefix
                and not self.hidden)

    def wants(self, timestamp: str, url: str) -> bool:
        return ((self.start is None or timestamp >= self.start)
                and (self.end is None or timestamp <= self.end)
                and (not self.url_prefix or url.startswith(self.url_prefix))
                and (timestamp, url) not in self.hidden)


def _taken_down(catalog: Catalog, slug: str) -> frozenset[tuple[str, str]]:
    """(timestamp, url) of the collection's captures a takedown hides from everyone: only
    those rows are read (a collection's every capture would not fit in memory)."""
    with catalog.session() as session:
        hidden = (select(Capture.timestamp, Capture.url)
                  .join(Collection, Collection.id == Capture.collection_id)
                  .where(Collection.slug == slug,
                         not_(visible_clause(session, Viewer(collections=None)))))
        return frozenset((str(stamp), str(url)) for stamp, url in session.execute(hidden))


@dataclass(slots=True)
class ExportResult:
    files: int = 0
    captures: int = 0
    pages: int = 0


def _end_marker(path: Path) -> bytes:
    """What follows a record outside its indexed length: nothing in a gzip member, CRLF CRLF
    after an uncompressed WARC record, a newline after an ARC record.  The bytes tell
    whether the file is gzipped, not its name."""
    with path.open("rb") as fh:
        if fh.read(3) == GZIP_MAGIC:
            return b""
        fh.seek(0)
        return b"\r\n\r\n" if fh.read(5) == b"WARC/" else b"\n"


def _lines(indexes: Path, warc: Path) -> list[str]:
    cdxj = indexes / (warc.name + ".cdxj")
    if not cdxj.exists():
        raise ExportError(f"{warc.name} is not indexed yet; run: diancang index")
    with cdxj.open(encoding="utf-8") as fh:
        return [line if line.endswith("\n") else line + "\n" for line in fh if line.strip()]


def _moved(line: str, offset: int) -> str:
    """The index line with its record at a new offset (the rest as pywb wrote it)."""
    urlkey, timestamp, rest = line.rstrip("\n").split(" ", 2)
    fields = json.loads(rest)
    fields["offset"] = str(offset)
    return f"{urlkey} {timestamp} {json.dumps(fields)}\n"


def _select(warc: Path, lines: list[str], selection: Selection,
            ) -> tuple[list[tuple[int, int]], list[str]]:
    """The spans of the selected records in ``warc`` and their lines at their new offsets."""
    chosen: dict[tuple[int, int], list[str]] = {}
    for line in lines:
        entry = parse_line(line)
        if selection.wants(entry.timestamp, entry.url):
            chosen.setdefault((entry.offset, entry.length), []).append(line)
    posts = {span[0] for span, found in chosen.items()
             if any("__wb_method=" in line.split(" ", 1)[0] for line in found)}
    if posts:       # pywb keys a POST response with the body of the request record after it
        follows = _requests_after(warc, posts)
        for offset in posts:
            if offset in follows:
                chosen.setdefault(follows[offset], [])
    spans = sorted(chosen)
    marker = len(_end_marker(warc))
    moved, position = [], 0
    for span in spans:
        moved += [_moved(line, position) for line in chosen[span]]
        position += span[1] + marker
    return spans, moved


def _requests_after(warc: Path, offsets: set[int]) -> dict[int, tuple[int, int]]:
    """The span of the request record right after each response at ``offsets``."""
    found: dict[int, tuple[int, int]] = {}
    previous = -1
    for offset, length, rec_type in record_spans(warc):
        if previous in offsets and rec_type == "request":
            found[previous] = (offset, length)
        previous = offset
    return found


def _pages(catalog: Catalog, slug: str, selection: Selection) -> Iterator[Page]:
    with catalog.session() as session:
        rows = session.execute(
            select(Capture.url, Capture.timestamp, Capture.title)
            .join(Collection, Collection.id == Capture.collection_id)
            .where(Collection.slug == slug,     # no status: a page in a resource record
                   or_(Capture.status == 200, Capture.status.is_(None)),
                   Capture.mime.in_(PAGE_MIMES), Capture.record_type == "response")
            .order_by(Capture.timestamp, Capture.url)).all()
    for url, timestamp, title in rows:
        if selection.wants(timestamp, url):
            yield Page(url, timestamp, title)


def export_wacz(catalog: Catalog, slug: str, archive: Path, indexes: Path, target: Path, *,
                selection: Selection, title: str, description: str | None,
                software: str) -> ExportResult:
    """Write the package of the collection's WARC files in ``archive`` (their CDXJ in
    ``indexes``) to ``target`` (which must not exist): first under a temporary name beside it,
    linked to ``target`` only when whole."""
    selection = dataclasses.replace(selection, hidden=_taken_down(catalog, slug))
    plan: list[tuple[Path, list[tuple[int, int]] | None, list[str]]] = []
    for warc in closed_warcs(archive):
        lines = _lines(indexes, warc)
        if selection.everything:
            plan.append((warc, None, lines))
            continue
        spans, moved = _select(warc, lines, selection)
        if spans:
            plan.append((warc, spans, moved))
    if not plan:
        raise ExportError("no capture of the collection is selected; nothing written")
    result = ExportResult()
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    writer = WaczWriter(tmp, title=title, description=description, software=software)
    try:
        index: list[str] = []
        for warc, chosen, lines in plan:
            chunks = (file_chunks(warc) if chosen is None
                      else record_chunks(warc, chosen, _end_marker(warc)))
            writer.add_warc(warc.name, chunks)
            index += lines
            result.files += 1
        index.sort()
        result.captures = len(index)
        writer.add_index(index)
        pages = list(_pages(catalog, slug, selection))
        writer.add_pages(pages)
        result.pages = len(pages)
        writer.close()
        os.link(tmp, target)           # never over an existing file
    except BaseException:
        writer.abort()
        raise
    finally:
        tmp.unlink(missing_ok=True)
    return result
