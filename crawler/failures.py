"""The requests of a crawl that got no response, one JSON object a line (``failed.jsonl`` in
the crawl's directory: the composition root names the file).

A 4xx/5xx answer is archived and catalogued like any capture, but a request that errored
(connection refused, timeout, DNS failure) leaves nothing in the WARC files, so nothing in the
catalogue either.  Its URL is appended here, beside the crawl's ``stats.json``, so a
curator can see which resources to crawl again (``diancang report``, the web app).  A file,
not catalogue rows: the catalogue's captures are what the WARCs hold, and can be rebuilt from
them alone; an errored request is a fact about the crawl, like its log.  Failures are rare, so
each is one append (the file opened and closed), which a crash cannot leave half-written in
any way a reader minds: readers skip a line that does not parse.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path


def record_failure(path: Path, *, url: str, error: str, message: str,
                   seed: str | None) -> None:
    """Append one errored request (``error``: the exception's class name)."""
    entry = {"url": url, "error": error, "message": message[:500], "seed": seed,
             "time": datetime.now(UTC).isoformat(timespec="seconds")}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
