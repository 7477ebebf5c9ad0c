"""The digest map a recrawl deduplicates against: each URL's latest capture, if unchanged
content can refer to it.

Loaded once when a crawl starts (one pass over the collection's capture rows, oldest first),
so the crawl's per-response lookup is a dict lookup.  A URL whose latest capture was a 200
response maps to that response; one whose latest capture was a revisit maps to the response it
refers to (revisits always point at a record holding the payload); one whose latest capture
was anything else (a redirect, an error) maps to nothing, so its next 200 is stored whole.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Capture
from warc_store.records import Original


def warc_date(timestamp: str) -> str:
    """A 14-digit capture timestamp as a WARC date (``20240506070809`` -> ISO 8601, UTC)."""
    t = timestamp.ljust(14, "0")
    return f"{t[0:4]}-{t[4:6]}-{t[6:8]}T{t[8:10]}:{t[10:12]}:{t[12:14]}Z"


def previous_captures(session: Session, collection_id: int) -> dict[str, Original]:
    """URL -> the ``Original`` an unchanged 200 response of that URL would refer to."""
    rows = session.execute(
        select(Capture.url, Capture.digest, Capture.timestamp, Capture.record_type,
               Capture.status)
        .where(Capture.collection_id == collection_id)
        .order_by(Capture.timestamp, Capture.id))
    latest: dict[str, Original] = {}
    for url, digest, timestamp, record_type, status in rows:
        if record_type == "revisit":
            held = latest.get(url)
            if held is None or held.digest != f"sha1:{digest}":
                latest.pop(url, None)       # refers to a payload we cannot place: store anew
            continue
        if status == 200 and digest and digest != "-":
            latest[url] = Original(f"sha1:{digest}", url, warc_date(timestamp))
        else:
            latest.pop(url, None)
    return latest
