"""Checking a WARC or ARC file from another tool before it is taken in.

A file is taken in only whole: every gzip member inflates to its end with a good CRC, every
record parses and holds all the bytes its header announces, and each record of a gzipped file
is its own gzip member (pywb reads a record at an offset; a whole-file gzip, as ``gzip
x.warc`` makes, cannot be replayed).  The SHA-256 is computed from the bytes checked: each
pass hashes what it reads, and passes that read different bytes reject the file.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from warc_store.reader import GZIP_MAGIC, WHOLE_FILE_GZIP

ARCHIVE_SUFFIXES = (".warc.gz", ".warc", ".arc.gz", ".arc")
BLOCK = 1 << 20


class Rejected(Exception):
    """The file is not taken in; the message is the reason (``truncated at offset N``)."""


@dataclass(frozen=True, slots=True)
class Checked:
    size: int
    sha256: str
    records: int
    format: str                 # "warc" | "arc"


def _blocks(fh: BinaryIO) -> Iterator[bytes]:
    while block := fh.read(BLOCK):
        yield block


def _members(path: Path) -> tuple[str, int, list[int]]:
    """(SHA-256, size, offsets of the gzip members) of the file; no members if not gzipped.
    Each member must inflate to its end (zlib checks its CRC and length)."""
    sha, size, starts = hashlib.sha256(), 0, []
    with path.open("rb") as fh:
        head = fh.read(3)
        gzipped = bool(head) and GZIP_MAGIC.startswith(head)    # a stub of one is cut short
        fh.seek(0)
        inflater: zlib._Decompress | None = None
        for block in _blocks(fh):
            sha.update(block)
            buf = block
            while gzipped and buf:
                if inflater is None:
                    inflater = zlib.decompressobj(31)
                    starts.append(size)
                try:
                    inflater.decompress(buf, BLOCK)
                except zlib.error as exc:
                    raise Rejected(f"corrupt gzip member at offset {starts[-1]} ({exc})") \
                        from None
                rest = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
                size += len(buf) - len(rest)
                buf = rest
                if inflater.eof:
                    inflater = None
            if not gzipped:
                size += len(block)
        if inflater is not None:
            raise Rejected(f"truncated at offset {starts[-1]}")
    return sha.hexdigest(), size, starts


class _Hashing:
    """A file read through warcio, hashed on the way (warcio only reads and tells)."""

    def __init__(self, fh: BinaryIO):
        self.fh, self.sha, self.pos = fh, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.sha.update(data)
        self.pos += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.fh.readline(size)
        self.sha.update(data)
        self.pos += len(data)
        return data

    def tell(self) -> int:
        return self.pos


def _records(path: Path, members: list[int]) -> tuple[str, int, str]:
    """(SHA-256, records, format): every record parsed by warcio and read to its end."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    count, end, fmt = 0, 0, ""
    member_set = set(members)
    with path.open("rb") as raw:
        fh = _Hashing(raw)
        records = ArchiveIterator(fh, no_record_parse=True)
        try:
            for rec in records:
                got = 0
                while block := rec.raw_stream.read(BLOCK):
                    got += len(block)
                records.read_to_end(rec)
                offset, length = records.member_info
                if rec.format.startswith("warc") and not rec.rec_headers.get_header(
                        "Content-Length"):
                    raise Rejected(f"truncated at offset {offset}")   # cut in its header
                if got < (rec.length or 0):
                    raise Rejected(f"truncated at offset {offset}")
                if records.err_count:
                    raise Rejected(f"the record before offset {offset + length} does not end "
                                   "where its length says")
                if members and offset not in member_set:
                    raise Rejected(f"several records in the gzip member before offset {offset}")
                fmt = fmt or rec.format
                count += 1
                end = offset + length
            for _ in iter(lambda: fh.read(BLOCK), b""):
                pass            # the rest, hashed (blank lines after the last record)
        except ArchiveLoadFailed as exc:
            if "non-chunked gzip" in str(exc):
                raise Rejected(WHOLE_FILE_GZIP if len(members) <= 1 else
                               f"several records in the gzip member at offset {end}") from None
            raise _unreadable(path, max(records.offset, end), exc) from None
        except (ValueError, EOFError, zlib.error) as exc:
            raise _unreadable(path, max(records.offset, end), exc) from None
    if count == 0:
        raise Rejected("no WARC or ARC records")
    fmt = "arc" if fmt.startswith("arc") else "warc"
    if not members:
        _check_tail(path, end)
    return fh.sha.hexdigest(), count, fmt


def _unreadable(path: Path, offset: int, exc: Exception) -> Rejected:
    """A record warcio cannot parse: cut in its header (no header end follows), or bad."""
    with path.open("rb") as fh:
        fh.seek(offset)
        rest = fh.read(BLOCK)
    if rest.startswith(b"WARC/") and b"\r\n\r\n" not in rest:
        return Rejected(f"truncated at offset {offset}")
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Rejected(f"unreadable record at offset {offset}: {first}")


def _check_tail(path: Path, end: int) -> None:
    """An uncompressed file ends after its last record's block with line ends only (other
    tools' files are lax about the CRLF CRLF): warcio takes a record cut in its header for
    the end of the file."""
    with path.open("rb") as fh:
        fh.seek(end)
        tail = fh.read(BLOCK)
    rest = tail.lstrip(b"\r\n")
    if rest:                            # a record cut in its header: warcio saw an end
        raise Rejected(f"truncated at offset {end + len(tail) - len(rest)}")


def check_archive(path: Path) -> Checked:
    """Check a ``.warc``, ``.warc.gz``, ``.arc`` or ``.arc.gz`` file; raises ``Rejected``."""
    if not path.name.endswith(ARCHIVE_SUFFIXES):
        raise Rejected("not a .warc, .warc.gz, .arc, .arc.gz or .wacz file")
    sha256, size, members = _members(path)
    if size == 0:
        raise Rejected("empty file")
    # a name that says .gz or not is not trusted (WACZ packages hold gzipped "x.warc" files):
    # readers, pywb's included, look at the bytes
    again, count, fmt = _records(path, members)
    if again != sha256:
        raise Rejected("the file changed while it was checked")
    return Checked(size, sha256, count, fmt)
