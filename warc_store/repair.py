"""Closing the ``.open`` WARC files a crashed or killed crawl left behind.

Each file is cut back to its longest run of whole records from its start (whole gzip members
holding whole records whose digests verify: ``warc_store.fixity``, which reads any bytes
without raising), then fsynced and given its final name, another one if that name is taken
(a closed file is never replaced), and reported like any other closed file.  A file holding
nothing but its warcinfo is removed.  A file that cannot be repaired (a disk error) is left as
it is, with an ERROR in the log, for the next start to try again.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from warc_store.fixity import check_file, file_sha256
from warc_store.writer import OPEN_SUFFIX, ClosedWarc, close_as

log = logging.getLogger(__name__)


def complete_prefix(path: Path) -> tuple[int, int]:
    """(bytes, records) of the file's leading run of whole, sound records."""
    result = check_file(path, None)
    if result.findings:
        first = result.findings[0]
        log.warning("%s: stops being whole after %d bytes (offset %d: %s)", path.name,
                    result.whole, first.offset, first.reason)
    return result.whole, result.whole_records


def _repair(path: Path) -> ClosedWarc | None:
    name = path.name[:-len(OPEN_SUFFIX)]
    final = path.with_name(name)
    if final.exists() and os.path.samefile(path, final):
        # the writer died between naming the closed file and removing the .open name
        path.unlink()
        _, records = complete_prefix(final)
        log.warning("%s was closed already; its .open name removed", name)
        return ClosedWarc(final, name, final.stat().st_size, file_sha256(final), records)
    end, records = complete_prefix(path)
    if records <= 1:
        log.warning("%s: nothing but its warcinfo survived; removed", path.name)
        path.unlink()
        return None
    with path.open("r+b") as fh:
        fh.truncate(end)
        fh.flush()
        os.fsync(fh.fileno())
    final = close_as(path, name)
    closed = ClosedWarc(final, final.name, end, file_sha256(final), records)
    log.info("repaired %s: %d records, %d bytes", final.name, records, end)
    return closed


def repair_open_files(directory: Path,
                      on_close: Callable[[ClosedWarc], None] | None = None,
                      prefix: str | None = None) -> list[ClosedWarc]:
    """Repair the ``.open`` files of ``directory`` (only those a writer of ``prefix`` left, when
    given: a worker of a distributed crawl repairs its own, never a live worker's)."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    repaired: list[ClosedWarc] = []
    own = re.compile(re.escape(prefix) + r"-\d{17}-") if prefix is not None else None
    for path in sorted(directory.glob("*" + OPEN_SUFFIX)):
        if own is not None and not own.match(path.name):
            continue
        try:
            closed = _repair(path)
        except OSError as exc:
            log.error("%s: could not be repaired, left as it is: %s", path.name, exc)
            continue
        if closed is None:
            continue
        if on_close is not None:
            on_close(closed)
        repaired.append(closed)
    return repaired
