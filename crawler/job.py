"""One crawl's plain parameters: what the command line (or a test) hands the crawler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.addon import ACCEPT
from crawler.limits import DEADLINE_GRACE, scrapy_maxsize
from seeds.model import Limits, Seed
from seeds.traps import TrapLimits
from warc_store.records import Original
from warc_store.writer import ClosedWarc


@dataclass(frozen=True, kw_only=True)
class BrowserOptions:
    """How Chromium renders the pages of seeds with ``browser: auto | on``."""
    executable: str                   # Chromium's binary
    pages: int                        # pages rendered at once
    restart_every: int                # pages after which the browser is started afresh
    timeout: float                    # seconds a page may take to load
    settle: float                     # seconds waited at most for the network to settle
    clicks: int                       # "load more" / next-page clicks per page, at most
    scrolls: int                      # scrolls to the end per page, at most
    screenshots: bool                 # a screenshot of each rendered page into the WARC


@dataclass(frozen=True, kw_only=True)
class Distributed:
    """A worker's share of a distributed crawl: the frontier in Redis (crawler.redis_frontier),
    shared with the crawl's other workers."""
    url: str                          # Redis, e.g. redis://host:6379/0
    prefix: str                       # of every key
    worker: str                       # this worker's name (in its WARC files' names too)
    lease_timeout: float              # seconds before a silent worker's hosts are taken back


@dataclass(frozen=True, kw_only=True)
class CrawlJob:
    """Every value is the caller's (the archive's settings, the home's paths): the crawler
    declares no defaults of its own beyond what a crawl may leave out."""

    collection: str
    seeds: tuple[Seed, ...]
    archive_dir: Path                 # where the WARC files go
    log_file: Path                    # Scrapy's log of the crawl
    stats_file: Path                  # its figures, rewritten while it runs
    failed_file: Path                 # its requests that got no answer (crawler.failures)
    frontier_file: Path | None = None  # its frontier (crawler.frontier), which survives a kill
    user_agent: str
    operator: str                     # who runs the crawl, written into each warcinfo
    obey_robots: bool
    accept_language: str              # sent with every request, as a reader's browser
    concurrency: int                  # connections across all hosts
    host_concurrency: int             # per host when its seed gives none
    delay: float                      # per host when its seed gives none
    timeout: float                    # seconds a download may take; a body still arriving is cut
    max_response_size: int            # bytes kept of one body; the rest is cut
    allow_private: bool               # fetch from private, loopback and link-local addresses
    robots_retry_after: float         # seconds before an unreachable robots.txt is asked again
    robots_attempts: int              # tries before an unreachable robots.txt disallows a host
    retries: int
    warc_max_size: int
    gzip_level: int
    traps: TrapLimits                 # trap guards: URL shape, query variants, host budget ...
    title: str = ""
    crawl_id: int | None = None
    max_pages: int | None = None      # a cap on the whole crawl, on top of each seed's
    progress: bool = False            # draw a live progress line on stderr
    # "this WARC file is closed": the composition root indexes it (the crawler knows no indexer)
    on_warc_closed: Callable[[ClosedWarc], None] | None = field(default=None, compare=False)
    # URL -> its latest earlier capture: unchanged 200 responses become revisit records
    previous: Mapping[str, Original] = field(default_factory=dict, compare=False, repr=False)
    # ask for URLs of ``previous`` with If-None-Match / If-Modified-Since (crawler.conditional)
    conditional: bool = False
    limits: Limits = field(default_factory=Limits)   # where the crawl stops: time, pages, bytes
    # the collection's seed list as one JSON line (seeds.model.seed_list_to_json), written into
    # every warcinfo so the catalogue can be rebuilt from the WARC files alone
    seed_list: str = ""
    browser: BrowserOptions
    # a worker of a distributed crawl: its frontier in Redis, shared (None: this process alone)
    distributed: Distributed | None = None
    # each second, the crawl's figures (crawler.progress): a worker heartbeats them
    on_progress: Callable[[dict[str, Any]], None] | None = field(default=None, compare=False)


def job_settings(job: CrawlJob) -> dict[str, Any]:
    """The Scrapy settings that carry the job's values (``diancang crawl`` sets them on the
    command line's level, ``scrapy crawl site`` from the spider)."""
    return {
        "USER_AGENT": job.user_agent,
        "ROBOTSTXT_OBEY": job.obey_robots,
        "DEFAULT_REQUEST_HEADERS": {"Accept": ACCEPT, "Accept-Language": job.accept_language},
        "CONCURRENT_REQUESTS": job.concurrency,
        "DOWNLOAD_DELAY": job.delay,
        # crawler.limits: keep what came of a long, slow or broken body, marked as cut
        "DIANCANG_RESPONSE_DEADLINE": job.timeout,
        "DOWNLOAD_TIMEOUT": job.timeout + DEADLINE_GRACE,
        "DIANCANG_MAX_RESPONSE_SIZE": job.max_response_size,
        "DOWNLOAD_MAXSIZE": scrapy_maxsize(job.max_response_size),
        "DIANCANG_ALLOW_PRIVATE": job.allow_private,
        # crawler.robots: an unreachable robots.txt is asked again, then means "disallow"
        "DIANCANG_ROBOTS_RETRY_AFTER": job.robots_retry_after,
        "DIANCANG_ROBOTS_ATTEMPTS": job.robots_attempts,
        "RETRY_TIMES": job.retries,
    }
