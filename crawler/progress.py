"""Crawl progress: a live line on the terminal and the crawl's stats file (``stats.json``).

Every second: pages captured, bytes, rate, queue and errors.  The stats file is rewritten
atomically every few seconds and once more at the end, so ``diancang crawls`` and the web app
can watch a running crawl.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from crawler.job import CrawlJob
from seeds.limits import human_bytes


def crawl_stats(raw: dict[str, Any], elapsed: float) -> dict[str, Any]:
    """Scrapy's stats reduced to the crawl's figures (what the catalogue keeps)."""
    pages = int(raw.get("diancang/captures", 0))
    out: dict[str, Any] = {
        "pages": pages,
        "bytes": int(raw.get("diancang/bytes", 0)),
        "errors": int(raw.get("diancang/errors", 0)),
        "elapsed": round(elapsed, 3),
        "requests": pages + int(raw.get("diancang/errors", 0)),
        "rate": round(pages / elapsed, 2) if elapsed > 0 else 0.0,
        "revisits": int(raw.get("diancang/revisits", 0)),     # unchanged: payload not stored
        "dedup_bytes": int(raw.get("diancang/dedup_bytes", 0)),
        "status": {}, "refused": {}, "error_types": {}, "truncated": {},
        # rendering: how browser: auto decided (auto/<reason>, auto/static), pages rendered,
        # the browser's requests (fetched, answered from memory, refused), screenshots
        "browser": {},
    }
    for key, value in raw.items():
        if key.startswith("diancang/status/"):
            out["status"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("diancang/refused/"):
            out["refused"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("diancang/errors/"):
            out["error_types"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("diancang/truncated/"):
            out["truncated"][key.rsplit("/", 1)[1]] = value
        elif key.startswith("diancang/browser/"):
            out["browser"][key[len("diancang/browser/"):]] = value
        elif key == "diancang/screenshots":
            out["browser"]["screenshots"] = value
    if "finish_reason" in raw:
        out["finish_reason"] = raw["finish_reason"]
    if raw.get("diancang/failed"):                 # a WARC write error stopped the crawl
        out["failed"] = raw["diancang/failed"]
    return out


class Progress:
    def __init__(self, crawler: Crawler, job: CrawlJob):
        self.crawler = crawler
        self.job = job
        self.started = time.monotonic()
        self.cpu_started = time.process_time()
        self.tick = 0
        self.loop: task.LoopingCall | None = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        job = getattr(crawler.spider, "job", None)
        if not isinstance(job, CrawlJob):
            raise NotConfigured("no Diancang crawl job on the spider")
        return cls(crawler, job)

    def opened(self, spider: Spider) -> None:
        self.job.stats_file.parent.mkdir(parents=True, exist_ok=True)
        self.started = time.monotonic()
        self.cpu_started = time.process_time()
        self.loop = task.LoopingCall(self.update)
        self.loop.start(1.0, now=False)

    def snapshot(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        stats = crawl_stats(self.crawler.stats.get_stats(), time.monotonic() - self.started)
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None) or getattr(engine, "slot", None)
        scheduler = getattr(slot, "scheduler", None)
        stats["queued"] = len(scheduler) if scheduler is not None else 0
        stats["in_flight"] = len(engine.downloader.active) if engine is not None else 0
        stats["cpu_seconds"] = round(time.process_time() - self.cpu_started, 3)
        return stats

    def update(self) -> None:
        stats = self.snapshot()
        self.tick += 1
        limit = self.job.limits.duration
        if limit is not None and stats["elapsed"] >= limit:
            from crawler.capture import stop_crawl

            stop_crawl(self.crawler, "limit: duration")
        if self.job.progress:
            sys.stderr.write(
                f"\r\x1b[K{self.job.collection}: {stats['pages']} pages, "
                f"{human_bytes(stats['bytes'])}, {stats['rate']:.1f} pages/s, "
                f"queue {stats['queued']}, in flight {stats['in_flight']}, "
                f"errors {stats['errors']}")
            sys.stderr.flush()
        if self.job.on_progress is not None:
            self.job.on_progress(stats)
        if self.tick % 5 == 0:
            self.write(stats)

    def write(self, stats: dict[str, Any]) -> None:
        path = self.job.stats_file
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)

    def closed(self, spider: Spider, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.job.progress:
            sys.stderr.write("\n")
        stats = self.snapshot()
        stats["finish_reason"] = reason
        self.write(stats)
        if self.job.on_progress is not None:
            self.job.on_progress(stats)
