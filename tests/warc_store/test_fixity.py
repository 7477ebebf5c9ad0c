"""warc_store.fixity: one read of a file finds what changed, where, and why; and how far the
file is sound (what repair keeps).  Files are written by our writer and by warcio; damage is
done to copies, as bit rot, a cut copy or a careless edit would."""

from __future__ import annotations

import gzip
import hashlib
import io
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from tests.support import warcio_check
from tests.warc_store.writer_helpers import make_exchange, make_writer
from warc_store.fixity import check_file


def members(path: Path) -> list[tuple[int, int]]:
    """(offset, length) of every record's gzip member, as warcio reads them."""
    out = []
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        for rec in iterator:
            iterator.read_to_end(rec)
            out.append((iterator.get_record_offset(), iterator.get_record_length()))
    return out


@pytest.fixture
def warc(tmp_path: Path) -> Path:
    writer = make_writer(tmp_path / "w")
    for i in range(4):
        writer.write_exchange(make_exchange(f"http://example.com/{i}",
                                            body=b"<html>%d</html>" % i * (200 + i)))
    writer.write_exchange(make_exchange("http://example.com/form", method="POST",
                                        request_body=b"q=1&r=2"))
    closed = writer.close()
    assert closed is not None
    return closed.path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_sound_file_holds(warc: Path) -> None:
    result = check_file(warc, sha256(warc))
    assert result.ok, result.findings
    assert result.size == warc.stat().st_size and result.sha256 == sha256(warc)
    assert result.members == result.records == 11          # warcinfo + 5 pairs
    # warcinfo: block; responses: block + payload; the POST: block + payload; GETs: block
    assert result.digests == 1 + 5 * 2 + 2 + 4
    assert (result.whole, result.whole_records) == (result.size, 11)


def test_a_changed_sha256_is_named(warc: Path) -> None:
    result = check_file(warc, "0" * 64)
    assert [(f.offset, f.reason) for f in result.findings] == [
        (0, f"SHA-256 is {sha256(warc)}, not the {'0' * 64} recorded at close")]


def test_a_cut_inside_the_last_member_fails_though_warcio_check_passes(warc: Path,
                                                                         tmp_path: Path) -> None:
    offset, length = members(warc)[-1]
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(warc.read_bytes()[:offset + length - 5])     # the gzip trailer, cut
    assert warcio_check(cut).returncode == 0
    result = check_file(cut, None)
    assert [(f.offset, f.reason) for f in result.findings] == [
        (offset, "the file ends inside this gzip member (truncated)")]
    assert (result.whole, result.whole_records) == (offset, 10)


def test_a_flipped_bit_names_its_member(warc: Path, tmp_path: Path) -> None:
    offset, length = members(warc)[3]
    data = bytearray(warc.read_bytes())
    data[offset + length // 2] ^= 0x10
    rotten = tmp_path / "rotten.warc.gz"
    rotten.write_bytes(bytes(data))
    result = check_file(rotten, sha256(warc))
    assert [f.offset for f in result.findings] == [0, offset]
    assert result.findings[1].reason.startswith("gzip member does not inflate")
    assert result.whole == offset


def test_a_wrong_crc_is_found(warc: Path, tmp_path: Path) -> None:
    offset, length = members(warc)[2]
    data = bytearray(warc.read_bytes())
    data[offset + length - 8] ^= 0xFF                 # the member's stored CRC-32
    bad = tmp_path / "crc.warc.gz"
    bad.write_bytes(bytes(data))
    result = check_file(bad, None)
    assert [(f.offset, f.reason) for f in result.findings] == [
        (offset, ("gzip member does not inflate (Error -3 while decompressing data: "
                  "incorrect data check)"))]


def test_a_record_changed_and_recompressed_fails_its_digests(warc: Path, tmp_path: Path) -> None:
    offset, length = members(warc)[1]                 # the first response
    data = warc.read_bytes()
    record = gzip.decompress(data[offset:offset + length]).replace(b"<html>0", b"<html>X", 1)
    edited = tmp_path / "edited.warc.gz"
    edited.write_bytes(data[:offset] + gzip.compress(record) + data[offset + length:])
    result = check_file(edited, None)
    assert [(f.offset, f.reason) for f in result.findings] == [
        (offset, "WARC record's block digest differs from its WARC-Block-Digest"),
        (offset, "WARC record's payload digest differs from its WARC-Payload-Digest")]


def test_bytes_after_the_last_member(warc: Path, tmp_path: Path) -> None:
    junk = tmp_path / "junk.warc.gz"
    junk.write_bytes(warc.read_bytes() + b"\x00not gzip\n")
    result = check_file(junk, None)
    assert [f.offset for f in result.findings] == [warc.stat().st_size]
    assert result.findings[0].reason.startswith("bytes that are not a gzip member")
    assert result.whole == warc.stat().st_size


def _warcio_file(path: Path, gzip_records: bool) -> None:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip_records)
    writer.write_record(writer.create_warcinfo_record("x.warc", {"software": "test"}))
    from warcio.statusandheaders import StatusAndHeaders
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/plain")], protocol="HTTP/1.0")
    for i in range(3):
        writer.write_record(writer.create_warc_record(
            f"http://example.com/{i}", "response", payload=io.BytesIO(b"hello %d" % i * 500),
            http_headers=http))
    writer.write_record(writer.create_warc_record(
        "metadata://example.com/log", "resource", payload=io.BytesIO(b"a log line\n"),
        warc_content_type="text/plain"))
    path.write_bytes(buf.getvalue())


def test_uncompressed_and_whole_file_gzip_warcs(tmp_path: Path) -> None:
    plain = tmp_path / "plain.warc"
    _warcio_file(plain, gzip_records=False)
    result = check_file(plain, None)
    assert result.ok and result.members == 0 and result.records == 5
    assert result.digests == 1 + 3 * 2 + 2            # warcinfo, responses, the resource
    whole = tmp_path / "whole.warc.gz"
    whole.write_bytes(gzip.compress(plain.read_bytes()))
    result = check_file(whole, None)
    assert result.ok and result.members == 1 and result.records == 5
    cut = tmp_path / "cut.warc"
    cut.write_bytes(plain.read_bytes()[:-8])
    result = check_file(cut, None)
    assert len(result.findings) == 1 and "content bytes" in result.findings[0].reason


def test_an_arc_file_is_checked_as_gzip_only(tmp_path: Path) -> None:
    body = b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello"
    header = (b"filedesc://x.arc 0.0.0.0 20240506070809 text/plain 70\n"
              b"1 0 test\nURL IP-address Archive-date Content-type Archive-length\n\n")
    record = b"http://example.com/ 192.0.2.1 20240506070809 text/plain %d\n" % len(body)
    arc = tmp_path / "x.arc.gz"
    arc.write_bytes(gzip.compress(header) + gzip.compress(record + body + b"\n"))
    result = check_file(arc, None)
    assert result.ok and result.members == 2 and result.records == 0


def test_an_empty_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    assert [f.reason for f in check_file(empty, None).findings] == ["empty file"]


def test_large_members_cross_read_blocks(tmp_path: Path) -> None:
    """A member larger than a read block, then many small ones: offsets stay exact."""
    writer = make_writer(tmp_path / "w")
    big = zlib.compress(b"x") * 1 + bytes(range(256)) * 40_000       # ~10 MB, incompressible-ish
    writer.write_exchange(make_exchange("http://example.com/big", body=big))
    for i in range(50):
        writer.write_exchange(make_exchange(f"http://example.com/s{i}"))
    closed = writer.close()
    assert closed is not None
    result = check_file(closed.path, closed.sha256)
    assert result.ok and result.records == 1 + 2 * 51
    offset, _ = members(closed.path)[-3]
    data = bytearray(closed.path.read_bytes())
    data[offset + 20] ^= 0x01
    closed.path.write_bytes(bytes(data))      # a copy's bit rot, for the test's sake
    result = check_file(closed.path, None)
    assert [f.offset for f in result.findings] == [offset]


def test_an_uncompressed_arc_without_a_blank_line_after_its_header(tmp_path: Path) -> None:
    arc = tmp_path / "plain.arc"
    arc.write_bytes(b"filedesc://plain.arc 127.0.0.1 20140301000000 text/plain -1\n"
                    b"1 0 Bad Capture\nURL IP-address Archive-date Content-type Archive-length\n")
    result = check_file(arc, None)
    assert result.ok and result.records == 0
