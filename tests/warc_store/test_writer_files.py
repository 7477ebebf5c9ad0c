"""WarcWriter's files: rotation, fixity, and whole-pair writes that leave nothing half-written.

Every file written here is read back with warcio's own reader and with ``warcio check``.
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

import warc_store.writer as writer_module
from tests.support import assert_warcio_check
from tests.warc_store.writer_helpers import (
    INFO,
    NAME_RX,
    make_exchange,
    make_writer,
    read_records,
    warcinfo_fields,
)
from warc_store.writer import ClosedWarc

# -- rotation and fixity -----------------------------------------------------------------------


def test_rotation_splits_into_complete_files(tmp_path: Path) -> None:
    closed_calls: list[ClosedWarc] = []
    max_size = 2500
    writer = make_writer(tmp_path, max_size=max_size, on_close=closed_calls.append)
    exchanges = [make_exchange(f"http://example.com/p{i}", body=bytes(range(256)) * (i % 3 + 1))
                 for i in range(12)]
    locations = [writer.write_exchange(ex) for ex in exchanges]
    calls_before_close = len(closed_calls)
    final = writer.close()
    if final is not None:               # the last file had not reached max_size
        assert closed_calls[-1] == final
        assert len(closed_calls) == calls_before_close + 1
    assert writer.close() is None
    assert len(closed_calls) == len(set(closed_calls)) == len(list(tmp_path.iterdir()))

    files = sorted(tmp_path.iterdir())
    assert len(files) >= 3
    assert not [p for p in files if p.name.endswith(".open")]
    assert sorted(c.path for c in closed_calls) == files
    assert len({c.filename for c in closed_calls}) == len(closed_calls)
    serials = [int(c.filename.split("-")[2]) for c in closed_calls]
    assert serials == sorted(serials) and len(set(serials)) == len(serials)

    seen: dict[str, str] = {}
    for closed in closed_calls:
        data = closed.path.read_bytes()
        assert NAME_RX.match(closed.filename)
        assert closed.size == len(data) == closed.path.stat().st_size
        assert closed.sha256 == hashlib.sha256(data).hexdigest()
        records = read_records(closed.path)
        assert closed.records == len(records)
        assert records[0]["type"] == "warcinfo"
        assert records[0]["warc"].get_header("WARC-Filename") == closed.filename
        assert warcinfo_fields(records[0]) == INFO
        assert [r["type"] for r in records[1:]] == ["response", "request"] * (
            (len(records) - 1) // 2)
        for rec in records[1:]:
            if rec["type"] == "response":
                uri = rec["warc"].get_header("WARC-Target-URI")
                assert uri not in seen
                seen[uri] = closed.filename
        assert_warcio_check(closed.path, len(records))
        in_file = [loc for loc in locations if loc.filename == closed.filename]
        assert in_file
        if closed is not final:
            # closed as soon as a pair took it to max_size, not before
            assert closed.size >= max_size
            assert in_file[-1].offset < max_size
    assert seen == {ex.url: loc.filename for ex, loc in zip(exchanges, locations, strict=True)}


def test_every_exchange_its_own_file_when_max_size_is_tiny(tmp_path: Path) -> None:
    closed_calls: list[ClosedWarc] = []
    writer = make_writer(tmp_path, max_size=1, on_close=closed_calls.append)
    for i in range(3):
        writer.write_exchange(make_exchange(f"http://example.com/{i}"))
        assert writer.current_path is None
        assert len(closed_calls) == i + 1
    assert writer.close() is None
    assert [c.records for c in closed_calls] == [3, 3, 3]
    assert len(list(tmp_path.iterdir())) == 3


def test_close_reports_size_and_sha256_of_the_file(tmp_path: Path) -> None:
    calls: list[ClosedWarc] = []
    writer = make_writer(tmp_path, on_close=calls.append)
    for i in range(4):
        writer.write_exchange(make_exchange(f"http://example.com/{i}"))
    closed = writer.close()
    assert closed is not None
    assert calls == [closed]
    data = closed.path.read_bytes()
    assert closed.size == len(data)
    assert closed.sha256 == hashlib.sha256(data).hexdigest()
    assert closed.records == 9
    assert writer.close() is None
    assert calls == [closed]


def test_gzip_level_changes_size_not_content(tmp_path: Path) -> None:
    body = b"<p>the same compressible paragraph, again and again</p>\n" * 400
    sizes = {}
    contents = {}
    for level in (0, 1, 9):
        writer = make_writer(tmp_path / str(level), gzip_level=level)
        writer.write_exchange(make_exchange(body=body))
        closed = writer.close()
        assert closed is not None
        sizes[level] = closed.size
        contents[level] = [
            (r["type"], r["warc"].get_header("WARC-Target-URI"),
             r["warc"].get_header("WARC-Date") if r["type"] != "warcinfo" else None,
             r["warc"].get_header("WARC-Block-Digest"),
             r["warc"].get_header("WARC-Payload-Digest"), r["content"])
            for r in read_records(closed.path)]
        assert_warcio_check(closed.path, 3)
    assert sizes[0] > len(body) > sizes[1] >= sizes[9]
    assert contents[0] == contents[1] == contents[9]
    assert contents[0][1][-1] == body


# -- whole-pair writes ---------------------------------------------------------------------


_real_write = os.write


class _HalfThenFail:
    """``os.write`` for the writer: writes half of the next write, then fails like a full
    disk (as a real short write followed by ENOSPC does)."""

    def __init__(self) -> None:
        self.armed = True

    def __call__(self, fd: int, data: Any) -> int:
        if self.armed:
            self.armed = False
            _real_write(fd, bytes(data[:len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return _real_write(fd, data)


def test_failed_write_is_truncated_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[ClosedWarc] = []
    writer = make_writer(tmp_path, on_close=calls.append)
    writer.write_exchange(make_exchange("http://example.com/before"))
    open_path = writer.current_path
    assert open_path is not None
    before = open_path.read_bytes()
    opened = writer._file
    assert opened is not None
    faulty = _HalfThenFail()
    monkeypatch.setattr(writer_module.os, "write", faulty)

    with pytest.raises(OSError, match="No space left"):
        writer.write_exchange(make_exchange("http://example.com/lost", body=b"x" * 5000))
    assert not faulty.armed
    assert open_path.read_bytes() == before
    assert opened.size == len(before)

    location = writer.write_exchange(make_exchange("http://example.com/after"))
    assert location.offset == len(before)
    closed = writer.close()
    assert closed is not None
    assert calls == [closed]
    data = closed.path.read_bytes()
    assert data.startswith(before)
    assert closed.size == len(data)
    assert closed.sha256 == hashlib.sha256(data).hexdigest()
    assert closed.records == 5
    records = read_records(closed.path)
    assert [r["warc"].get_header("WARC-Target-URI") for r in records[1:]] == [
        "http://example.com/before"] * 2 + ["http://example.com/after"] * 2
    assert records[3]["offset"] == location.offset
    assert records[3]["length"] == location.length
    assert_warcio_check(closed.path, 5)


class _DiskFull:
    """``os.write`` for the writer that fails every write while ``full`` is set."""

    full = False

    def __call__(self, fd: int, data: Any) -> int:
        if self.full:
            raise OSError(errno.ENOSPC, "No space left on device")
        return _real_write(fd, data)


def test_failed_write_on_a_still_full_disk_leaves_no_trace(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange("http://example.com/before"))
    opened = writer._file
    assert opened is not None
    before = opened.path.read_bytes()
    disk = _DiskFull()
    monkeypatch.setattr(writer_module.os, "write", disk)

    disk.full = True
    with pytest.raises(OSError):
        writer.write_exchange(make_exchange("http://example.com/lost"))
    assert opened.path.read_bytes() == before
    disk.full = False                   # space freed: the crawl goes on

    location = writer.write_exchange(make_exchange("http://example.com/after"))
    closed = writer.close()
    assert closed is not None
    data = closed.path.read_bytes()
    records = read_records(closed.path)
    assert [r["warc"].get_header("WARC-Target-URI") for r in records[1:]] == [
        "http://example.com/before"] * 2 + ["http://example.com/after"] * 2
    assert location.offset == len(before) == records[3]["offset"]
    assert closed.size == len(data)
    assert closed.sha256 == hashlib.sha256(data).hexdigest()

