"""A WARC file's ``warcinfo`` record read back: what the catalogue is rebuilt from.

Our crawler's warcinfo names the collection (``isPartOf``), its title (``description``), the
crawl (``crawl``) and carries the collection's seed list as one JSON line
(``diancang-seed-list``); other tools' warcinfo records have some of these or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warc_store.reader import decode_header


@dataclass(frozen=True, slots=True)
class WarcInfo:
    date: datetime | None           # the record's WARC-Date
    fields: dict[str, str]          # its application/warc-fields, first value of each name


def parse_fields(block: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in decode_header(block).splitlines():
        name, sep, value = line.partition(":")
        if sep and name.strip():
            fields.setdefault(name.strip(), value.strip())
    return fields


def read_warcinfo(path: Path) -> WarcInfo | None:
    """The file's first record, if it is a ``warcinfo``; None otherwise or if unreadable."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    try:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh, no_record_parse=True):
                if record.rec_type != "warcinfo":
                    return None
                block = record.content_stream().read()
                raw_date = record.rec_headers.get_header("WARC-Date") or ""
                try:
                    date = datetime.fromisoformat(raw_date)
                except ValueError:
                    date = None
                if date is not None and date.tzinfo is None:
                    date = date.replace(tzinfo=UTC)
                return WarcInfo(date, parse_fields(block))
    except (ArchiveLoadFailed, OSError, ValueError, EOFError):
        return None
    return None
