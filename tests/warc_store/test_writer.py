"""WarcWriter: file naming, record contents, chunked bodies and record locations.

Every file written here is read back with warcio's own reader (digests checked) and with the
``warcio check`` command, never with the code under test.
"""

from __future__ import annotations

import io
import itertools
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

import warc_store.writer as writer_module
from tests.support import assert_warcio_check
from tests.warc_store.writer_helpers import (
    DATE,
    DATE_ISO,
    INFO,
    NAME_RX,
    FrozenDatetime,
    make_exchange,
    make_writer,
    raw_payloads,
    read_records,
    sha1_b32,
    warcinfo_fields,
)
from warc_store.records import HttpExchange
from warc_store.writer import ClosedWarc, RecordLocation, warc_filename

# -- file names and the .open life cycle --------------------------------------------------


def test_warcio_script_is_the_one_next_to_this_python() -> None:
    assert Path(sys.executable).with_name("warcio").exists()


def test_warc_filename_format() -> None:
    when = datetime(2024, 1, 2, 3, 4, 5, 678999, tzinfo=UTC)
    assert warc_filename("coll", when, 7, "crawler-1") == \
        "coll-20240102030405678-00007-crawler-1.warc.gz"
    assert warc_filename("c", when, 123456, "a_b/c d.example") == \
        "c-20240102030405678-123456-a-b-c-d.example.warc.gz"
    assert warc_filename("c", when, 0, "") == "c-20240102030405678-00000-host.warc.gz"


def test_file_is_open_while_writing_and_renamed_on_close(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "dir"
    writer = make_writer(directory)
    assert writer.current_path is None
    assert writer.close() is None
    assert not directory.exists()

    location = writer.write_exchange(make_exchange())
    open_path = writer.current_path
    assert open_path is not None
    assert open_path.parent == directory
    assert open_path.name == location.filename + ".open"
    assert NAME_RX.match(location.filename), location.filename
    assert [p.name for p in directory.iterdir()] == [open_path.name]

    closed = writer.close()
    assert isinstance(closed, ClosedWarc)
    assert writer.current_path is None
    assert closed.filename == location.filename
    assert closed.path == directory / location.filename
    assert [p.name for p in directory.iterdir()] == [location.filename]
    assert not open_path.exists()
    assert writer.close() is None


def test_file_name_uses_utc_time_and_skips_taken_serials(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(writer_module, "datetime", FrozenDatetime)
    (tmp_path / "t-20240506070809987-00000-crawler-1.warc.gz").write_bytes(b"taken")
    (tmp_path / "t-20240506070809987-00001-crawler-1.warc.gz.open").write_bytes(b"taken")
    writer = make_writer(tmp_path)
    location = writer.write_exchange(make_exchange())
    assert location.filename == "t-20240506070809987-00002-crawler-1.warc.gz"
    closed = writer.close()
    assert closed is not None
    assert closed.path.name == "t-20240506070809987-00002-crawler-1.warc.gz"
    # the files that were already there are untouched
    assert (tmp_path / "t-20240506070809987-00000-crawler-1.warc.gz").read_bytes() == b"taken"
    assert (tmp_path / "t-20240506070809987-00001-crawler-1.warc.gz.open").read_bytes() == \
        b"taken"


def test_file_name_timestamp_is_now(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    writer = make_writer(tmp_path)
    location = writer.write_exchange(make_exchange())
    after = datetime.now(UTC)
    writer.close()
    stamp = location.filename.split("-")[1]
    assert len(stamp) == 17
    when = datetime.strptime(stamp[:14], "%Y%m%d%H%M%S").replace(
        microsecond=int(stamp[14:]) * 1000, tzinfo=UTC)
    assert before.replace(microsecond=before.microsecond // 1000 * 1000) <= when <= after


# -- record contents -------------------------------------------------------------------------


def test_warcinfo_then_response_request_pairs(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    first = make_exchange("http://example.com/a", body=b"first body")
    second = make_exchange("http://example.com/b?x=1", body=b"second", ip_address=None)
    writer.write_exchange(first)
    writer.write_exchange(second)
    closed = writer.close()
    assert closed is not None
    records = read_records(closed.path)

    assert [r["type"] for r in records] == [
        "warcinfo", "response", "request", "response", "request"]
    for rec in records:
        assert rec["warc"].protocol == "WARC/1.1"
    assert len({r["warc"].get_header("WARC-Record-ID") for r in records}) == 5

    info = records[0]
    assert info["warc"].get_header("WARC-Filename") == closed.filename
    assert info["warc"].get_header("Content-Type") == "application/warc-fields"
    assert warcinfo_fields(info) == INFO

    for (response, request), ex in zip([records[1:3], records[3:5]], [first, second],
                                       strict=True):
        response_id = response["warc"].get_header("WARC-Record-ID")
        assert request["warc"].get_header("WARC-Concurrent-To") == response_id
        assert response["warc"].get_header("WARC-Concurrent-To") is None
        for rec in (response, request):
            assert rec["warc"].get_header("WARC-Target-URI") == ex.url
            assert rec["warc"].get_header("WARC-Date") == DATE_ISO
        assert response["warc"].get_header("Content-Type") == \
            "application/http; msgtype=response"
        assert request["warc"].get_header("Content-Type") == \
            "application/http; msgtype=request"
        assert response["content"] == ex.body
        assert response["warc"].get_header("WARC-Payload-Digest") == sha1_b32(ex.body)
        assert response["http"].protocol == "HTTP/1.1"
        assert response["http"].statusline == "200 OK"
        assert response["http"].headers == list(ex.response_headers)

    assert records[1]["warc"].get_header("WARC-IP-Address") == "192.0.2.7"
    assert records[3]["warc"].get_header("WARC-IP-Address") is None
    assert records[2]["http"].protocol == "GET"
    assert records[2]["http"].statusline == "/a HTTP/1.1"
    assert records[4]["http"].statusline == "/b?x=1 HTTP/1.1"
    assert records[2]["http"].headers == [
        ("Host", "example.com"), ("User-Agent", "Diancang-test"), ("Accept", "*/*")]
    assert records[2]["content"] == b""
    # a GET has no payload, so no payload digest (a POST's request keeps one, below); its
    # block digest still covers the request line and headers
    for request in (records[2], records[4]):
        assert request["warc"].get_header("WARC-Payload-Digest") is None
        assert request["warc"].get_header("WARC-Block-Digest").startswith("sha1:")
    assert closed.records == 5
    assert_warcio_check(closed.path, 5)


def test_block_digest_covers_http_headers_and_payload(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    ex = make_exchange(body=b"digest me")
    writer.write_exchange(ex)
    closed = writer.close()
    assert closed is not None
    with closed.path.open("rb") as fh:
        blocks = {}
        for rec in ArchiveIterator(fh, check_digests="raise"):
            # the block is everything after the WARC headers: read it unparsed
            blocks[rec.rec_type] = (rec.rec_headers, rec.http_headers, rec.raw_stream.read())
    headers, http, payload = blocks["response"]
    block = http.to_ascii_bytes() + payload
    assert int(headers.get_header("Content-Length")) == len(block)
    assert headers.get_header("WARC-Block-Digest") == sha1_b32(block)
    assert headers.get_header("WARC-Payload-Digest") == sha1_b32(b"digest me")


def test_gbk_body_non_ascii_url_and_post_body(tmp_path: Path) -> None:
    gbk = "<html><meta charset=gbk>政府信息公开 — 典藏</html>".encode("gbk")
    url = "http://example.cn/%E6%94%BF%E5%BA%9C/%E5%85%AC%E5%BC%80.html?q=%E5%85%B8"
    post = HttpExchange(
        url="http://example.cn/search", method="POST",
        request_headers=[("Content-Type", "application/x-www-form-urlencoded"),
                         ("Content-Length", "19")],
        request_body=b"q=%E5%85%B8&page=2\n", status=200, reason="OK",
        protocol="HTTP/1.1", response_headers=[("Content-Type", "text/plain")],
        body=b"results", ip_address="2001:db8::1", date=DATE)
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange(
        url, body=gbk, response_headers=[("Content-Type", "text/html; charset=GBK")]))
    writer.write_exchange(post)
    closed = writer.close()
    assert closed is not None
    records = read_records(closed.path)
    gbk_response, gbk_request, post_response, post_request = records[1:]

    assert gbk_response["content"] == gbk
    assert gbk_response["warc"].get_header("WARC-Payload-Digest") == sha1_b32(gbk)
    assert gbk_response["warc"].get_header("WARC-Target-URI") == url
    assert gbk_request["warc"].get_header("WARC-Target-URI") == url
    assert gbk_request["http"].statusline == \
        "/%E6%94%BF%E5%BA%9C/%E5%85%AC%E5%BC%80.html?q=%E5%85%B8 HTTP/1.1"
    assert gbk_request["http"].get_header("Host") == "example.cn"
    # the stored bytes really are the GBK bytes, not a re-encoding
    assert raw_payloads(closed.path)[1] == gbk

    assert post_request["http"].protocol == "POST"
    assert post_request["http"].statusline == "/search HTTP/1.1"
    assert post_request["content"] == post.request_body
    assert post_request["warc"].get_header("WARC-Payload-Digest") == \
        sha1_b32(post.request_body)
    assert post_request["warc"].get_header("WARC-Concurrent-To") == \
        post_response["warc"].get_header("WARC-Record-ID")
    assert post_response["warc"].get_header("WARC-IP-Address") == "2001:db8::1"
    assert post_response["content"] == b"results"
    assert_warcio_check(closed.path, 5)


def test_iri_url_is_written(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange("http://example.cn/路径?q=值", body=b"ok"))
    closed = writer.close()
    assert closed is not None
    records = read_records(closed.path)
    assert records[1]["content"] == b"ok"
    assert records[2]["http"].statusline == "/%E8%B7%AF%E5%BE%84?q=%E5%80%BC HTTP/1.1"


def test_request_line_and_host_header(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange("http://example.com", request_headers=[]))
    writer.write_exchange(make_exchange("http://example.com:8080/a/b?c=d&e=f",
                                        request_headers=[("Accept", "*/*")]))
    writer.write_exchange(make_exchange("http://example.com/x",
                                        request_headers=[("host", "other.example")]))
    writer.write_exchange(make_exchange("http://example.com/y", status=299, reason=""))
    closed = writer.close()
    assert closed is not None
    records = read_records(closed.path)
    requests = [r["http"] for r in records if r["type"] == "request"]
    assert [(h.protocol, h.statusline) for h in requests] == [
        ("GET", "/ HTTP/1.1"), ("GET", "/a/b?c=d&e=f HTTP/1.1"),
        ("GET", "/x HTTP/1.1"), ("GET", "/y HTTP/1.1")]
    assert requests[0].headers == [("Host", "example.com")]
    assert requests[1].headers == [("Host", "example.com:8080"), ("Accept", "*/*")]
    assert requests[2].headers == [("host", "other.example")]
    assert records[7]["http"].statusline == "299"
    assert_warcio_check(closed.path, 9)


def test_warc_date_keeps_microseconds(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange(date=datetime(2023, 12, 31, 23, 59, 59, 1, tzinfo=UTC)))
    closed = writer.close()
    assert closed is not None
    dates = [r["warc"].get_header("WARC-Date") for r in read_records(closed.path)[1:]]
    assert dates == ["2023-12-31T23:59:59.000001Z"] * 2


# -- chunked responses -------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"hello chunked world" * 100, b""], ids=["body", "empty"])
def test_chunked_response_is_stored_rechunked(tmp_path: Path, body: bytes) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange(
        body=body, response_headers=[("Content-Type", "text/plain"),
                                     ("Transfer-Encoding", "chunked")]))
    closed = writer.close()
    assert closed is not None
    stored = raw_payloads(closed.path)[1]
    if body:
        assert stored.startswith(b"%x\r\n" % len(body))
        assert stored == b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    else:
        assert stored == b"0\r\n\r\n"
    records = read_records(closed.path)
    assert records[1]["content"] == body
    assert records[1]["http"].get_header("Transfer-Encoding") == "chunked"
    assert_warcio_check(closed.path, 3)


@pytest.mark.parametrize("value", ["Chunked", "gzip, chunked"])
def test_chunked_is_recognised_in_any_case_and_list(tmp_path: Path, value: str) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange(
        body=b"abc", response_headers=[("transfer-encoding", value)]))
    closed = writer.close()
    assert closed is not None
    assert raw_payloads(closed.path)[1] == b"3\r\nabc\r\n0\r\n\r\n"
    assert_warcio_check(closed.path, 3)


def test_unchunked_body_is_stored_as_is(tmp_path: Path) -> None:
    body = b"5\r\nhello\r\n0\r\n\r\n"   # looks chunked, but no Transfer-Encoding says so
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange(body=body))
    closed = writer.close()
    assert closed is not None
    assert raw_payloads(closed.path)[1] == body
    assert read_records(closed.path)[1]["content"] == body


# -- locations ----------------------------------------------------------------------------------


def test_record_location_is_one_gzip_member_holding_the_response(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    exchanges = [make_exchange(f"http://example.com/{i}", body=b"body %d " % i * (i * 50 + 1))
                 for i in range(5)]
    locations = [writer.write_exchange(ex) for ex in exchanges]
    closed = writer.close()
    assert closed is not None
    data = closed.path.read_bytes()
    records = read_records(closed.path)

    # the file is exactly its records, back to back
    assert records[0]["offset"] == 0
    for prev, nxt in itertools.pairwise(records):
        assert nxt["offset"] == prev["offset"] + prev["length"]
    assert records[-1]["offset"] + records[-1]["length"] == len(data) == closed.size

    for i, (ex, loc) in enumerate(zip(exchanges, locations, strict=True)):
        assert isinstance(loc, RecordLocation)
        assert loc.filename == closed.filename
        response = records[1 + 2 * i]
        assert (loc.offset, loc.length) == (response["offset"], response["length"])
        member = data[loc.offset:loc.offset + loc.length]
        decompressor = zlib.decompressobj(zlib.MAX_WBITS + 16)
        decompressor.decompress(member)
        assert decompressor.eof
        assert decompressor.unused_data == b""
        members = ArchiveIterator(io.BytesIO(member), check_digests="raise")
        rec = next(members)
        assert rec.rec_type == "response"
        assert rec.rec_headers.get_header("WARC-Target-URI") == ex.url
        assert rec.rec_headers.get_header("WARC-Record-ID") == \
            response["warc"].get_header("WARC-Record-ID")
        assert rec.content_stream().read() == ex.body
        assert next(members, None) is None
        # the request follows immediately
        following = ArchiveIterator(io.BytesIO(data[loc.offset + loc.length:]))
        rec = next(following)
        assert rec.rec_type == "request"
        assert rec.rec_headers.get_header("WARC-Concurrent-To") == \
            response["warc"].get_header("WARC-Record-ID")

