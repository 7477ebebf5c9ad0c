"""One crawl's plain parameters: what the command line (or a test) hands the crawler."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from seeds.model import Limits, Seed
from seeds.traps import DEFAULT_TRAPS, TrapLimits
from warc_store.records import Original
from warc_store.writer import ClosedWarc

# What a reader's browser in mainland China sends; sites that pick a language by it (Hong Kong
# and Macao portals, bilingual agencies) then serve the pages their readers see.
ACCEPT_LANGUAGE = "zh-CN,zh;q=0.9,en;q=0.8"


@dataclass(frozen=True)
class BrowserOptions:
    """How Chromium renders the pages of seeds with ``browser: auto | on``."""
    executable: str = "/usr/bin/chromium"
    pages: int = 2                    # pages rendered at once
    restart_every: int = 100          # pages after which the browser is started afresh
    timeout: float = 30.0             # seconds a page may take to load
    settle: float = 5.0               # seconds waited at most for the network to settle
    clicks: int = 5                   # "load more" / next-page clicks per page, at most
    scrolls: int = 10                 # scrolls to the end per page, at most
    screenshots: bool = True          # a screenshot of each rendered page into the WARC


@dataclass(frozen=True)
class CrawlJob:
    collection: str
    seeds: tuple[Seed, ...]
    archive_dir: Path                 # collections/<coll>/archive
    crawl_dir: Path                   # crawls/<crawl-id>: log and stats.json
    user_agent: str
    operator: str = ""
    title: str = ""
    crawl_id: int | None = None
    obey_robots: bool = True
    accept_language: str = ACCEPT_LANGUAGE   # sent with every request, as a reader's browser
    concurrency: int = 16             # connections across all hosts
    host_concurrency: int = 2         # per host when its seed gives none
    delay: float = 1.0                # per host when its seed gives none
    timeout: float = 180.0            # seconds a download may take; a body still arriving is cut
    max_response_size: int = 100_000_000   # bytes kept of one body; the rest is cut
    allow_private: bool = False       # fetch from private, loopback and link-local addresses
    robots_retry_after: float = 60.0  # seconds before an unreachable robots.txt is asked again
    robots_attempts: int = 3          # tries before an unreachable robots.txt disallows a host
    retries: int = 2
    max_pages: int | None = None      # a cap on the whole crawl, on top of each seed's
    warc_max_size: int = 1_000_000_000
    gzip_level: int = 6
    traps: TrapLimits = DEFAULT_TRAPS  # trap guards: URL shape, query variants, host budget ...
    progress: bool = False            # draw a live progress line on stderr
    on_warc_closed: Callable[[ClosedWarc], None] | None = field(default=None, compare=False)
    # URL -> its latest earlier capture: unchanged 200 responses become revisit records
    previous: Mapping[str, Original] = field(default_factory=dict, compare=False, repr=False)
    limits: Limits = field(default_factory=Limits)   # where the crawl stops: time, pages, bytes
    browser: BrowserOptions = field(default_factory=BrowserOptions)
