"""Golden bytes: with record IDs and dates pinned (as warcio's own tests pin them), the writer
turns a known exchange, and an unchanged one into a revisit, into exactly the bytes of
``tests/fixtures/warc/golden.warc`` -- warcinfo, response, request, revisit, request, each in
a gzip member of its own whose header carries no time.

A change to these bytes is a change to every WARC Diancang writes.  If it is meant, rewrite
the fixture with ``python -m tests.warc_store.test_golden`` and review its diff.
"""

from __future__ import annotations

import itertools
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from tests.support import FIXTURES, warcio_check
from tests.warc_store.writer_helpers import FrozenDatetime
from warc_store import writer as writer_module
from warc_store.records import Builder, HttpExchange, Original, payload_digest
from warc_store.writer import ClosedWarc, WarcWriter

GOLDEN = FIXTURES / "warc" / "golden.warc"
FILENAME = "golden-20240506070809987-00000-crawler-1.warc.gz"
GBK_PAGE = ("<html><head><meta charset=gbk><title>关于举办读书节的通知</title></head>"
            "<body><p>深圳图书馆将于四月举办读书节。</p><img src=/logo.png></body></html>"
            ).encode("gbk")
LOGO = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
FIRST_CRAWL = "2024-04-01T03:00:00Z"


@contextmanager
def pinned() -> Iterator[None]:
    """Record IDs counted from 1, warcio's own dates and the file name's clock fixed."""
    ids = (f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>" for n in itertools.count(1))
    with mock.patch.object(Builder, "_make_warc_id", classmethod(lambda cls: next(ids))), \
            mock.patch.object(Builder, "_make_warc_date",
                              classmethod(lambda cls, use_micros=False: "2024-05-06T07:08:09Z")), \
            mock.patch.object(writer_module, "datetime", FrozenDatetime):
        yield


def exchange(url: str, body: bytes, content_type: str, second: int) -> HttpExchange:
    return HttpExchange(
        url=url, method="GET",
        request_headers=[("User-Agent", "Diancang/0.1 (+http://lib.example.cn/archive)"),
                         ("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"),
                         ("Accept-Encoding", "gzip, deflate")],
        request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
        response_headers=[("Content-Type", content_type), ("Content-Length", str(len(body))),
                          ("Server", "nginx")],
        body=body, ip_address="202.104.64.10",
        date=datetime(2024, 5, 6, 7, 8, second, 250000, tzinfo=UTC))


def write_golden(directory: Path) -> ClosedWarc:
    """The golden file, as the writer writes it today."""
    logo = "http://www.szlib.org.cn/logo.png"
    earlier = {logo: Original(payload_digest(LOGO), logo, FIRST_CRAWL)}
    with pinned():
        writer = WarcWriter(directory, prefix="golden", max_size=1_000_000,
                            hostname="crawler-1", gzip_level=6, previous=earlier,
                            warcinfo={"software": "Diancang/0.1.0",
                                      "format": "WARC File Format 1.1", "operator": "深圳图书馆",
                                      "isPartOf": "szlib", "robots": "obey"})
        writer.write_exchange(exchange("http://www.szlib.org.cn/tzgg/读书节.html", GBK_PAGE,
                                       "text/html", 10))
        writer.write_exchange(exchange(logo, LOGO, "image/png", 11))
        closed = writer.close()
    assert closed is not None
    return closed


def gzip_members(data: bytes) -> list[tuple[bytes, bytes]]:
    """(gzip header, decompressed bytes) of each member of a multi-member gzip file."""
    members = []
    while data:
        inflate = zlib.decompressobj(zlib.MAX_WBITS | 16)
        members.append((data[:10], inflate.decompress(data)))
        assert inflate.eof, "a gzip member is cut short"
        data = inflate.unused_data
    return members


def assert_warcio_checks(path: Path) -> None:
    """``warcio check`` passes: four digests checked, the revisit's not (it has no payload)."""
    proc = warcio_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("digest pass") == 4, proc.stdout
    assert proc.stdout.count("digest present but not checked (revisit)") == 1, proc.stdout
    assert "fail" not in proc.stdout


def test_the_writer_writes_the_golden_bytes(tmp_path: Path) -> None:
    closed = write_golden(tmp_path)
    assert closed.filename == FILENAME and closed.records == 5
    members = gzip_members(closed.path.read_bytes())
    # one member per record, each header fixed: deflate, no name, mtime 0, Unix
    assert [header for header, _ in members] == [b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"] * 5
    assert all(record.startswith(b"WARC/1.1\r\n") for _, record in members)
    assert b"".join(record for _, record in members) == GOLDEN.read_bytes()
    assert_warcio_checks(closed.path)


def test_the_golden_file_reads_as_warcio_reads_it(tmp_path: Path) -> None:
    golden = GOLDEN.read_bytes()
    assert b"WARC-Type: revisit\r\n" in golden
    assert b"WARC-Refers-To-Date: 2024-04-01T03:00:00Z\r\n" in golden
    assert GBK_PAGE in golden                       # the GBK bytes as served
    copy = tmp_path / "golden.warc"
    copy.write_bytes(golden)
    assert_warcio_checks(copy)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        written = write_golden(Path(scratch))
        GOLDEN.write_bytes(b"".join(r for _, r in gzip_members(written.path.read_bytes())))
    print(f"wrote {GOLDEN}")
