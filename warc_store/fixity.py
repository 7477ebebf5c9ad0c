"""The fixity of one WARC (or ARC) file, read once: what ``diancang verify`` and repair see.

One pass over the file in large blocks feeds three checks from the same bytes:
- the SHA-256 of the whole file (compared with the catalogue's, when one is given),
- every gzip member inflated by its own ``zlib`` decompressor, which checks the member's CRC-32
  and length trailer; a file that ends inside a member (``warcio check`` passes one cut inside
  its last member) or holds bytes that are not a member is reported where that member starts,
- every WARC record's ``WARC-Block-Digest`` and ``WARC-Payload-Digest`` (where present; not a
  revisit's payload digest, which names the original's payload), computed from the inflated
  stream as it goes by, with no second read.

Nothing is written.  The result also says how far the file is sound from its start (whole
records in whole members): repair cuts an ``.open`` file back to exactly that.
"""

from __future__ import annotations

import base64
import hashlib
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BLOCK = 4 << 20            # bytes read at once
FIRST_PIECE = 16384        # a member's first input to zlib; later pieces grow fourfold
MAX_PIECE = 1 << 20
MAX_HEADER = 1 << 20       # a WARC (or HTTP) header longer than this is not one
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True, slots=True)
class Finding:
    offset: int          # of the gzip member (or, uncompressed, the record) at fault
    reason: str


@dataclass(slots=True)
class FileFixity:
    size: int
    sha256: str
    members: int = 0               # gzip members read (0: not gzip-compressed)
    records: int = 0               # WARC records read to their end
    digests: int = 0               # record digests compared (block and payload)
    whole: int = 0                 # bytes of the leading run of whole, sound records
    whole_records: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings


_B32 = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789abcdefghijklmnopqrstuv")
_HASHES = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha512": hashlib.sha512,
           "md5": hashlib.md5}
_FIELDS = re.compile(rb"\r\n(content-length|content-type|warc-type|warc-block-digest|"
                     rb"warc-payload-digest)[ \t]*:[ \t]*([^\r\n]*)", re.IGNORECASE)


def _digest_matches(value: str, data_hash: Any) -> bool:
    """Whether ``value`` (base32, as WARC writers write it; base16 or base64 also taken) is
    the digest ``data_hash`` computed."""
    digest: bytes = data_hash.digest()
    text = value.strip().rstrip("=")
    if len(text) * 5 // 8 == len(digest) and len(text) * 5 < len(digest) * 8 + 5:
        try:       # base32 through int(): the C parser, not base64's Python loop
            number = int(text.upper().encode("ascii").translate(_B32), 32)
            return number >> (len(text) * 5 - len(digest) * 8) == int.from_bytes(digest)
        except ValueError:
            return False
    if len(text) == 2 * len(digest):
        return text.lower() == digest.hex()
    return value.strip() == base64.b64encode(digest).decode("ascii")


def _hasher(label: str | None) -> tuple[Any, str] | None:
    """A fresh hash object for a ``WARC-*-Digest`` value, and the value; None if unknown."""
    if not label:
        return None
    algorithm, sep, value = label.partition(":")
    make = _HASHES.get(algorithm.strip().lower().replace("-", ""))
    if not sep or make is None:
        return None
    return make(), value


class _Records:
    """WARC records read from an inflated stream fed in arbitrary pieces."""

    def __init__(self, plain: bool):
        self.plain = plain             # uncompressed: offsets are positions in the stream
        self.head = bytearray()
        self.remaining = -1            # block bytes still to come; -1 between records
        self.offset = 0                # the current record's offset
        self.stopped = False           # not a WARC (an ARC), or unreadable: records not read
        self.findings: list[Finding] = []
        self.records = self.digests = 0
        self.arc = False
        self._block: tuple[Any, str] | None = None
        self._payload: tuple[Any, str] | None = None
        self._http: bytearray | None = None   # HTTP headers collected until their end
        self._length = 0

    @property
    def between(self) -> bool:
        return self.remaining < 0 and not self.head

    def whole_member(self, data: bytes, base: int) -> None:
        """A whole gzip member's data (the usual case: one record, as our writer writes them):
        the record read in one go; anything else goes the general way."""
        end = data.find(b"\r\n\r\n") if self.between and not self.stopped else -1
        if end < 0 or not data.startswith(b"WARC/"):
            self.feed(data, base)
            return
        self.offset = base
        self._start_record(data[:end])
        if self.remaining <= 0 or self.stopped:     # an empty block, or not a WARC record
            self.feed(data[end + 4:], base)
            return
        start = end + 4
        stop = start + self.remaining
        if len(data) < stop or data[stop:].strip(b"\r\n"):
            self.feed(data[start:], base)           # a record cut short, or more than one
            return
        self._block_bytes(data, memoryview(data), start, stop)
        self.remaining = 0
        self._end_record()

    def feed(self, data: bytes, base: int) -> None:
        """``data`` inflated from the member at ``base`` (or, uncompressed, found at ``base``)."""
        i, n = 0, len(data)
        view = memoryview(data)
        while i < n and not self.stopped:
            if self.remaining >= 0:
                take = min(self.remaining, n - i)
                self._block_bytes(data, view, i, i + take)
                self.remaining -= take
                i += take
                if self.remaining == 0:
                    self._end_record()
                continue
            if not self.head:                     # between records: skip the CRLF separator
                while i < n and data[i] in b"\r\n":
                    i += 1
                if i == n:
                    break
                self.offset = base + i if self.plain else base
                if data.startswith(b"filedesc://", i):   # an ARC file: no record digests
                    self.arc = self.stopped = True
                    break
                end = data.find(b"\r\n\r\n", i)
                if end >= 0:
                    self._start_record(data[i:end])
                    i = end + 4
                    continue
            seen = len(self.head)
            self.head += view[i:]
            end = self.head.find(b"\r\n\r\n", max(0, seen - 3))
            if end < 0:
                if len(self.head) > MAX_HEADER:
                    self._stop("no end of the WARC header")
                break
            i += end + 4 - seen
            self._start_record(bytes(self.head[:end]))
            self.head.clear()

    def _stop(self, reason: str) -> None:
        self.findings.append(Finding(self.offset, reason))
        self.stopped = True

    def _start_record(self, header: bytes) -> None:
        if not header.startswith(b"WARC/"):
            if header.startswith(b"filedesc://"):      # an ARC file: no record digests
                self.arc = self.stopped = True
                return
            self._stop("no WARC record header")
            return
        fields: dict[str, str] = {}
        for name, value in _FIELDS.findall(header):
            fields.setdefault(name.lower().decode("ascii"), value.strip().decode("latin-1"))
        try:
            length = int(fields.get("content-length", ""))
        except ValueError:
            self._stop("no valid Content-Length in the WARC header")
            return
        self._length = self.remaining = length
        self._block = _hasher(fields.get("warc-block-digest"))
        payload = fields.get("warc-payload-digest")
        self._payload = _hasher(payload) if fields.get("warc-type") != "revisit" else None
        http = (fields.get("content-type", "").lower().startswith("application/http")
                and fields.get("warc-type") in ("response", "request"))
        self._http = bytearray() if http and self._payload is not None else None
        if length == 0:
            self._end_record()

    def _block_bytes(self, data: bytes, view: memoryview, start: int, stop: int) -> None:
        chunk = view[start:stop]
        if self._block is not None:
            self._block[0].update(chunk)
        if self._payload is None:
            return
        if self._http is None:
            self._payload[0].update(chunk)
            return
        if not self._http:                   # the block's first bytes: look in place
            end = data.find(b"\r\n\r\n", start, stop)
            if end >= 0:
                self._payload[0].update(view[end + 4:stop])
                self._http = None
                return
        seen = len(self._http)
        self._http += chunk
        end = self._http.find(b"\r\n\r\n", max(0, seen - 3))
        if end >= 0:
            self._payload[0].update(memoryview(self._http)[end + 4:])
            self._http = None
        elif len(self._http) > MAX_HEADER:
            self._http, self._payload = None, None     # no HTTP header end: not checked

    def _end_record(self) -> None:
        self.remaining = -1
        self.records += 1
        if self._http is not None:       # the block ended inside its HTTP headers
            self._payload = None
        for kind, check in (("block", self._block), ("payload", self._payload)):
            if check is None:
                continue
            self.digests += 1
            if not _digest_matches(check[1], check[0]):
                self.findings.append(Finding(self.offset, f"WARC record's {kind} digest differs "
                                                          f"from its WARC-{kind.title()}-Digest"))
        self._block = self._payload = self._http = None

    def finish(self) -> None:
        if self.stopped:
            return
        if self.remaining >= 0:
            self.findings.append(Finding(self.offset, f"WARC record ends after "
                                         f"{self._length - self.remaining} of its "
                                         f"{self._length} content bytes"))
        elif self.head.strip(b"\r\n"):
            self.findings.append(Finding(self.offset, "file ends inside a WARC record header"))


class _Members:
    """Gzip members inflated one by one from blocks of the file, each by its own inflater."""

    def __init__(self, records: _Records, result: FileFixity):
        self.records = records
        self.result = result
        self.inflater: Any = None
        self.start = 0                 # offset of the member being inflated
        self.piece = FIRST_PIECE
        self.fed = 0                   # input bytes given to the current inflater
        self.broken = False

    def feed(self, block: bytes, base: int) -> None:
        view = memoryview(block)
        i, n = 0, len(block)
        result = self.result
        while i < n and not self.broken:
            if self.inflater is None:
                self.inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
                self.start = base + i
                self.piece = FIRST_PIECE
                self.fed = 0
                result.members += 1
            piece = view[i:i + self.piece]
            try:
                data = self.inflater.decompress(piece)
            except zlib.error as exc:
                if self.fed == 0 and bytes(piece[:2]) != GZIP_MAGIC:
                    self._fail(f"bytes that are not a gzip member ({exc})")
                else:
                    self._fail(f"gzip member does not inflate ({exc})")
                return
            self.fed += len(piece)
            if self.inflater.eof and self.fed == len(piece):     # inflated whole in one go
                self.records.whole_member(data, self.start)
            elif data:
                self.records.feed(data, self.start)
            if not self.inflater.eof:
                i += len(piece)
                self.piece = min(self.piece * 4, MAX_PIECE)
                continue
            i += len(piece) - len(self.inflater.unused_data)
            self.inflater = None
            if not result.findings and not self.records.findings and self.records.between:
                result.whole, result.whole_records = base + i, self.records.records

    def _fail(self, reason: str) -> None:
        self.result.findings.append(Finding(self.start, reason))
        self.broken = True
        self.records.stopped = True

    def finish(self) -> None:
        if self.inflater is not None and not self.broken:
            self._fail("the file ends inside this gzip member (truncated)")


def file_size_sha256(path: Path) -> tuple[int, str]:
    """The size and SHA-256 of a file's bytes, read in large blocks (no other check)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb", buffering=0) as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
            size += len(block)
    return size, digest.hexdigest()


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read in large blocks (no other check)."""
    return file_size_sha256(path)[1]


def check_file(path: Path, expected_sha256: str | None) -> FileFixity:
    """Read ``path`` once and report every fault found (see the module's docstring)."""
    digest = hashlib.sha256()
    with open(path, "rb", buffering=0) as fh:
        first = fh.read(BLOCK)
        gzipped = first[:2] == GZIP_MAGIC
        records = _Records(plain=not gzipped)
        result = FileFixity(size=0, sha256="")
        members = _Members(records, result) if gzipped else None
        block, base = first, 0
        while block:
            digest.update(block)
            if members is not None:
                members.feed(block, base)
            else:
                records.feed(block, base)
                if records.between and not records.findings:
                    result.whole, result.whole_records = base + len(block), records.records
            base += len(block)
            block = fh.read(BLOCK)
    if members is not None:
        members.finish()
    if not result.findings:
        records.finish()
    result.size = base
    result.sha256 = digest.hexdigest()
    result.records, result.digests = records.records, records.digests
    result.findings += records.findings
    if base == 0:
        result.findings.append(Finding(0, "empty file"))
    if expected_sha256 is not None and expected_sha256.lower() != result.sha256:
        result.findings.insert(0, Finding(0, f"SHA-256 is {result.sha256}, not the "
                                             f"{expected_sha256} recorded at close"))
    result.findings.sort(key=lambda f: f.offset)
    return result
