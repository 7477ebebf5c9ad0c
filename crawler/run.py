"""Running one crawl in this process (Twisted's reactor runs once per process, so the
scheduler starts each crawl as a child ``diancang crawl``)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from crawler import settings as project_settings
from crawler.browsing import needs_asyncio
from crawler.job import CrawlJob, job_settings
from crawler.spiders.site import SiteSpider

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
# Scrapy's finish reasons -> the catalogue's crawl status
STATUS_BY_REASON = {"finished": "finished", "shutdown": "stopped"}


@dataclass(frozen=True, slots=True)
class CrawlOutcome:
    status: str          # finished | stopped | failed
    reason: str          # Scrapy's finish reason ("finished", "shutdown", ...)
    stats: dict[str, Any]


def scrapy_settings(job: CrawlJob) -> Settings:
    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    job.log_file.parent.mkdir(parents=True, exist_ok=True)
    settings.setdict({
        **job_settings(job),
        "LOG_FILE": str(job.log_file),
        "LOG_FILE_APPEND": True,
        "LOG_LEVEL": "INFO",
    }, priority="cmdline")
    if needs_asyncio(job):
        # Playwright drives Chromium on asyncio; a crawl that renders nothing keeps epoll
        settings.set("TWISTED_REACTOR", ASYNCIO_REACTOR, priority="cmdline")
    if job.crawl_id is not None and job.distributed is not None:   # shared by workers
        settings.set("SCHEDULER", "crawler.redis_scheduler.RedisScheduler", priority="cmdline")
        settings.set("DOWNLOADER_MIDDLEWARES", {
            **settings.getdict("DOWNLOADER_MIDDLEWARES"),
            # around capture (950): a response written by a worker that died is not written
            # twice
            "crawler.redis_scheduler.SkipWritten": 955,
            "crawler.redis_scheduler.MarkWritten": 945},
            priority="command")      # below the add-on's, which keeps them in its own dict
    elif job.crawl_id is not None and job.frontier_file is not None:   # it survives anything
        settings.set("SCHEDULER", "crawler.frontier_scheduler.FrontierScheduler",
                     priority="cmdline")
    return settings


def run_crawl(job: CrawlJob) -> CrawlOutcome:
    """Run the crawl to its end (or to Ctrl-C: the first stops it cleanly, WARCs closed)."""
    process = CrawlerProcess(scrapy_settings(job))
    crawler = process.create_crawler(SiteSpider)
    process.crawl(crawler, job=job)
    process.start()
    logging.getLogger().handlers.clear()
    stats_file = job.stats_file
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    reason = str(stats.get("finish_reason") or (crawler.stats.get_value("finish_reason")
                                                if crawler.stats else None) or "failed")
    if stats.get("failed"):            # a write error: what was fetched after it is lost
        return CrawlOutcome("failed", str(stats["failed"]), stats)
    return CrawlOutcome(STATUS_BY_REASON.get(reason, "failed" if reason == "failed" else "stopped"),
                        reason, stats)
