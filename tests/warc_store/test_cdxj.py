"""CDXJ indexes: pywb's indexer run on the writer's WARC files, and the reader for them."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from warcio.warcwriter import WARCWriter

import warc_store.cdxj as cdxj_module
from warc_store.cdxj import CdxjEntry, index_warc, iter_cdxj, parse_line
from warc_store.records import HttpExchange
from warc_store.writer import ClosedWarc, RecordLocation, WarcWriter


def b32(data: bytes) -> str:
    return base64.b32encode(hashlib.sha1(data).digest()).decode()


def exchange(url: str, body: bytes, *, second: int, status: int = 200, reason: str = "OK",
             content_type: str = "text/html; charset=utf-8", method: str = "GET",
             request_headers: list[tuple[str, str]] | None = None,
             request_body: bytes = b"") -> HttpExchange:
    return HttpExchange(
        url=url, method=method, request_headers=request_headers or [("Accept", "*/*")],
        request_body=request_body, status=status, reason=reason, protocol="HTTP/1.1",
        response_headers=[("Content-Type", content_type), ("Content-Length", str(len(body)))],
        body=body, ip_address=None, date=datetime(2024, 5, 6, 7, 8, second, 654321, tzinfo=UTC))


EXCHANGES = [
    exchange("http://www.example.com/b/page?y=2&x=1", b"<html>b</html>", second=9),
    exchange("http://example.com/a", b"nope", second=10, status=404, reason="Not Found",
             content_type="text/plain"),
    exchange("http://example.com/form", b"posted", second=11, method="POST",
             content_type="text/plain",
             request_headers=[("Content-Type", "application/x-www-form-urlencoded"),
                              ("Content-Length", "7")],
             request_body=b"a=1&b=2"),
    exchange("http://example.cn/%E8%B7%AF%E5%BE%84", "中文页面".encode("gbk"), second=12,
             content_type="text/html; charset=GBK"),
]

EXPECTED_KEYS = {
    "http://www.example.com/b/page?y=2&x=1": "com,example)/b/page?x=1&y=2",
    "http://example.com/a": "com,example)/a",
    "http://example.com/form": "com,example)/form?__wb_method=post&a=1&b=2",
    "http://example.cn/%E8%B7%AF%E5%BE%84": "cn,example)/%e8%b7%af%e5%be%84",
}


@pytest.fixture
def warc(tmp_path: Path) -> tuple[ClosedWarc, list[RecordLocation]]:
    writer = WarcWriter(tmp_path / "archive", prefix="t", hostname="crawler-1",
                        warcinfo={"software": "Diancang/test"})
    locations = [writer.write_exchange(ex) for ex in EXCHANGES]
    closed = writer.close()
    assert closed is not None
    return closed, locations


def test_index_has_one_sorted_line_per_response(tmp_path: Path,
                                                 warc: tuple[ClosedWarc, list[Any]]) -> None:
    closed, locations = warc
    out = tmp_path / "indexes" / (closed.filename + ".cdxj")
    out.parent.mkdir()
    assert index_warc(closed.path, out) == len(EXCHANGES)

    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(EXCHANGES)
    assert lines == sorted(lines)
    assert not [line for line in lines if line.startswith("!")]

    entries = list(iter_cdxj(out))
    assert [e.urlkey for e in entries] == sorted(EXPECTED_KEYS.values())
    by_url = {e.url: e for e in entries}
    assert set(by_url) == {ex.url for ex in EXCHANGES}
    request_offsets = {loc.offset + loc.length for loc in locations}
    for ex, loc in zip(EXCHANGES, locations, strict=True):
        entry = by_url[ex.url]
        assert entry.urlkey == EXPECTED_KEYS[ex.url]
        assert entry.timestamp == ex.date.strftime("%Y%m%d%H%M%S")
        assert len(entry.timestamp) == 14
        assert entry.status == str(ex.status)
        assert entry.mime == dict(ex.response_headers)["Content-Type"].split(";")[0]
        assert entry.digest == b32(ex.body)
        assert (entry.offset, entry.length) == (loc.offset, loc.length)
        assert entry.offset not in request_offsets
        assert entry.filename == closed.filename == loc.filename
    assert by_url["http://example.com/form"].extra == {"method": "POST",
                                                       "requestBody": "a=1&b=2"}
    assert by_url["http://example.com/a"].extra == {}


def test_index_line_format(tmp_path: Path, warc: tuple[ClosedWarc, list[Any]]) -> None:
    closed, locations = warc
    out = tmp_path / "x.cdxj"
    index_warc(closed.path, out)
    line = next(line for line in out.read_text(encoding="utf-8").splitlines()
                if line.startswith("com,example)/a "))
    key, stamp, rest = line.split(" ", 2)
    assert (key, stamp) == ("com,example)/a", "20240506070810")
    assert json.loads(rest) == {
        "url": "http://example.com/a", "mime": "text/plain", "status": "404",
        "digest": b32(b"nope"), "length": str(locations[1].length),
        "offset": str(locations[1].offset), "filename": closed.filename}


def test_index_is_atomic_and_idempotent(tmp_path: Path,
                                        warc: tuple[ClosedWarc, list[Any]]) -> None:
    closed, _ = warc
    out = tmp_path / "idx.cdxj"
    out.write_text("stale content\n", encoding="utf-8")
    assert index_warc(closed.path, out) == 4
    first = out.read_bytes()
    assert index_warc(closed.path, out) == 4
    assert out.read_bytes() == first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive", "idx.cdxj"]


def test_failed_indexing_keeps_the_previous_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  warc: tuple[ClosedWarc, list[Any]]) -> None:
    closed, _ = warc
    out = tmp_path / "idx.cdxj"
    index_warc(closed.path, out)
    good = out.read_bytes()

    def broken(outfile: Any, *args: Any, **kwargs: Any) -> None:
        outfile.write(b"com,example)/half")
        raise OSError("disk full")

    monkeypatch.setattr(cdxj_module, "write_cdx_index", broken)
    with pytest.raises(OSError, match="disk full"):
        index_warc(closed.path, out)
    assert out.read_bytes() == good


def test_index_of_a_file_closed_by_rotation(tmp_path: Path) -> None:
    writer = WarcWriter(tmp_path, prefix="t", hostname="h", warcinfo={"software": "x"},
                        max_size=1)
    location = writer.write_exchange(exchange("http://example.com/", b"x", second=1))
    assert writer.current_path is None
    warc = tmp_path / location.filename
    out = tmp_path / "one.cdxj"
    assert index_warc(warc, out) == 1
    [entry] = iter_cdxj(out)
    assert (entry.url, entry.offset, entry.length, entry.filename) == (
        "http://example.com/", location.offset, location.length, location.filename)


def test_index_of_a_warc_without_responses_is_empty(tmp_path: Path) -> None:
    warc = tmp_path / "info-only.warc.gz"
    with warc.open("wb") as fh:
        builder = WARCWriter(fh, gzip=True, warc_version="1.1")
        builder.write_record(builder.create_warcinfo_record(warc.name, {"software": "x"}))
    out = tmp_path / "info-only.cdxj"
    assert index_warc(warc, out) == 0
    assert out.read_bytes() == b""
    assert list(iter_cdxj(out)) == []


def test_iter_cdxj_skips_blank_and_header_lines(tmp_path: Path) -> None:
    path = tmp_path / "hand.cdxj"
    path.write_text(
        "!meta {\"format\": \"cdxj-gzip-1.0\"}\n"
        "\n"
        "com,example)/ 20240101000000 {\"url\": \"http://example.com/\", \"status\": \"200\", "
        "\"mime\": \"text/html\", \"digest\": \"ABC\", \"length\": \"10\", \"offset\": \"20\", "
        "\"filename\": \"f.warc.gz\"}\n"
        "   \n"
        "!another header\n"
        "org,example)/x 20240102030405 {\"url\": \"http://example.org/x\", \"length\": \"1\", "
        "\"offset\": \"0\", \"filename\": \"g.warc.gz\", \"method\": \"POST\"}",
        encoding="utf-8")
    assert list(iter_cdxj(path)) == [
        CdxjEntry("com,example)/", "20240101000000", "http://example.com/", "200",
                  "text/html", "ABC", 10, 20, "f.warc.gz", {}),
        CdxjEntry("org,example)/x", "20240102030405", "http://example.org/x", None, None,
                  None, 1, 0, "g.warc.gz", {"method": "POST"}),
    ]


def test_parse_line_defaults_and_extras() -> None:
    entry = parse_line('cn,example)/%e4%b8%ad 20240506070809 {"url": "http://example.cn/中", '
                       '"requestBody": "a=1", "status": "302"}\n')
    assert entry == CdxjEntry("cn,example)/%e4%b8%ad", "20240506070809", "http://example.cn/中",
                              "302", None, None, 0, 0, "", {"requestBody": "a=1"})
