"""Closing the ``.open`` WARC files a crashed or killed crawl left behind.

Each file is cut back to its last complete record (the tail of a record that was being
written when the process died is dropped), then fsynced, renamed to its final name and
reported like any other closed file.  A file holding nothing but its warcinfo is removed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from warc_store.writer import OPEN_SUFFIX, ClosedWarc, fsync_directory

log = logging.getLogger(__name__)


def _whole_member(fh: BinaryIO, offset: int, length: int) -> bool:
    """Whether bytes [offset, offset+length) are one complete gzip member (trailer included)."""
    position = fh.tell()
    fh.seek(offset)
    data = fh.read(length)
    fh.seek(position)
    inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
    try:
        inflater.decompress(data)
    except zlib.error:
        return False
    return inflater.eof and not inflater.unused_data


def complete_prefix(path: Path) -> tuple[int, int]:
    """(bytes, records) of the file's leading run of complete records: each one's digests
    verify (a torn body does not) and each one's gzip member is whole."""
    end = records = 0
    with path.open("rb") as fh, path.open("rb") as check:
        iterator = ArchiveIterator(fh, check_digests="raise")
        try:
            for record in iterator:
                iterator.read_to_end(record)
                offset, length = iterator.get_record_offset(), iterator.get_record_length()
                if not _whole_member(check, offset, length):
                    raise ArchiveLoadFailed(f"incomplete gzip member at offset {offset}")
                end = offset + length
                records += 1
        except (ArchiveLoadFailed, EOFError, OSError, ValueError) as exc:
            log.warning("%s: stops being readable after %d bytes (%s)", path.name, end, exc)
    return end, records


def repair_open_files(directory: Path,
                      on_close: Callable[[ClosedWarc], None] | None = None) -> list[ClosedWarc]:
    directory = Path(directory)
    if not directory.is_dir():
        return []
    repaired: list[ClosedWarc] = []
    for path in sorted(directory.glob("*" + OPEN_SUFFIX)):
        end, records = complete_prefix(path)
        if records <= 1:
            log.warning("%s: nothing but its warcinfo survived; removed", path.name)
            path.unlink()
            continue
        with path.open("r+b") as fh:
            fh.truncate(end)
            fh.flush()
            os.fsync(fh.fileno())
        final = path.with_name(path.name[:-len(OPEN_SUFFIX)])
        os.replace(path, final)
        fsync_directory(directory)
        digest = hashlib.sha256()
        with final.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        closed = ClosedWarc(final, final.name, end, digest.hexdigest(), records)
        log.info("repaired %s: %d records, %d bytes", final.name, records, end)
        if on_close is not None:
            on_close(closed)
        repaired.append(closed)
    return repaired
