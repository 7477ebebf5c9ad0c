"""Placing warcio's records in files: ``.open`` names, whole-pair writes, rotation, fixity.

warcio builds each record (headers, digests); this writer only
- gzips each record as its own member (at a configurable level: warcio's fixed level 9 costs
  several times the CPU for a few percent of size),
- writes a request/response pair in one ``write`` and truncates the file back if it fails,
  so a file never holds half a record written by us,
- names files ``<prefix>-<UTC timestamp>-<serial>-<host>.warc.gz`` and writes them as
  ``….open`` until closed, when they are fsynced and renamed,
- keeps a running SHA-256 so a closed file's fixity costs no second read,
- rotates to a new file once a file reaches ``max_size``,
- writes a ``revisit`` record instead of a response whose payload is unchanged since the
  URL's capture in ``previous`` (a map from URL to ``Original``, loaded by the caller).
"""

from __future__ import annotations

import errno
import hashlib
import io
import logging
import os
import socket
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warcio.recordloader import ArcWarcRecord
from warcio.timeutils import datetime_to_iso_date

from warc_store.records import Builder, HttpExchange, Original, exchange_records

log = logging.getLogger(__name__)

OPEN_SUFFIX = ".open"


@dataclass(frozen=True, slots=True)
class RecordLocation:
    filename: str     # the file's final name (without .open)
    offset: int
    length: int       # compressed bytes of the response record
    revisit: bool = False   # a revisit record was written: the payload was unchanged


@dataclass(frozen=True, slots=True)
class ClosedWarc:
    path: Path
    filename: str
    size: int
    sha256: str
    records: int


def warc_filename(prefix: str, when: datetime, serial: int, hostname: str) -> str:
    stamp = when.strftime("%Y%m%d%H%M%S") + f"{when.microsecond // 1000:03d}"
    host = "".join(c if c.isalnum() or c in ".-" else "-" for c in hostname) or "host"
    return f"{prefix}-{stamp}-{serial:05d}-{host}.warc.gz"


def _stem_and_suffix(name: str) -> tuple[str, str]:
    for suffix in (".warc.gz", ".warc", ".arc.gz", ".arc"):
        if name.endswith(suffix):
            return name[:-len(suffix)], suffix
    return name, ""


def free_name(directory: Path, filename: str, own: Path | None = None) -> str:
    """``filename`` if no file (closed, or ``.open`` other than ``own``) has it in
    ``directory``, else the first free ``<stem>-<n><suffix>``: a closed file's name is never
    given to another file."""
    stem, suffix = _stem_and_suffix(filename)
    candidate, n = filename, 0
    while (directory / candidate).exists() or (
            (directory / (candidate + OPEN_SUFFIX)).exists()
            and directory / (candidate + OPEN_SUFFIX) != own):
        n += 1
        candidate = f"{stem}-{n}{suffix}"
    return candidate


def rename_no_replace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target``, raising FileExistsError rather than replacing a file
    there (``os.replace`` would): a hard link made first is refused by an existing name."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise
    except OSError:                  # a file system without hard links
        if target.exists():
            raise FileExistsError(errno.EEXIST, "file exists", str(target)) from None
        os.rename(source, target)
        return
    os.unlink(source)


def close_as(source: Path, filename: str) -> Path:
    """Give the ``.open`` file ``source`` its final name (another if ``filename`` is taken by
    then), durably; returns the final path."""
    directory = source.parent
    while True:
        final = directory / free_name(directory, filename, source)
        if final.name != filename:
            log.warning("%s exists already: %s is closed as %s", filename, source.name,
                        final.name)
        try:
            rename_no_replace(source, final)
        except FileExistsError:      # taken in the meantime: try the next name
            continue
        fsync_directory(directory)
        return final


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _OpenFile:
    """The file being written, through its raw descriptor: no user-space buffer can hold a
    failed write's bytes and flush them later."""

    def __init__(self, path: Path, filename: str):
        self.path = path
        self.filename = filename
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        self.size = 0
        self.records = 0
        self.sha256 = hashlib.sha256()
        self.torn = False

    def append(self, data: bytes, records: int) -> int:
        """Write ``data`` whole or not at all; returns the offset it starts at."""
        offset = self.size
        try:
            view = memoryview(data)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
        except BaseException:
            try:
                os.ftruncate(self.fd, offset)
                os.lseek(self.fd, offset, os.SEEK_SET)
            except OSError:
                self.torn = True       # not cut back: never closed, repaired at the next start
            raise
        self.size += len(data)
        self.records += records
        self.sha256.update(data)
        return offset

    def close(self) -> None:
        if self.torn:
            os.close(self.fd)
            raise OSError(errno.EIO, "a failed write could not be cut back; left .open for "
                                     "repair", str(self.path))
        try:
            os.fsync(self.fd)
        finally:
            os.close(self.fd)


class WarcWriter:
    """Writes a crawl's records into rotating WARC files in ``directory``."""

    def __init__(self, directory: Path, *, prefix: str, max_size: int = 1_000_000_000,
                 warcinfo: Mapping[str, str] | None = None,
                 on_close: Callable[[ClosedWarc], None] | None = None,
                 hostname: str | None = None, gzip_level: int = 6,
                 previous: Mapping[str, Original] | None = None):
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.warcinfo = dict(warcinfo or {})
        self.on_close = on_close
        self.hostname = hostname or socket.gethostname()
        self.gzip_level = gzip_level
        self.previous = previous
        self._buffer = io.BytesIO()
        self._builder = Builder(self._buffer, gzip=False, warc_version="1.1")
        self._file: _OpenFile | None = None
        self._serial = 0
        self.bytes_written = 0          # across every file this writer wrote

    # -- building -------------------------------------------------------------------------
    def _member(self, record: ArcWarcRecord) -> bytes:
        """One record as its own gzip member."""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._builder.write_record(record)
        compressor = zlib.compressobj(self.gzip_level, zlib.DEFLATED, zlib.MAX_WBITS + 16)
        return compressor.compress(self._buffer.getvalue()) + compressor.flush()

    # -- files ----------------------------------------------------------------------------
    def _open(self) -> _OpenFile:
        self.directory.mkdir(parents=True, exist_ok=True)
        now = datetime.now(UTC)
        while True:
            filename = warc_filename(self.prefix, now, self._serial, self.hostname)
            self._serial += 1
            path = self.directory / (filename + OPEN_SUFFIX)
            if not path.exists() and not (self.directory / filename).exists():
                break
        opened = _OpenFile(path, filename)
        info = self._builder.create_warcinfo_record(filename, self.warcinfo)
        opened.append(self._member(info), 1)
        self.bytes_written += opened.size
        log.info("opened %s", path)
        return opened

    def write_exchange(self, exchange: HttpExchange) -> RecordLocation:
        """Write the exchange's response and request records; where the response landed."""
        response, request = exchange_records(self._builder, exchange, self.previous)
        first = self._member(response)
        data = first + self._member(request)
        if self._file is None:
            self._file = self._open()
        current = self._file
        offset = current.append(data, 2)
        self.bytes_written += len(data)
        location = RecordLocation(current.filename, offset, len(first),
                                  response.rec_type == "revisit")
        if current.size >= self.max_size:
            self.close()
        return location

    def write_resource(self, uri: str, content_type: str, body: bytes,
                       date: datetime) -> RecordLocation:
        """Write a ``resource`` record (a crawl's own product, such as a page's screenshot)."""
        when = date.astimezone(UTC).replace(tzinfo=None)
        record = self._builder.create_warc_record(
            uri, "resource", payload=io.BytesIO(body), length=len(body),
            warc_content_type=content_type,
            warc_headers_dict={"WARC-Date": datetime_to_iso_date(when, use_micros=True)})
        data = self._member(record)
        if self._file is None:
            self._file = self._open()
        current = self._file
        offset = current.append(data, 1)
        self.bytes_written += len(data)
        location = RecordLocation(current.filename, offset, len(data), False)
        if current.size >= self.max_size:
            self.close()
        return location

    def close(self) -> ClosedWarc | None:
        """Close the current file (fsync, rename away ``.open``); None if none is open."""
        current, self._file = self._file, None
        if current is None:
            return None
        current.close()
        final = close_as(current.path, current.filename)
        closed = ClosedWarc(final, final.name, current.size,
                            current.sha256.hexdigest(), current.records)
        log.info("closed %s: %d records, %d bytes", final.name, closed.records, closed.size)
        if self.on_close is not None:
            self.on_close(closed)
        return closed

    @property
    def current_path(self) -> Path | None:
        return self._file.path if self._file is not None else None
