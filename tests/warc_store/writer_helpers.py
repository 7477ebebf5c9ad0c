"""Helpers of the WarcWriter tests: exchanges to write, and an independent reader of the
files written (warcio's own iterator), never the code under test."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from warc_store.records import HttpExchange
from warc_store.writer import WarcWriter

HOST = "crawler-1"
INFO = {"software": "Diancang/test", "operator": "测试 operator", "isPartOf": "coll"}
DATE = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
DATE_ISO = "2024-05-06T07:08:09.123456Z"
NAME_RX = re.compile(r"^t-\d{17}-\d{5}-crawler-1\.warc\.gz$")

def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def make_exchange(url: str = "http://example.com/page", *, method: str = "GET",
                  request_headers: list[tuple[str, str]] | None = None,
                  request_body: bytes = b"", status: int = 200, reason: str = "OK",
                  response_headers: list[tuple[str, str]] | None = None,
                  body: bytes = b"<html>hello</html>", ip_address: str | None = "192.0.2.7",
                  date: datetime = DATE) -> HttpExchange:
    return HttpExchange(
        url=url, method=method,
        request_headers=request_headers if request_headers is not None
        else [("User-Agent", "Diancang-test"), ("Accept", "*/*")],
        request_body=request_body, status=status, reason=reason, protocol="HTTP/1.1",
        response_headers=response_headers if response_headers is not None
        else [("Content-Type", "text/html; charset=utf-8"),
              ("Content-Length", str(len(body)))],
        body=body, ip_address=ip_address, date=date)


def make_writer(directory: Path, **kwargs: Any) -> WarcWriter:
    kwargs.setdefault("prefix", "t")
    kwargs.setdefault("hostname", HOST)
    kwargs.setdefault("warcinfo", INFO)
    return WarcWriter(directory, **kwargs)


def read_records(path: Path) -> list[dict[str, Any]]:
    """Every record of the file, read by warcio with digest checking on."""
    out = []
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh, check_digests="raise")
        for rec in iterator:
            content = rec.content_stream().read()
            iterator.read_to_end(rec)
            out.append({
                "type": rec.rec_type,
                "warc": rec.rec_headers,
                "http": rec.http_headers,
                "content": content,
                "offset": iterator.get_record_offset(),
                "length": iterator.get_record_length(),
            })
    return out


def raw_payloads(path: Path) -> list[bytes]:
    """Each record's block after its HTTP headers, exactly as stored (no de-chunking)."""
    with path.open("rb") as fh:
        return [rec.raw_stream.read() for rec in ArchiveIterator(fh, check_digests="raise")]


def warcinfo_fields(record: dict[str, Any]) -> dict[str, str]:
    text = record["content"].decode("utf-8")
    return dict(line.split(": ", 1) for line in text.split("\r\n") if line)


class FrozenDatetime(datetime):
    """Stands in for ``datetime`` in the writer so file names are predictable."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # type: ignore[override]
        return datetime(2024, 5, 6, 7, 8, 9, 987654, tzinfo=UTC)


