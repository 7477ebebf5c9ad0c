"""The writer under a failing disk: a write that fails (ENOSPC after some bytes, as a full
disk does it) is cut back, so the file closes at its last whole record; a failed write that
cannot be cut back leaves the file ``.open`` for repair, never closed torn."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.warc_store.writer_helpers import make_exchange, make_writer, read_records
from warc_store import writer as writer_module
from warc_store.fixity import check_file
from warc_store.repair import repair_open_files

REAL_WRITE = os.write


def disk_of(room: int) -> Callable[[int, bytes], int]:
    """``os.write`` on a disk with ``room`` bytes left: a partial write, then ENOSPC."""
    left = [room]

    def write(fd: int, data: bytes) -> int:
        if left[0] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        n = REAL_WRITE(fd, bytes(data)[:left[0]])
        left[0] -= n
        return n
    return write


def fill(directory: Path, monkeypatch: pytest.MonkeyPatch, room: int) -> tuple[object, int]:
    monkeypatch.setattr(writer_module.os, "write", disk_of(room), raising=True)
    writer = make_writer(directory)
    written = 0
    with pytest.raises(OSError) as failure:
        for i in range(1000):
            writer.write_exchange(make_exchange(f"http://example.com/{i}", body=b"x%d" % i * 300))
            written += 1
    assert failure.value.errno == errno.ENOSPC
    return writer, written


def test_a_full_disk_leaves_whole_records_only(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    writer, written = fill(tmp_path, monkeypatch, room=20_000)
    monkeypatch.undo()
    closed = writer.close()                   # type: ignore[attr-defined]
    assert closed is not None and written > 3
    assert check_file(closed.path, closed.sha256).ok
    assert closed.records == 1 + 2 * written
    assert len(read_records(closed.path)) == closed.records


def test_a_failed_write_not_cut_back_is_left_open_for_repair(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_truncate(fd: int, size: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))
    monkeypatch.setattr(writer_module.os, "ftruncate", no_truncate, raising=True)
    writer, written = fill(tmp_path, monkeypatch, room=20_000)
    monkeypatch.undo()
    with pytest.raises(OSError, match="could not be cut back"):
        writer.close()                        # type: ignore[attr-defined]
    [left] = list(tmp_path.iterdir())
    assert left.name.endswith(".open")
    [repaired] = repair_open_files(tmp_path)
    # every whole record: the pairs written, and perhaps the failed pair's whole response
    assert repaired.records in (1 + 2 * written, 2 + 2 * written)
    assert check_file(repaired.path, None).ok
