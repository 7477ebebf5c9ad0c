"""Revisit records: an unchanged 200 payload is written as a revisit that refers to the
earlier capture; anything else is written whole.  Read back with warcio (digests checked)
and ``warcio check``."""

from __future__ import annotations

import random
from pathlib import Path

from tests.support import warcio_check
from tests.warc_store.writer_helpers import make_exchange, make_writer, read_records, sha1_b32
from warc_store.records import Original, payload_digest

BODY = "<html>unchanged 政府</html>".encode() + random.Random(5).randbytes(4000)
EARLIER = "2024-01-02T03:04:05Z"


def assert_checks(path: Path, revisits: int) -> None:
    """``warcio check`` passes; a revisit's payload digest is (rightly) not checked."""
    proc = warcio_check(path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "digest fail" not in proc.stdout
    assert proc.stdout.count("not checked (revisit)") == revisits, proc.stdout


def test_payload_digest_is_warcio_s() -> None:
    assert payload_digest(BODY) == sha1_b32(BODY)


def test_unchanged_payload_becomes_a_revisit_with_headers_kept(tmp_path: Path) -> None:
    url = "http://example.com/page"
    previous = {url: Original(sha1_b32(BODY), url, EARLIER)}
    writer = make_writer(tmp_path, previous=previous)
    same = writer.write_exchange(make_exchange(url, body=BODY))
    changed = writer.write_exchange(make_exchange(url, body=BODY + b"!"))
    other = writer.write_exchange(make_exchange("http://example.com/new", body=BODY))
    closed = writer.close()
    assert closed is not None
    assert (same.revisit, changed.revisit, other.revisit) == (True, False, False)
    assert_checks(closed.path, 1)

    records = read_records(closed.path)
    assert [r["type"] for r in records] == ["warcinfo", "revisit", "request", "response",
                                            "request", "response", "request"]
    revisit = records[1]
    warc = revisit["warc"]
    assert warc.get_header("WARC-Profile") == \
        "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert warc.get_header("WARC-Refers-To-Target-URI") == url
    assert warc.get_header("WARC-Refers-To-Date") == EARLIER
    assert warc.get_header("WARC-Payload-Digest") == sha1_b32(BODY)
    assert warc.get_header("WARC-Target-URI") == url
    assert revisit["content"] == b"", "the payload is omitted"
    assert revisit["http"].statusline == "200 OK"
    assert revisit["http"].get_header("Content-Type") == "text/html; charset=utf-8"
    assert records[2]["warc"].get_header("WARC-Concurrent-To") == warc.get_header(
        "WARC-Record-ID")
    assert records[3]["content"] == BODY + b"!"
    assert revisit["length"] < records[3]["length"]
    assert same.length == revisit["length"] and same.offset == revisit["offset"]


def test_only_a_200_is_deduplicated(tmp_path: Path) -> None:
    url = "http://example.com/missing"
    writer = make_writer(tmp_path, previous={url: Original(sha1_b32(BODY), url, EARLIER)})
    location = writer.write_exchange(make_exchange(url, status=404, reason="Not Found",
                                                   body=BODY))
    closed = writer.close()
    assert closed is not None and not location.revisit
    assert [r["type"] for r in read_records(closed.path)] == ["warcinfo", "response", "request"]


def test_chunked_payload_digest_matches_the_stored_bytes(tmp_path: Path) -> None:
    url = "http://example.com/chunked"
    headers = [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
    first = make_writer(tmp_path / "a")
    first.write_exchange(make_exchange(url, body=BODY, response_headers=headers))
    closed = first.close()
    assert closed is not None
    digest = read_records(closed.path)[1]["warc"].get_header("WARC-Payload-Digest")
    second = make_writer(tmp_path / "b", previous={url: Original(digest, url, EARLIER)})
    assert second.write_exchange(make_exchange(url, body=BODY, response_headers=headers)).revisit
    closed = second.close()
    assert closed is not None
    assert_checks(closed.path, 1)


NOT_MODIFIED = [("ETag", '"v1"'), ("Date", "Tue, 01 Dec 2026 10:00:00 GMT")]


def test_a_304_to_a_conditional_request_is_a_server_not_modified_revisit(
        tmp_path: Path) -> None:
    """Empty block (pywb would replay the 304's own headers, and a 3xx without a payload),
    no payload digest (WARC 1.1 6.7.3: none was received), the original named; the request
    record keeps the validator sent.  A 304 we did not ask for, or for a URL without an
    original, is stored as the response it is."""
    url = "http://example.com/page"
    previous = {url: Original(sha1_b32(BODY), url, EARLIER, etag='"v1"',
                              location=("t-1.warc.gz", 0))}
    asked = [("User-Agent", "Diancang-test"), ("If-None-Match", '"v1"')]
    writer = make_writer(tmp_path, previous=previous)
    answered = writer.write_exchange(make_exchange(
        url, request_headers=asked, status=304, reason="Not Modified",
        response_headers=NOT_MODIFIED, body=b""))
    unasked = writer.write_exchange(make_exchange(
        url, status=304, reason="Not Modified", response_headers=NOT_MODIFIED, body=b""))
    unknown = writer.write_exchange(make_exchange(
        "http://example.com/other", request_headers=asked, status=304,
        reason="Not Modified", response_headers=NOT_MODIFIED, body=b""))
    closed = writer.close()
    assert closed is not None
    assert (answered.revisit, unasked.revisit, unknown.revisit) == (True, False, False)
    proc = warcio_check(closed.path)
    assert proc.returncode == 0 and "fail" not in proc.stdout, proc.stdout

    records = read_records(closed.path)
    assert [r["type"] for r in records] == ["warcinfo", "revisit", "request", "response",
                                            "request", "response", "request"]
    warc = records[1]["warc"]
    assert warc.get_header("WARC-Profile") == \
        "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
    assert warc.get_header("WARC-Refers-To-Target-URI") == url
    assert warc.get_header("WARC-Refers-To-Date") == EARLIER
    assert warc.get_header("Content-Length") == "0"
    for absent in ("WARC-Payload-Digest", "WARC-Block-Digest", "Content-Type"):
        assert warc.get_header(absent) is None, absent
    assert records[2]["http"].get_header("If-None-Match") == '"v1"'
    assert records[2]["warc"].get_header("WARC-Concurrent-To") == warc.get_header(
        "WARC-Record-ID")
    assert records[3]["http"].statusline == "304 Not Modified"
    assert records[1]["length"] < records[3]["length"]
