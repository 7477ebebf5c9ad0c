"""``diancang crawls``: the crawl history, a distributed crawl as one crawl with a line per
worker (its figures heartbeat into the catalogue, its queue from the crawl's ``stats.json``,
which the coordinator rewrites every second)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from catalog.crawls import crawl_summary, list_crawls
from catalog.workers import summed, worker_summary, workers_by_crawl
from diancang.home import Home
from seeds.limits import human_bytes


def crawl_rows(home: Home, collection: str | None) -> list[dict[str, Any]]:
    stale_after = float(home.settings["frontier.lease_timeout"])
    with home.catalog.session() as session:
        crawls = list_crawls(session, collection)
        rows = [crawl_summary(c, slug) for c, slug in crawls]
        workers = workers_by_crawl(session, [c.id for c, _ in crawls])
        for row in rows:
            own = workers.get(row["id"])
            if not own:
                continue
            row["workers"] = [worker_summary(w, stale_after=stale_after) for w in own]
            if row["status"] == "running":     # the live figures, summed
                row.update(summed(own))
                live: dict[str, Any] = {}
                with contextlib.suppress(OSError, ValueError):
                    live = json.loads(home.crawl(row["id"]).stats.read_text(encoding="utf-8"))
                row["queued"] = live.get("queued")
                row["rate"] = live.get("rate")
    return rows


HEADER = (f"{'id':>5}  {'collection':<16} {'status':<9} {'started':<25} "
          f"{'pages':>7} {'revisits':>8} {'fetched':>10} {'stored':>10} {'errors':>6} "
          f"{'pages/s':>8}")


def crawl_lines(row: dict[str, Any]) -> str:
    """A crawl's line under HEADER, and a line per worker of a distributed crawl."""
    stored = human_bytes(row["warc_bytes"]) if row["warc_bytes"] is not None else "-"
    rate = f"{row['rate']:.1f}" if row["rate"] is not None else "-"
    lines = [f"{row['id']:>5}  {row['collection']:<16} {row['status']:<9} "
             f"{row['started']:<25} {row['pages']:>7} {row['revisits']:>8} "
             f"{human_bytes(row['bytes']):>10} {stored:>10} {row['errors']:>6} {rate:>8}"]
    workers = row.get("workers") or []
    if workers:
        queued = row.get("queued")
        lines.append(f"{'':>7}{len(workers)} workers"
                     + (f", queue {queued}" if queued is not None else "") + ":")
    for w in workers:
        lines.append(f"{'':>9}{w['name']:<24} {w['host']:<16} {w['status']:<9} "
                     f"{w['pages']:>7} pages {w['rate']:>7.1f} pages/s "
                     f"{w['in_flight']:>3} in flight {w['errors']:>5} errors")
    return "\n".join(lines)
