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
from crawler.addon import DEFAULT_HEADERS
from crawler.job import CrawlJob
from crawler.limits import DEADLINE_GRACE, scrapy_maxsize
from crawler.spiders.site import SiteSpider

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
    job.crawl_dir.mkdir(parents=True, exist_ok=True)
    settings.setdict({
        "USER_AGENT": job.user_agent,
        "ROBOTSTXT_OBEY": job.obey_robots,
        "DEFAULT_REQUEST_HEADERS": {**DEFAULT_HEADERS, "Accept-Language": job.accept_language},
        "CONCURRENT_REQUESTS": job.concurrency,
        "DOWNLOAD_DELAY": job.delay,
        "DIANCANG_RESPONSE_DEADLINE": job.timeout,
        "DOWNLOAD_TIMEOUT": job.timeout + DEADLINE_GRACE,
        "DIANCANG_MAX_RESPONSE_SIZE": job.max_response_size,
        "DOWNLOAD_MAXSIZE": scrapy_maxsize(job.max_response_size),
        "DIANCANG_ALLOW_PRIVATE": job.allow_private,
        "DIANCANG_ROBOTS_RETRY_AFTER": job.robots_retry_after,
        "DIANCANG_ROBOTS_ATTEMPTS": job.robots_attempts,
        "RETRY_TIMES": job.retries,
        "LOG_FILE": str(job.crawl_dir / "crawl.log"),
        "LOG_FILE_APPEND": True,
        "LOG_LEVEL": "INFO",
    }, priority="cmdline")
    if job.crawl_id is not None:     # its frontier lives in crawls/<id>/ and survives anything
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
    stats_file = job.crawl_dir / "stats.json"
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    reason = str(stats.get("finish_reason") or (crawler.stats.get_value("finish_reason")
                                                if crawler.stats else None) or "failed")
    return CrawlOutcome(STATUS_BY_REASON.get(reason, "failed" if reason == "failed" else "stopped"),
                        reason, stats)
