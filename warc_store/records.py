"""One HTTP fetch as the crawler saw it on the wire, and the WARC records warcio builds from it.

The crawler hands over plain values (no Scrapy types); warcio builds every record and
computes its digests.  Bodies arrive already de-chunked by the HTTP client, so a response
that said ``Transfer-Encoding: chunked`` is stored re-chunked: the header then matches the
stored bytes, and readers (warcio, pywb) de-chunk it again.

Deduplication across crawls: given the ``Original`` capture of the same URL (from an earlier
crawl), a 200 response whose payload digest is unchanged becomes a ``revisit`` record
(profile identical-payload-digest, ``WARC-Refers-To-Target-URI`` and ``-Date``): the HTTP
headers are kept, the payload is not.  The payload digest is computed once, here, and handed
to warcio, which then does not hash the body a second time.

A ``304 Not Modified`` answer to a conditional request (one that sent ``If-None-Match`` or
``If-Modified-Since``) for a URL with an ``Original`` becomes a revisit record of profile
server-not-modified (WARC 1.1 section 6.7.3) referring to that original, with an empty
block: the 304's headers are not kept, because pywb replays a revisit's own HTTP headers and
would serve the 304 itself (a 3xx revisit is replayed without its original's payload), while
a revisit without them replays as its original.  The request record beside it keeps the
validators that were sent.  Such a record has no ``WARC-Payload-Digest`` (the profile forbids
one: no payload was received).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from urllib.parse import urlsplit

from w3lib.url import safe_url_string
from warcio.recordloader import ArcWarcRecord
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True, slots=True)
class HttpExchange:
    url: str
    method: str
    request_headers: Sequence[tuple[str, str]]   # latin-1 decoded, as sent
    request_body: bytes
    status: int
    reason: str
    protocol: str                                # "HTTP/1.1"
    response_headers: Sequence[tuple[str, str]]  # latin-1 decoded, as received
    body: bytes                                  # before decompression, de-chunked
    ip_address: str | None
    date: datetime                               # when the request was sent (UTC)
    truncated: str | None = None                 # WARC-Truncated: length | time | disconnect


@dataclass(frozen=True, slots=True)
class Original:
    """The capture a revisit record refers to: an earlier response with this payload."""
    digest: str                                  # "sha1:<base32>", as in WARC-Payload-Digest
    uri: str                                     # its WARC-Target-URI
    date: str                                    # its WARC-Date (W3C ISO 8601)
    # its validators, for a conditional request (None: it had none, or they are not known)
    etag: str | None = None                      # its ETag header, as sent
    last_modified: str | None = None             # its Last-Modified header, as sent
    # where it is stored, so a 304's page can be read back for its links: (file name, offset)
    location: tuple[str, int] | None = None


class Builder(WARCWriter):  # type: ignore[misc]  # warcio ships no type information
    """warcio's record builder and serialiser, less some headers an unchanged recrawl pays for
    on every fetch (each costs about 38 gzipped bytes, 4% of such a fetch's records):

    - a request without a body (every GET) gets no ``WARC-Payload-Digest``: WARC 1.1 gives a
      payload digest to records with a well-defined payload, and a bodiless request has none
      (the digest of nothing, the same on every record).  A form POST keeps its digest.
    - a revisit record without a block (server-not-modified) gets no ``WARC-Block-Digest``:
      the digest of nothing again.
    """

    def ensure_digest(self, record: ArcWarcRecord, block: bool = True,
                      payload: bool = True) -> None:
        if record.rec_type == "request" and not record.payload_length:
            payload = False
        if record.rec_type == "revisit" and record.http_headers is None:
            block = payload = False
        super().ensure_digest(record, block=block, payload=payload)


# Only a 200's payload is compared: a redirect or an error page is small, and is kept whole.
REVISIT_STATUSES = frozenset((200,))
NOT_MODIFIED_PROFILE = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
CONDITIONAL_HEADERS = ("if-none-match", "if-modified-since")


def conditional(headers: Sequence[tuple[str, str]]) -> bool:
    """Whether a request's headers make it conditional (a 304 then means "unchanged")."""
    return any(name.lower() in CONDITIONAL_HEADERS for name, _ in headers)


def not_modified(ex: HttpExchange, original: Original | None) -> bool:
    """A 304 answer to our conditional request for a URL whose original we hold."""
    return (original is not None and ex.status == 304 and ex.method == "GET"
            and conditional(ex.request_headers))


def payload_digest(payload: bytes) -> str:
    """The WARC payload digest of stored payload bytes, as warcio, pywb and Heritrix write it."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def is_chunked(headers: Sequence[tuple[str, str]]) -> bool:
    return any(name.lower() == "transfer-encoding" and "chunked" in value.lower()
               for name, value in headers)


def rechunk(body: bytes) -> bytes:
    """The body as one HTTP/1.1 chunk plus the last chunk."""
    if not body:
        return b"0\r\n\r\n"
    return b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def _request_target(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def exchange_records(builder: Builder, ex: HttpExchange,
                     previous: Mapping[str, Original] | None = None) -> tuple[ArcWarcRecord,
                                                                              ArcWarcRecord]:
    """(response, request) records of one exchange; the request is Concurrent-To the response.

    The first is a ``revisit`` record instead when ``previous`` holds an ``Original`` for the
    URL with the same payload digest (and the status is 200).
    """
    when = ex.date.astimezone(UTC) if ex.date.tzinfo is not None else ex.date
    date = datetime_to_iso_date(when.replace(tzinfo=None), use_micros=True)
    url = safe_url_string(ex.url)      # an IRI's non-ASCII characters percent-encoded
    body = rechunk(ex.body) if is_chunked(ex.response_headers) else ex.body
    digest = payload_digest(body)
    warc_headers = {"WARC-Date": date}
    if ex.ip_address:
        warc_headers["WARC-IP-Address"] = ex.ip_address
    if ex.truncated:
        warc_headers["WARC-Truncated"] = ex.truncated
    http_headers = StatusAndHeaders(f"{ex.status} {ex.reason}".strip(),
                                    list(ex.response_headers), protocol=ex.protocol)
    original = previous.get(url) if previous else None
    if original is not None and not_modified(ex, original):
        response = builder.create_warc_record(
            url, "revisit", payload=BytesIO(b""), length=0,
            warc_headers_dict={**warc_headers, "WARC-Profile": NOT_MODIFIED_PROFILE,
                               "WARC-Refers-To-Target-URI": original.uri,
                               "WARC-Refers-To-Date": original.date})
        response.content_type = None                 # no block, so no type of one
        response.rec_headers.remove_header("Content-Type")
    elif original is not None and original.digest == digest and ex.status in REVISIT_STATUSES:
        response = builder.create_revisit_record(url, digest, original.uri, original.date,
                                                 http_headers=http_headers,
                                                 warc_headers_dict=warc_headers)
    else:
        warc_headers["WARC-Payload-Digest"] = digest
        response = builder.create_warc_record(
            url, "response", payload=BytesIO(body), length=len(body),
            warc_headers_dict=warc_headers, http_headers=http_headers)
    request_headers = list(ex.request_headers)
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", urlsplit(url).netloc))
    request = builder.create_warc_record(
        url, "request", payload=BytesIO(ex.request_body), length=len(ex.request_body),
        warc_headers_dict={"WARC-Date": date,
                           "WARC-Concurrent-To": response.rec_headers.get_header(
                               "WARC-Record-ID")},
        http_headers=StatusAndHeaders(f"{ex.method} {_request_target(url)} HTTP/1.1",
                                      request_headers, is_http_request=True))
    return response, request
