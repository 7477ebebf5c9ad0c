"""Decompression bombs at index time: a page stored as a small ``gzip`` or ``br`` body that
expands to gigabytes is decoded in steps only up to ``index.max_decoded_bytes``: memory stays
bounded, the capture is indexed with the text of what was read, marked ``text_truncated``."""

from __future__ import annotations

import resource
import zlib
from datetime import UTC, datetime
from pathlib import Path

import brotlicffi
from sqlalchemy import select

from catalog.db import Catalog
from catalog.models import Capture, Collection
from indexer.collection import index_collection
from tests.indexer.corpus import dirs
from tests.warc_store.writer_helpers import make_exchange, make_writer

HEAD = (b"<!doctype html><html><head><title>bomb page</title></head><body><p>"
        + "开头的文字 words before the zeros ".encode() * 20)
ZEROS = bytes(1 << 24)            # 16 MiB
CAP = 1_000_000


def gzip_bomb() -> bytes:
    """HEAD then 2 GiB of zeros: the first gzip member compressed once (64 MiB of zeros),
    the rest copies of one member of zeros (a multi-member stream, as RFC 1952 allows)."""
    first = zlib.compressobj(9, zlib.DEFLATED, 31)
    head = first.compress(HEAD) + b"".join(first.compress(ZEROS) for _ in range(4)) + first.flush()
    zeros = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = b"".join(zeros.compress(ZEROS) for _ in range(4)) + zeros.flush()
    return head + member * 31


def br_bomb() -> bytes:
    """HEAD then 1 GiB of zeros, as one brotli stream."""
    compressor = brotlicffi.Compressor(quality=1)
    parts = [compressor.process(HEAD)]
    parts += [compressor.process(ZEROS) for _ in range(64)]
    return b"".join(parts) + compressor.finish()


def peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_bombs_are_decoded_to_the_cap_and_indexed(catalog_url: str, tmp_path: Path) -> None:
    coll_dir = tmp_path / "bombs"
    writer = make_writer(coll_dir / "archive")
    bombs = {"gzip": gzip_bomb(), "br": br_bomb()}
    assert all(len(body) < 3_000_000 for body in bombs.values())
    for encoding, body in bombs.items():
        writer.write_exchange(make_exchange(
            f"http://example.com/{encoding}", body=body,
            response_headers=[("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Encoding", encoding),
                              ("Content-Length", str(len(body)))]))
    writer.write_exchange(make_exchange("http://example.com/plain"))
    writer.close()
    catalog = Catalog(catalog_url)
    with catalog.session() as session:
        session.add(Collection(slug="bombs", title="bombs", created=datetime.now(UTC),
                               updated=datetime.now(UTC)))
    before = peak_rss()
    result = index_collection(catalog, "bombs", *dirs(coll_dir), workers=1, max_decoded_bytes=CAP,
                              lease=60.0, pdf_max_bytes=1000)
    grown = peak_rss() - before
    assert result.captures == 3 and result.problems == []
    assert grown < 200_000_000, f"peak RSS grew by {grown} bytes"
    with catalog.session() as session:
        rows = {c.url: c for c in session.scalars(select(Capture))}
    for encoding in bombs:
        row = rows[f"http://example.com/{encoding}"]
        assert row.title == "bomb page" and row.text_truncated is True
        assert row.text is not None and "words before the zeros" in row.text
    assert rows["http://example.com/plain"].text_truncated is None
    catalog.dispose()
