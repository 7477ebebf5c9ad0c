"""``failed.jsonl``: the requests of a crawl that got no response, one JSON object a line.

A 4xx/5xx answer is archived and catalogued like any capture, but a request that errored
(connection refused, timeout, DNS failure) leaves nothing in the WARC files, so nothing in the
catalogue either.  Its URL is appended here, in the crawl directory beside ``stats.json``, so a
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

from reports.crawl_report import FAILED_FILE


def record_failure(crawl_dir: Path, *, url: str, error: str, message: str,
                   seed: str | None) -> None:
    """Append one errored request (``error``: the exception's class name)."""
    entry = {"url": url, "error": error, "message": message[:500], "seed": seed,
             "time": datetime.now(UTC).isoformat(timespec="seconds")}
    crawl_dir.mkdir(parents=True, exist_ok=True)
    with (crawl_dir / FAILED_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
