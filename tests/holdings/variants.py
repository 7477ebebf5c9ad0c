"""WARC and ARC files as other tools write them, built by the tests themselves.

warcio builds the WARC records (WARC/1.0 or 1.1; uncompressed, gzip per record or the whole
file gzipped); ARC v1 files are built by hand, the format being a one-line text header per
record.  Dates and record IDs are pinned, so each variant is the same bytes every time.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from warc_store.records import payload_digest

ORIGIN = "http://www.example.gov.cn"


def page(title: str, body: str = "") -> bytes:
    return (f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title></head>"
            f"<body><h1>{title}</h1><p>{body or title + ' 的正文，关于图书馆的通知。'}</p>"
            f"<a href='/a.html'>a</a></body></html>").encode()


def _http(body: bytes, mime: str = "text/html; charset=utf-8",
          status: str = "200 OK") -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", mime), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")


class _Records:
    """Appends warcio records, each with a pinned date and ID, to one buffer."""

    def __init__(self, version: str, gzip_records: bool):
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=gzip_records, warc_version=version)
        self.serial = 0
        self.last_id = ""

    def _headers(self, date: str) -> dict[str, str]:
        self.serial += 1
        self.last_id = f"<urn:uuid:00000000-0000-4000-8000-{self.serial:012d}>"
        return {"WARC-Date": date, "WARC-Record-ID": self.last_id}

    def warcinfo(self, filename: str, fields: dict[str, str], date: str) -> None:
        rec = self.writer.create_warcinfo_record(filename, fields)
        rec.rec_headers.replace_header("WARC-Date", date)
        rec.rec_headers.replace_header("WARC-Record-ID", self._headers(date)["WARC-Record-ID"])
        self.writer.write_record(rec)

    def response(self, url: str, body: bytes, date: str, mime: str = "text/html; charset=utf-8",
                 status: str = "200 OK", request: bool = True) -> None:
        self.writer.write_record(self.writer.create_warc_record(
            url, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=_http(body, mime, status), warc_headers_dict=self._headers(date)))
        if request:
            self.request(url, date)

    def request(self, url: str, date: str, method: str = "GET", body: bytes = b"") -> None:
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        headers = [("Host", url.split("/")[2])]
        if body:
            headers += [("Content-Type", "application/x-www-form-urlencoded"),
                        ("Content-Length", str(len(body)))]
        response_id = self.last_id          # the request is Concurrent-To its response
        warc_headers = {**self._headers(date), "WARC-Concurrent-To": response_id}
        self.writer.write_record(self.writer.create_warc_record(
            url, "request", payload=io.BytesIO(body), length=len(body),
            http_headers=StatusAndHeaders(f"{method} {path} HTTP/1.1", headers,
                                          is_http_request=True),
            warc_headers_dict=warc_headers))

    def revisit(self, url: str, body: bytes, original_date: str, date: str) -> None:
        self.writer.write_record(self.writer.create_revisit_record(
            url, payload_digest(body), url, original_date,
            http_headers=_http(body), warc_headers_dict=self._headers(date)))

    def resource(self, url: str, body: bytes, mime: str, date: str) -> None:
        self.writer.write_record(self.writer.create_warc_record(
            url, "resource", payload=io.BytesIO(body), length=len(body),
            warc_content_type=mime, warc_headers_dict=self._headers(date)))

    def metadata(self, url: str, fields: bytes, date: str) -> None:
        self.writer.write_record(self.writer.create_warc_record(
            url, "metadata", payload=io.BytesIO(fields), length=len(fields),
            warc_content_type="application/warc-fields", warc_headers_dict=self._headers(date)))

    def dns(self, host: str, date: str) -> None:
        body = f"{date.replace('-', '').replace(':', '')[:14]}\n{host}.\t300\tIN\tA\t127.0.0.1\n"
        self.writer.write_record(self.writer.create_warc_record(
            f"dns:{host}", "response", payload=io.BytesIO(body.encode()), length=len(body),
            warc_content_type="text/dns", warc_headers_dict=self._headers(date)))


D1, D2, D3 = "2019-03-01T08:00:00Z", "2019-03-01T08:00:05Z", "2020-06-01T09:30:00Z"


def _basic(r: _Records) -> None:
    r.warcinfo("example.warc.gz", {"software": "test", "format": "WARC File Format 1.1"}, D1)
    r.response(f"{ORIGIN}/", page("首页"), D1)
    r.response(f"{ORIGIN}/a.html", page("通知公告"), D2)
    r.response(f"{ORIGIN}/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(64), D2, mime="image/png")
    r.response(f"{ORIGIN}/missing", b"not found", D2, mime="text/plain", status="404 Not Found")


def _heritrix(r: _Records) -> None:
    r.warcinfo("example.warc.gz", {"software": "Heritrix/3.4.0", "isPartOf": "basic",
                                   "format": "WARC File Format 1.0"}, D1)
    r.dns("www.example.gov.cn", D1)
    r.response(f"{ORIGIN}/robots.txt", b"User-agent: *\n", D1, mime="text/plain")
    r.response(f"{ORIGIN}/", page("Heritrix 首页"), D1)
    r.metadata(f"{ORIGIN}/", b"via: \r\nhopsFromSeed: \r\noutlink: http://www.example.gov.cn/a.html"
               b" L a/@href\r\n", D1)
    r.revisit(f"{ORIGIN}/", page("Heritrix 首页"), D1, D3)


def _wget(r: _Records) -> None:
    r.warcinfo("example.warc.gz", {"software": "Wget/1.21", "format": "WARC File Format 1.0"},
               D1)
    r.response(f"{ORIGIN}/", page("wget 首页"), D1)
    r.resource("metadata://gnu.org/software/wget/warc/MANIFEST.txt", b"<urn:uuid:1>\n",
               "text/plain", D2)
    r.resource("metadata://gnu.org/software/wget/warc/wget_arguments.txt",
               b'"http://www.example.gov.cn/" "--warc-file=example"\n', "text/plain", D2)
    r.resource("metadata://gnu.org/software/wget/warc/wget.log", b"FINISHED --2019-03-01--\n",
               "text/plain", D2)


def _post_and_resource(r: _Records) -> None:
    r.warcinfo("example.warc.gz", {"software": "test"}, D1)
    r.response(f"{ORIGIN}/search", page("检索结果"), D1, request=False)
    r.request(f"{ORIGIN}/search", D1, method="POST", body=b"q=%E5%9B%BE%E4%B9%A6&page=1")
    r.resource(f"{ORIGIN}/saved.html", page("资源记录中的页面"), "text/html; charset=utf-8", D2)


KINDS: dict[str, Callable[[_Records], None]] = {
    "basic": _basic, "heritrix": _heritrix, "wget": _wget, "post": _post_and_resource,
}


def write_warc(path: Path, kind: str = "basic", *, version: str = "1.1",
               compression: str = "record") -> Path:
    """A WARC file of ``kind`` records: ``compression`` is ``record`` (one gzip member per
    record), ``none`` or ``file`` (the whole file one gzip stream, as ``gzip x.warc`` makes)."""
    records = _Records(f"WARC/{version}", gzip_records=compression == "record")
    KINDS[kind](records)
    data = records.buffer.getvalue()
    if compression == "file":
        data = gzip.compress(data, mtime=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# ---- ARC v1 ----------------------------------------------------------------------------


def _arc_record(url: str, ip: str, date: str, mime: str, content: bytes) -> bytes:
    return f"{url} {ip} {date} {mime} {len(content)}\n".encode() + content + b"\n"


def write_arc(path: Path, *, compressed: bool) -> Path:
    """An ARC v1 file: its ``filedesc://`` version block, then HTTP responses (each record a
    gzip member when ``compressed``, as Heritrix's and the Internet Archive's .arc.gz are)."""
    name = path.name
    version_block = (b"1 0 Diancang tests\n"
                     b"URL IP-address Archive-date Content-type Archive-length\n")
    members = [_arc_record(f"filedesc://{name}", "0.0.0.0", "20080430204825", "text/plain",
                           version_block)]
    for url, title, date in ((f"{ORIGIN}/", "ARC 首页", "20080430204826"),
                             (f"{ORIGIN}/a.html", "ARC 通知", "20080430204827")):
        body = page(title)
        http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: %d\r\n\r\n" % len(body)) + body
        members.append(_arc_record(url, "127.0.0.1", date, "text/html", http))
    data = b"".join(_gzip_member(m) for m in members) if compressed else b"".join(members)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _gzip_member(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def cut(path: Path, keep: int, target: Path) -> Path:
    """A copy of ``path`` cut after ``keep`` bytes (a transfer that stopped early)."""
    target.write_bytes(path.read_bytes()[:keep])
    return target
