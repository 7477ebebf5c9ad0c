"""The search test corpus: real WARC files, written by our writer from tests/fixtures/corpus.

Two files, captured on different days, on three hosts; pages in UTF-8, GBK (declared in a
<meta>) and GB18030 (declared as gb2312 in the HTTP header), gov metadata tables with
different labels, a 404, an English page, a small PDF and one over the PDF size cap.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from catalog.collections import import_seed_list
from catalog.crawls import record_warc_file, start_crawl
from catalog.db import Catalog
from catalog.models import Collection
from seeds.parse import load_seed_list
from tests.support import FIXTURES, SEED_DEFAULTS
from warc_store.records import HttpExchange
from warc_store.writer import ClosedWarc, WarcWriter

PAGES = FIXTURES / "corpus"
GD, GZ, SZ = "http://www.gd.gov.cn", "http://tjj.gz.gov.cn", "http://www.szlib.org.cn"
SEEDS = f"""collection: corpus
title: 测试语料
seeds:
  - url: {GD}/
    agency: 广东省人民政府办公厅
    scope: host
  - url: http://www.gz.gov.cn/
    scope: domain
"""

URL = {
    "library": f"{GD}/library.html", "writing": f"{GD}/writing.html",
    "gone": f"{GD}/gone.html", "notice": f"{GD}/gkmlpt/content/notice.html",
    "yearbook": f"{GZ}/tjnb/2018.html", "english": f"{SZ}/en/news.html",
    "pdf": f"{GD}/files/bulletin.pdf", "bigpdf": f"{GD}/files/big.pdf",
}


def dirs(coll_dir: Path) -> tuple[Path, Path]:
    """The collection's WARC and CDXJ directories."""
    return coll_dir / "archive", coll_dir / "indexes"


def pdf(text: str, title: str, author: str, padding: int = 0) -> bytes:
    """A one-page PDF (Helvetica text), built by hand with a correct cross-reference table."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
         b"/Resources << /Font << /F1 5 0 R >> >> >>"),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author ({author}) /CreationDate (D:20230301120000Z) >>".encode(),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    out += b"%" + b"x" * padding + b"\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def _exchange(url: str, body: bytes, content_type: str, when: datetime, status: int = 200,
              extra: list[tuple[str, str]] | None = None) -> HttpExchange:
    return HttpExchange(
        url=url, method="GET", request_headers=[("Accept", "*/*")], request_body=b"",
        status=status, reason="OK" if status == 200 else "Not Found", protocol="HTTP/1.1",
        response_headers=[("Content-Type", content_type), *(extra or [])], body=body,
        ip_address="127.0.0.1", date=when)


def write_corpus(archive: Path) -> list[ClosedWarc]:
    """Write the two corpus WARC files into ``archive``; returns them, oldest first."""
    page = {p.stem: p.read_bytes() for p in PAGES.glob("*.html")}
    jan = datetime(2024, 1, 15, 8, 0, 0, tzinfo=UTC)
    jun = datetime(2024, 6, 20, 9, 30, 0, tzinfo=UTC)
    first = [
        _exchange(URL["library"], page["library"], "text/html; charset=utf-8", jan),
        _exchange(URL["writing"], page["writing"], "text/html", jan.replace(second=1)),
        _exchange(URL["gone"], page["gone"], "text/html; charset=utf-8",
                  jan.replace(second=2), status=404),
        _exchange(URL["notice"], gzip.compress(page["notice-gbk"]), "text/html",
                  jan.replace(second=3), extra=[("Content-Encoding", "gzip")]),
        _exchange(URL["pdf"], pdf("Guangdong Statistical Bulletin 2023 population grew",
                                  "Statistical Bulletin 2023", "Statistics Bureau"),
                  "application/pdf", jan.replace(second=4)),
        _exchange(URL["bigpdf"], pdf("Oversized bulletin appendix", "Appendix", "Bureau",
                                     padding=30_000), "application/pdf", jan.replace(second=5)),
    ]
    second = [
        _exchange(URL["yearbook"], page["list-gb18030"], "text/html; charset=gb2312", jun,
                  extra=[("Transfer-Encoding", "chunked")]),
        _exchange(URL["english"], page["english"], "text/html; charset=utf-8",
                  jun.replace(second=1)),
        _exchange(URL["library"], page["library"], "text/html; charset=utf-8",
                  jun.replace(second=2)),
    ]
    closed = []
    for serial, batch in enumerate((first, second)):
        writer = WarcWriter(archive, prefix="corpus", hostname=f"h{serial}",
                            warcinfo={"software": "Diancang/test"})
        for ex in batch:
            writer.write_exchange(ex)
        done = writer.close()
        assert done is not None
        closed.append(done)
    return closed


GOV_NOTICE = {"index_no": "006939748/2017-00123", "agency": "广东省人民政府办公厅",
              "written_date": "2017-05-28", "published_date": "2017-06-01",
              "doc_no": "粤府〔2017〕12号", "subject": "国民经济管理"}
GOV_YEARBOOK = {"index_no": "11440100/2018-00007", "agency": "广州市统计局",
                "written_date": "2018-03-01", "published_date": "2018-03-09",
                "doc_no": "穗统字〔2018〕3号", "subject": "统计信息"}
GOV = tuple(GOV_NOTICE)
CAP = 20_000            # bytes of PDF: big.pdf is over it


def setup_corpus(catalog: Catalog, home: Path) -> tuple[Path, list[Any]]:
    """Seeds imported, both corpus WARCs written; the first recorded as a crawl's file."""
    coll_dir = home / "corpus"
    closed = write_corpus(coll_dir / "archive")
    seed_file = home / "corpus.yaml"
    seed_file.write_text(SEEDS, encoding="utf-8")
    with catalog.session() as s:
        import_seed_list(s, load_seed_list(seed_file, defaults=SEED_DEFAULTS))
        crawl = start_crawl(s, s.scalars(select(Collection)).one())
        record_warc_file(s, collection_id=crawl.collection_id, crawl_id=crawl.id,
                         closed=closed[0])
    return coll_dir, closed
