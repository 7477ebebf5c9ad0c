"""CDXJ indexes for pywb, written by pywb's own indexer, and read back for the catalogue.

One index per WARC file (``indexes/<warc name>.cdxj``): pywb reads every CDXJ file in a
collection's ``indexes/`` directory, and a per-file index makes indexing a closed file
incremental and idempotent.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pywb.indexer.cdxindexer import write_cdx_index


@dataclass(frozen=True, slots=True)
class CdxjEntry:
    urlkey: str
    timestamp: str
    url: str
    status: str | None
    mime: str | None
    digest: str | None
    length: int
    offset: int
    filename: str
    extra: dict[str, Any] = field(default_factory=dict)


def index_warc(warc: Path, cdxj: Path) -> int:
    """Write the sorted CDXJ index of one WARC file atomically; returns its line count."""
    tmp = cdxj.with_name(cdxj.name + ".tmp")
    with warc.open("rb") as infile, tmp.open("wb") as outfile:
        write_cdx_index(outfile, infile, warc.name, cdxj=True, sort=True,
                        include_all=False, append_post=True)
    os.replace(tmp, cdxj)
    with cdxj.open("rb") as fh:
        return sum(1 for _ in fh)


def parse_line(line: str) -> CdxjEntry:
    urlkey, timestamp, rest = line.rstrip("\n").split(" ", 2)
    data = json.loads(rest)
    known = {"url", "status", "mime", "digest", "length", "offset", "filename"}
    return CdxjEntry(urlkey=urlkey, timestamp=timestamp, url=data.get("url", ""),
                     status=data.get("status"), mime=data.get("mime"),
                     digest=data.get("digest"), length=int(data.get("length", 0)),
                     offset=int(data.get("offset", 0)), filename=data.get("filename", ""),
                     extra={k: v for k, v in data.items() if k not in known})


def iter_cdxj(path: Path) -> Iterator[CdxjEntry]:
    with path.open("r", encoding="utf-8") as fh:
        for line in fh:
            if line.strip() and not line.startswith("!"):
                yield parse_line(line)
