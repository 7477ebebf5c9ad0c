"""repair_open_files: closing the ``.open`` files a crashed crawl left behind.

A crash is simulated by copying a live ``.open`` file's bytes and appending what a dying
process could leave: a torn gzip member (the first part of another record's bytes) and junk.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.support import assert_warcio_check
from warc_store.records import HttpExchange
from warc_store.repair import complete_prefix, repair_open_files
from warc_store.writer import ClosedWarc, WarcWriter

INFO = {"software": "Diancang/test", "isPartOf": "coll"}
GARBAGE = b"\x00\x01garbage left by a dying process\xff" * 3


def make_exchange(i: int, body: bytes) -> HttpExchange:
    return HttpExchange(
        url=f"http://example.com/{i}", method="GET", request_headers=[("Accept", "*/*")],
        request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
        response_headers=[("Content-Type", "application/octet-stream"),
                          ("Content-Length", str(len(body)))],
        body=body, ip_address="192.0.2.1",
        date=datetime(2024, 5, 6, 7, 8, 9, 1000 + i, tzinfo=UTC))


@dataclass
class Crash:
    open_name: str     # the live file's name, ending in .open
    final_name: str
    snapshot: bytes    # the .open file after ``pairs`` complete exchanges
    member: bytes      # the gzip member of the next response, to be torn
    urls: list[str]    # target URIs of the exchanges in the snapshot


def make_crash(directory: Path, pairs: int = 3, seed: int = 1) -> Crash:
    """A writer's ``.open`` file as it was after ``pairs`` exchanges, plus the next record."""
    rng = random.Random(seed)
    writer = WarcWriter(directory, prefix="t", hostname="crawler-1", warcinfo=INFO)
    urls = []
    for i in range(pairs):
        ex = make_exchange(i, rng.randbytes(3000))
        writer.write_exchange(ex)
        urls.append(ex.url)
    live = writer.current_path
    assert live is not None
    snapshot = live.read_bytes()
    location = writer.write_exchange(make_exchange(99, rng.randbytes(3000)))
    member = live.read_bytes()[location.offset:location.offset + location.length]
    writer.close()
    return Crash(live.name, location.filename, snapshot, member, urls)


def read_records(path: Path) -> list[tuple[str, str | None, bytes]]:
    out = []
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh, check_digests="raise"):
            out.append((rec.rec_type, rec.rec_headers.get_header("WARC-Target-URI"),
                        rec.content_stream().read()))
    return out


def assert_repaired(crash: Crash, directory: Path, result: list[ClosedWarc],
                    calls: list[ClosedWarc]) -> None:
    """The crashed file was cut back to the snapshot, renamed and reported."""
    final = directory / crash.final_name
    assert [c.path for c in result] == [final]
    assert calls == result
    closed = result[0]
    assert closed.filename == crash.final_name
    assert not (directory / crash.open_name).exists()
    data = final.read_bytes()
    assert data == crash.snapshot
    assert closed.size == len(crash.snapshot)
    assert closed.sha256 == hashlib.sha256(crash.snapshot).hexdigest()
    records = 1 + 2 * len(crash.urls)
    assert closed.records == records
    got = read_records(final)
    assert [(kind, uri) for kind, uri, _ in got] == [("warcinfo", None)] + [
        (kind, url) for url in crash.urls for kind in ("response", "request")]
    assert_warcio_check(final, records)


@pytest.fixture
def crash(tmp_path: Path) -> Crash:
    return make_crash(tmp_path / "live")


def test_crash_fixture_is_what_it_claims(crash: Crash) -> None:
    assert crash.open_name == crash.final_name + ".open"
    assert crash.member[:2] == b"\x1f\x8b"
    assert len(crash.member) > 3000


@pytest.mark.parametrize("tail", [
    pytest.param(GARBAGE, id="garbage"),
    pytest.param("torn-header", id="torn-gzip-header"),
    pytest.param("torn-header+garbage", id="torn-gzip-header-and-garbage"),
    pytest.param(b"", id="nothing"),
])
def test_repair_cuts_back_to_last_complete_record(tmp_path: Path, crash: Crash,
                                                  tail: Any) -> None:
    if tail == "torn-header":
        tail = crash.member[:10]
    elif tail == "torn-header+garbage":
        tail = crash.member[:10] + GARBAGE
    directory = tmp_path / "crashed"
    directory.mkdir()
    (directory / crash.open_name).write_bytes(crash.snapshot + tail)
    calls: list[ClosedWarc] = []
    result = repair_open_files(directory, calls.append)
    assert_repaired(crash, directory, result, calls)
    assert sorted(p.name for p in directory.iterdir()) == [crash.final_name]


@pytest.mark.parametrize("cut", ["half", "half+garbage", "no-gzip-trailer"])
def test_repair_drops_a_torn_record(tmp_path: Path, crash: Crash, cut: str) -> None:
    tail = {"half": crash.member[:len(crash.member) // 2],
            "half+garbage": crash.member[:len(crash.member) // 2] + GARBAGE,
            "no-gzip-trailer": crash.member[:-8]}[cut]
    directory = tmp_path / "crashed"
    directory.mkdir()
    (directory / crash.open_name).write_bytes(crash.snapshot + tail)
    calls: list[ClosedWarc] = []
    result = repair_open_files(directory, calls.append)
    assert_repaired(crash, directory, result, calls)


def test_complete_prefix(tmp_path: Path, crash: Crash) -> None:
    path = tmp_path / "x.warc.gz.open"
    path.write_bytes(crash.snapshot)
    assert complete_prefix(path) == (len(crash.snapshot), 7)
    path.write_bytes(crash.snapshot + GARBAGE)
    assert complete_prefix(path) == (len(crash.snapshot), 7)
    path.write_bytes(crash.member[:10])
    assert complete_prefix(path) == (0, 0)
    path.write_bytes(b"\x00junk\n")
    assert complete_prefix(path) == (0, 0)
    path.write_bytes(b"")
    assert complete_prefix(path) == (0, 0)


def test_file_with_only_warcinfo_is_removed(tmp_path: Path, crash: Crash) -> None:
    records = []
    with (tmp_path / "live" / crash.final_name).open("rb") as fh:
        iterator = ArchiveIterator(fh)
        for rec in iterator:
            iterator.read_to_end(rec)
            records.append((iterator.get_record_offset(), iterator.get_record_length()))
    warcinfo_only = crash.snapshot[:records[0][1]]
    assert records[0][0] == 0

    directory = tmp_path / "crashed"
    directory.mkdir()
    (directory / "a-only-info.warc.gz.open").write_bytes(warcinfo_only)
    (directory / "b-info-and-torn.warc.gz.open").write_bytes(
        warcinfo_only + crash.member[:10] + GARBAGE)
    (directory / "c-empty.warc.gz.open").write_bytes(b"")
    (directory / "d-junk.warc.gz.open").write_bytes(GARBAGE)
    calls: list[ClosedWarc] = []
    assert repair_open_files(directory, calls.append) == []
    assert calls == []
    assert list(directory.iterdir()) == []


def test_several_files_repaired_in_name_order_others_untouched(tmp_path: Path) -> None:
    first = make_crash(tmp_path / "one", pairs=2, seed=1)
    second = make_crash(tmp_path / "two", pairs=1, seed=2)
    directory = tmp_path / "crashed"
    directory.mkdir()
    # the two live files' names may sort either way: name them so the order is known
    names = ["a-" + first.final_name, "b-" + second.final_name]
    (directory / (names[1] + ".open")).write_bytes(second.snapshot + GARBAGE)
    (directory / (names[0] + ".open")).write_bytes(first.snapshot + second.member[:10])
    closed_before = directory / "closed-earlier.warc.gz"
    closed_before.write_bytes(b"not touched")
    other = directory / "notes.txt"
    other.write_bytes(b"not a warc")

    calls: list[ClosedWarc] = []
    result = repair_open_files(directory, calls.append)
    assert calls == result
    assert [c.filename for c in result] == names
    assert [c.path for c in result] == [directory / n for n in names]
    assert [c.records for c in result] == [5, 3]
    for closed, snapshot in zip(result, [first.snapshot, second.snapshot], strict=True):
        assert closed.path.read_bytes() == snapshot
        assert closed.size == len(snapshot)
        assert closed.sha256 == hashlib.sha256(snapshot).hexdigest()
        assert_warcio_check(closed.path, closed.records)
    assert closed_before.read_bytes() == b"not touched"
    assert other.read_bytes() == b"not a warc"
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [*names, "closed-earlier.warc.gz", "notes.txt"])
    # nothing left to do the second time
    assert repair_open_files(directory, calls.append) == []
    assert len(calls) == 2


def test_directory_without_open_files(tmp_path: Path) -> None:
    (tmp_path / "done.warc.gz").write_bytes(b"x")
    calls: list[ClosedWarc] = []
    assert repair_open_files(tmp_path, calls.append) == []
    assert repair_open_files(tmp_path) == []
    assert calls == []
    assert (tmp_path / "done.warc.gz").read_bytes() == b"x"


def test_missing_directory(tmp_path: Path) -> None:
    assert repair_open_files(tmp_path / "nope") == []
    assert not (tmp_path / "nope").exists()
    (tmp_path / "file").write_bytes(b"")
    assert repair_open_files(tmp_path / "file") == []


def test_without_on_close(tmp_path: Path, crash: Crash) -> None:
    directory = tmp_path / "crashed"
    directory.mkdir()
    (directory / crash.open_name).write_bytes(crash.snapshot + GARBAGE)
    result = repair_open_files(directory)
    assert [c.size for c in result] == [len(crash.snapshot)]
