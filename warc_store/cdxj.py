"""CDXJ indexes for pywb, and reading them back.

One index per WARC file (``indexes/<warc name>.cdxj``): pywb reads every CDXJ file in a
collection's ``indexes/`` directory, and a per-file index makes indexing a closed file
incremental and idempotent.

The lines are pywb's own: ``cdxj_line`` builds, from a record of the fast reader
(``warc_store.reader``), exactly the line pywb's indexer (``write_cdx_index`` with
``cdxj=True, append_post=True``) writes for it -- a test compares them line for line.  Records
the fast path does not mirror (POST/PUT requests, whose bodies pywb folds into the key, and
odd status lines) make ``index_warc`` hand the whole file to pywb's indexer instead, as it
does for files the fast reader does not read.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import surt
from pywb.indexer.cdxindexer import write_cdx_index
from warcio.exceptions import ArchiveLoadFailed
from warcio.timeutils import iso_date_to_timestamp

from warc_store.reader import (
    WHOLE_FILE_GZIP,
    Corrupt,
    Record,
    Unreadable,
    Unsupported,
    http_of,
    iter_records,
)

_MIME_SPLIT = re.compile("[; ]")
_SKIPPED_TYPES = ("warcinfo", "request")


@dataclass(frozen=True, slots=True)
class CdxjEntry:
    urlkey: str
    timestamp: str
    url: str
    status: str | None
    mime: str | None
    digest: str | None
    length: int
    offset: int
    filename: str
    extra: dict[str, Any] = field(default_factory=dict)


class NotMirrored(Exception):
    """A record whose pywb line the fast path does not build; pywb indexes the file."""


_ISO_DATE = re.compile(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)")


def timestamp14(warc_date: str) -> str:
    """The 14-digit timestamp of a WARC-Date (as warcio's ``iso_date_to_timestamp``)."""
    match = _ISO_DATE.match(warc_date)
    return "".join(match.groups()) if match else iso_date_to_timestamp(warc_date)


def cdxj_fields(record: Record) -> tuple[str, str, dict[str, str]] | None:
    """(urlkey, timestamp, JSON fields) of pywb's line for a record; None where pywb writes none.

    Raises ``NotMirrored`` for records pywb treats in ways not mirrored here.
    """
    rtype = record.type
    headers = record.headers
    if rtype == "request":
        if not record.block.startswith((b"GET ", b"HEAD ")) and http_of(record) is not None:
            raise NotMirrored("a request with a body")
        return None
    if rtype in _SKIPPED_TYPES or not rtype:
        return None
    if headers.get("content-type") == "application/warc-fields":
        return None
    url = record.url
    if not url:
        return None
    http = http_of(record)
    if http is None:
        if rtype in ("response", "revisit") and record.block and url.startswith(("http:",
                                                                                 "https:")):
            raise NotMirrored("an HTTP record without HTTP headers")
        content_type = headers.get("content-type")
        status = "200"
    else:
        content_type = http.header("content-type")
        status = http.status
        if not http.protocol.upper().startswith("HTTP/"):
            raise NotMirrored(f"status line {http.protocol!r}")
    if status == "-":
        return None
    # pywb's entry is an ordered dict that begins with "metadata" (empty unless the record
    # has WARC-Json-Metadata); empty and "-" values are left out of the line
    fields: dict[str, str] = {"metadata": headers.get("warc-json-metadata", ""), "url": url}
    if rtype == "revisit":
        fields["mime"] = "warc/revisit"
    else:
        fields["mime"] = _MIME_SPLIT.split(content_type, 1)[0] if content_type else "unk"
        detected = headers.get("warc-identified-payload-type")
        if detected:
            fields["mime-detected"] = detected
    if rtype == "response" and status and status != "-" and not (
            status == "204" and http is not None and "Error" in http.statusline):
        fields["status"] = status
    digest = headers.get("warc-payload-digest")
    if digest:
        fields["digest"] = digest.removeprefix("sha1:")
    elif rtype not in ("revisit", "request", "warcinfo"):
        raise NotMirrored("no WARC-Payload-Digest (pywb would hash the payload)")
    fields["length"] = str(record.length)
    fields["offset"] = str(record.offset)
    fields = {k: v for k, v in fields.items() if v and v != "-"}
    return surt.surt(url), timestamp14(headers.get("warc-date", "")), fields


def cdxj_line(record: Record, filename: str) -> str | None:
    found = cdxj_fields(record)
    if found is None:
        return None
    urlkey, timestamp, fields = found
    fields["filename"] = filename
    return f"{urlkey} {timestamp} {json.dumps(fields)}\n"


def cdxj_lines(records: Iterable[Record | Corrupt], filename: str) -> list[str]:
    """pywb's sorted CDXJ lines for these records (corrupt members have none)."""
    lines = [line for rec in records if isinstance(rec, Record)
             and (line := cdxj_line(rec, filename)) is not None]
    lines.sort()
    return lines


def write_index_lines(cdxj: Path, lines: list[str]) -> None:
    """Write sorted lines as the index, atomically (no ``.tmp`` is left on failure)."""
    tmp = cdxj.with_name(cdxj.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            fh.writelines(lines)
        os.replace(tmp, cdxj)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def index_warc_pywb(warc: Path, cdxj: Path) -> int:
    """The sorted CDXJ index of one WARC or ARC file by pywb's own indexer; returns its line
    count.  A file pywb cannot index raises ``Unreadable`` and leaves no index behind."""
    tmp = cdxj.with_name(cdxj.name + ".tmp")
    try:
        with warc.open("rb") as infile, tmp.open("wb") as outfile:
            write_cdx_index(outfile, infile, warc.name, cdxj=True, sort=True,
                            include_all=False, append_post=True)
    except (ArchiveLoadFailed, ValueError, EOFError, zlib.error) as exc:
        tmp.unlink(missing_ok=True)
        reason = str(exc)
        if "non-chunked gzip" in reason:
            reason = WHOLE_FILE_GZIP
        raise Unreadable(f"pywb's indexer: {reason.strip().splitlines()[0]}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, cdxj)
    with cdxj.open("rb") as fh:
        return sum(1 for _ in fh)


def write_cdxj(warc: Path, cdxj: Path, records: Iterable[Record | Corrupt] | None = None) -> int:
    """Write the index from records already read (or read now); pywb's indexer where needed."""
    try:
        lines = cdxj_lines(iter_records(warc) if records is None else records, warc.name)
    except (Unsupported, NotMirrored):
        return index_warc_pywb(warc, cdxj)
    write_index_lines(cdxj, lines)
    return len(lines)


def index_warc(warc: Path, cdxj: Path) -> int:
    """Write the sorted CDXJ index of one WARC file atomically; returns its line count."""
    return write_cdxj(warc, cdxj)


def parse_line(line: str) -> CdxjEntry:
    urlkey, timestamp, rest = line.rstrip("\n").split(" ", 2)
    data = json.loads(rest)
    known = {"url", "status", "mime", "digest", "length", "offset", "filename"}
    return CdxjEntry(urlkey=urlkey, timestamp=timestamp, url=data.get("url", ""),
                     status=data.get("status"), mime=data.get("mime"),
                     digest=data.get("digest"), length=int(data.get("length", 0)),
                     offset=int(data.get("offset", 0)), filename=data.get("filename", ""),
                     extra={k: v for k, v in data.items() if k not in known})


def iter_cdxj(path: Path) -> Iterator[CdxjEntry]:
    with path.open("r", encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("!"):
                yield parse_line(line)
