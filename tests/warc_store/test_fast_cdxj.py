"""The fast CDXJ path writes pywb's own lines, and reads past a corrupt record."""

from __future__ import annotations

import gzip
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pywb.warcserver.index.cdxobject import CDXObject
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support import FIXTURES
from warc_store.cdxj import cdxj_lines, index_warc, index_warc_pywb, iter_cdxj
from warc_store.reader import Corrupt, Record, Unsupported, iter_records, iter_records_warcio
from warc_store.records import HttpExchange
from warc_store.writer import WarcWriter

BROKEN = FIXTURES / "warc" / "broken.warc.gz"


def exchange(url: str, body: bytes, *, second: int, status: int = 200,
             headers: list[tuple[str, str]] | None = None) -> HttpExchange:
    return HttpExchange(
        url=url, method="GET", request_headers=[("Accept", "*/*")], request_body=b"",
        status=status, reason="OK" if status == 200 else "", protocol="HTTP/1.1",
        response_headers=headers if headers is not None else [("Content-Type", "text/html")],
        body=body, ip_address="127.0.0.1",
        date=datetime(2024, 5, 6, 7, 8, second, 123456, tzinfo=UTC))


def varied_warc(directory: Path) -> Path:
    """Responses of many shapes by our writer, then revisit, resource, metadata and dns
    records by warcio appended to the same file."""
    writer = WarcWriter(directory, prefix="t", hostname="h", warcinfo={"software": "x"})
    gz = gzip.compress("<p>公开</p>".encode("gbk"))
    for ex in [
        exchange("http://www.example.com/", b"<html>home</html>", second=1),
        exchange("http://example.com/gbk", "<p>中文</p>".encode("gbk"), second=2,
                 headers=[("Content-Type", "text/html; charset=GBK")]),
        exchange("http://example.com/gz", gz, second=3,
                 headers=[("Content-Type", "text/html;charset=gbk"),
                          ("Content-Encoding", "gzip")]),
        exchange("http://example.com/chunked", b"x" * 5000, second=4,
                 headers=[("Content-Type", "text/plain"), ("Transfer-Encoding", "chunked")]),
        exchange("http://example.com/old", b"", second=5, status=301,
                 headers=[("Location", "/new")]),
        exchange("http://example.com/none", b"no type", second=6, headers=[]),
        exchange("http://example.com/%E4%B8%AD?b=2&a=1", b"q", second=7,
                 headers=[("content-type", "Application/JSON ; x=1")]),
        exchange("https://example.com/404", b"gone", second=8, status=404,
                 headers=[("Content-Type", "text/html")]),
    ]:
        writer.write_exchange(ex)
    closed = writer.close()
    assert closed is not None
    with closed.path.open("ab") as fh:
        out = WARCWriter(fh, gzip=True, warc_version="1.1")
        date = "2024-05-07T00:00:00Z"
        revisit = out.create_revisit_record(
            "http://www.example.com/", digest="sha1:AAAABBBBCCCCDDDDEEEEFFFFGGGGHHHH",
            refers_to_uri="http://www.example.com/", refers_to_date="2024-05-06T07:08:01Z",
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")],
                                          protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": date})
        resource = out.create_warc_record(
            "http://example.com/file.pdf", "resource", payload=io.BytesIO(b"%PDF-1.4"),
            warc_content_type="application/pdf", warc_headers_dict={"WARC-Date": date})
        metadata = out.create_warc_record(
            "http://example.com/", "metadata", payload=io.BytesIO(b"outlink: http://a/\r\n"),
            warc_content_type="application/warc-fields", warc_headers_dict={"WARC-Date": date})
        dns = out.create_warc_record(
            "dns:example.com", "response", payload=io.BytesIO(b"example.com. 300 IN A 1.2.3.4"),
            warc_content_type="text/dns", warc_headers_dict={"WARC-Date": date})
        for record in (revisit, resource, metadata, dns):
            out.write_record(record)
    return closed.path


def test_fast_lines_equal_pywbs_line_for_line(tmp_path: Path) -> None:
    warc = varied_warc(tmp_path)
    ours, theirs = tmp_path / "ours.cdxj", tmp_path / "pywb.cdxj"
    assert index_warc(warc, ours) == index_warc_pywb(warc, theirs) == 11
    assert ours.read_text(encoding="utf-8") == theirs.read_text(encoding="utf-8")
    # and pywb parses every line back
    for line in ours.read_text(encoding="utf-8").splitlines():
        assert CDXObject(line.encode("utf-8"))["url"]
    mimes = {e.url: e.mime for e in iter_cdxj(ours)}
    assert mimes["http://example.com/gbk"] == "text/html"
    assert mimes["http://example.com/none"] == "unk"
    assert mimes["http://www.example.com/"] in ("text/html", "warc/revisit")


def test_the_fast_lines_come_from_the_fast_path(tmp_path: Path) -> None:
    warc = varied_warc(tmp_path)
    records = list(iter_records(warc))
    assert not [r for r in records if isinstance(r, Corrupt)]
    assert len(cdxj_lines(records, warc.name)) == 11


def test_the_warcio_reader_yields_the_same_records(tmp_path: Path) -> None:
    warc = varied_warc(tmp_path)
    assert list(iter_records_warcio(warc)) == list(iter_records(warc))


def test_uncompressed_warcs_are_left_to_warcio(tmp_path: Path) -> None:
    warc = tmp_path / "plain.warc"
    with warc.open("wb") as fh:
        out = WARCWriter(fh, gzip=False)
        out.write_record(out.create_warc_record(
            "http://example.com/", "response", payload=io.BytesIO(b"hi"),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/plain")],
                                          protocol="HTTP/1.1")))
    with pytest.raises(Unsupported):
        list(iter_records(warc))
    ours, theirs = tmp_path / "ours.cdxj", tmp_path / "pywb.cdxj"
    assert index_warc(warc, ours) == index_warc_pywb(warc, theirs) == 1
    assert ours.read_bytes() == theirs.read_bytes()


def test_a_corrupt_member_is_reported_and_the_rest_is_read() -> None:
    items = list(iter_records(BROKEN))
    corrupt = [i for i in items if isinstance(i, Corrupt)]
    records = [i for i in items if isinstance(i, Record)]
    assert [c.offset for c in corrupt] == [json.loads(
        (BROKEN.parent / "broken.json").read_text())["corrupt_offset"]]
    assert [r.url for r in records if r.type == "response"] == [
        "http://example.com/one", "http://example.com/three"]
