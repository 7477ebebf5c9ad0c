"""A fast reader of ``.warc.gz`` files written one record per gzip member (as ours are).

warcio reads any WARC, through layers of buffered Python readers.  The indexer reads every
file it indexes, so this reader takes the common case directly: it inflates one gzip member
at a time with zlib (so each record's offset and compressed length come for free), splits the
WARC and HTTP headers itself and hands over the content block as bytes.  Digests are taken
from the ``WARC-Payload-Digest`` header, never recomputed.

A member that does not inflate, or whose record is malformed, is reported as a ``Corrupt``
item naming its offset, and reading goes on from the next gzip member that holds a record.
Files it does not handle (uncompressed WARCs, several records in one member) raise
``Unsupported`` (perhaps after some records): callers then start over with
``iter_records_warcio``, which reads anything warcio reads, more slowly.
"""

from __future__ import annotations

import mmap
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from warc_store.decoding import ENCODINGS, DecodeError, decode

GZIP_MAGIC = b"\x1f\x8b\x08"
CHUNK = 32 * 1024
HTTP_SCHEMES = ("http:", "https:")


class Unsupported(Exception):
    """This file is not a per-record gzipped WARC; read it with warcio instead."""


class Unreadable(Exception):
    """No record of this file can be read alone (pywb could not replay it): the reason."""


WHOLE_FILE_GZIP = "whole-file gzip"


@dataclass(slots=True)
class Record:
    offset: int                   # of the record's gzip member in the file
    length: int                   # compressed length of that member
    headers: dict[str, str]       # WARC headers, lower-case names, first value of each
    block: bytes                  # the content block (HTTP headers + payload for HTTP records)

    @property
    def type(self) -> str:
        return self.headers.get("warc-type", "")

    @property
    def url(self) -> str:
        return self.headers.get("warc-target-uri", "").strip("<>")


@dataclass(frozen=True, slots=True)
class Corrupt:
    offset: int
    error: str


@dataclass(slots=True)
class Http:
    """An HTTP message's first line split like warcio splits it, and its headers."""
    protocol: str
    statusline: str               # after the protocol ("200 OK"), or a request's target
    headers: list[tuple[str, str]]
    body_start: int               # where the payload starts in the record's block

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def status(self) -> str:
        return self.statusline.split(" ", 1)[0]


def decode_header(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


def parse_http(block: bytes) -> Http | None:
    """The HTTP status (or request) line and headers at the start of a block, or None."""
    end = block.find(b"\r\n\r\n")
    if end < 0:
        return None
    lines = decode_header(block[:end]).split("\r\n")
    first = lines[0].strip()
    if not first:
        return None
    protocol, _, rest = first.partition(" ")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:        # a folded continuation line
            name, value = headers[-1]
            headers[-1] = (name, value + line.rstrip())
            continue
        name, sep, value = line.rstrip().partition(":")
        if sep:
            headers.append((name.rstrip(" \t"), value.lstrip()))
    return Http(protocol, rest.strip(), headers, end + 4)


def _parse_record(data: bytes, offset: int, length: int) -> Record:
    end = data.find(b"\r\n\r\n")
    if not data.startswith(b"WARC/") or end < 0:
        raise ValueError("no WARC header at the start of the member")
    headers: dict[str, str] = {}
    for line in decode_header(data[:end]).split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"malformed WARC header line {line[:60]!r}")
        headers.setdefault(name.strip().lower(), value.strip())
    try:
        size = int(headers["content-length"])
    except (KeyError, ValueError):
        raise ValueError("no valid Content-Length") from None
    start = end + 4
    block = data[start:start + size]
    if len(block) != size:
        raise ValueError(f"record ends after {len(block)} of {size} content bytes")
    if data[start + size:].strip(b"\r\n"):
        raise Unsupported("more than one record in a gzip member")
    return Record(offset, length, headers, block)


def _inflate(buf: mmap.mmap, pos: int) -> tuple[bytes, int]:
    """The data of the gzip member starting at ``pos`` and the member's compressed length."""
    inflater = zlib.decompressobj(31)
    parts = []
    fed = pos
    size = len(buf)
    while not inflater.eof:
        if fed >= size:
            raise ValueError("the gzip member is truncated")
        chunk = buf[fed:fed + CHUNK]
        fed += len(chunk)
        parts.append(inflater.decompress(chunk))
    return b"".join(parts), fed - len(inflater.unused_data) - pos


def iter_records(path: Path) -> Iterator[Record | Corrupt]:
    """Every record of a ``.warc.gz`` file, and a ``Corrupt`` item for each broken member."""
    with path.open("rb") as fh:
        if fh.read(3) != GZIP_MAGIC:
            raise Unsupported(f"{path.name} is not gzip-compressed")
        size = fh.seek(0, 2)
        if size == 0:
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            pos = 0
            while pos < size:
                try:
                    data, length = _inflate(buf, pos)
                    if pos == 0 and not data.startswith(b"WARC/"):
                        raise Unsupported(f"{path.name} does not begin with a WARC record")
                    record = _parse_record(data, pos, length)
                except (zlib.error, ValueError) as exc:
                    yield Corrupt(pos, str(exc))
                    pos = _resync(buf, pos + 1)
                    continue
                yield record
                pos += length


def _resync(buf: mmap.mmap, start: int) -> int:
    """The offset of the next gzip member that inflates to a WARC record (or the end)."""
    pos = buf.find(GZIP_MAGIC, start)
    while pos >= 0:
        try:
            head = zlib.decompressobj(31).decompress(buf[pos:pos + 512], 16)
        except zlib.error:
            head = b""
        if head.startswith(b"WARC/"):
            return pos
        pos = buf.find(GZIP_MAGIC, pos + 1)
    return len(buf)


def http_of(record: Record) -> Http | None:
    """The record's HTTP headers, where warcio would parse some (HTTP records of http URLs)."""
    if record.type not in ("response", "request", "revisit") or not record.block:
        return None
    if not record.url.startswith(HTTP_SCHEMES):
        return None
    return parse_http(record.block)


def iter_records_warcio(path: Path) -> Iterator[Record | Corrupt]:
    """The same items as ``iter_records``, read by warcio (any WARC or ARC it reads; ARC
    records come with the WARC headers warcio gives them).  A whole-file gzip raises
    ``Unreadable``; any other unreadable rest of the file is one ``Corrupt`` item at the end
    of the last whole record."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    with path.open("rb") as fh:
        records = ArchiveIterator(fh, no_record_parse=True, arc2warc=True)
        end = 0
        try:
            for rec in records:
                block = rec.raw_stream.read()
                records.read_to_end(rec)
                offset, length = records.member_info
                headers: dict[str, str] = {}
                for name, value in rec.rec_headers.headers:
                    headers.setdefault(name.lower(), value)
                end = offset + length
                yield Record(offset, length, headers, block)
        except ArchiveLoadFailed as exc:
            if "non-chunked gzip" in str(exc):
                raise Unreadable(f"{WHOLE_FILE_GZIP}: its records are not each their own "
                                 "gzip member, so none can be read alone") from None
            yield Corrupt(end, f"{_first_line(exc)}; the rest of the file is not read")
        except (ValueError, zlib.error, EOFError) as exc:
            yield Corrupt(end, f"{_first_line(exc)}; the rest of the file is not read")


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def record_spans(path: Path) -> Iterator[tuple[int, int, str]]:
    """(offset, length, WARC type) of every record, as warcio reads the file."""
    from warcio.archiveiterator import ArchiveIterator

    with path.open("rb") as fh:
        records = ArchiveIterator(fh, no_record_parse=True)
        for rec in records:
            records.read_to_end(rec)
            offset, length = records.member_info
            yield offset, length, rec.rec_type


def payload(block: bytes, http: Http, limit: int) -> tuple[bytes, bool]:
    """The payload as the server meant it, de-chunked and decompressed, at most ``limit``
    bytes, and whether there was more (bodies are archived as they came off the wire, so this
    undoes both encodings).  Decompression goes in steps up to the cap, so a small body that
    expands to gigabytes costs ``limit`` bytes.  An undecodable body comes back raw, as a
    browser would show it."""
    from io import BytesIO

    from warcio.bufferedreaders import ChunkedDataReader

    raw = block[http.body_start:]
    if "chunked" in (http.header("transfer-encoding") or "").lower():
        try:
            raw = ChunkedDataReader(BytesIO(raw)).read()      # never larger than the block
        except Exception:  # noqa: BLE001 - malformed chunking: the bytes as stored
            raw = block[http.body_start:]
    encoding = (http.header("content-encoding") or "").strip().lower()
    if encoding in ENCODINGS:
        try:
            return decode(raw, encoding, limit)
        except DecodeError:
            pass
    return raw[:limit], len(raw) > limit


def read_record(path: Path, offset: int) -> Record:
    """The one record whose gzip member starts at ``offset`` (a capture's place in its file):
    a 304's crawl reads its original back this way.  Raises ``ValueError`` (or ``OSError``)
    when it is not there."""
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        try:
            data, length = _inflate(buf, offset)
        except zlib.error as exc:
            raise ValueError(f"{path.name}: offset {offset}: {exc}") from None
    return _parse_record(data, offset, length)


def stored_response(record: Record) -> tuple[Http, bytes] | None:
    """A response record's HTTP head and its body as it came off the wire (de-chunked, still
    content-encoded), or None when it holds no HTTP response."""
    http = http_of(record) if record.type == "response" else None
    if http is None:
        return None
    from io import BytesIO

    from warcio.bufferedreaders import ChunkedDataReader

    body = record.block[http.body_start:]
    if "chunked" in (http.header("transfer-encoding") or "").lower():
        try:
            body = ChunkedDataReader(BytesIO(body)).read()
        except Exception:  # noqa: BLE001 - malformed chunking: the bytes as stored
            body = record.block[http.body_start:]
    return http, body
