"""A crawl's job from the archive's settings and layout: every value the crawler uses, passed
down (the crawler declares no defaults of its own).

``diancang crawl`` builds its job here; so does plain ``scrapy crawl site -a seeds=FILE
[-a home=DIR]``, through the ``DIANCANG_JOB_FACTORY`` setting of the Scrapy project.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.job import BrowserOptions, CrawlJob
from diancang.home import DEFAULT_HOME, CrawlPaths, Home
from diancang.settings import Settings
from seeds.model import Seed
from seeds.parse import load_seed_list


def crawl_job(home: Home, collection: str, seeds: tuple[Seed, ...], paths: CrawlPaths,
              **extra: Any) -> CrawlJob:
    """The job of one crawl of ``collection``; ``extra``: the crawl's own fields (crawl_id,
    title, max_pages, progress, on_warc_closed, previous, limits)."""
    settings = home.settings
    return CrawlJob(
        collection=collection, seeds=seeds,
        archive_dir=home.collection(collection).archive, log_file=paths.log,
        stats_file=paths.stats, failed_file=paths.failed, frontier_file=paths.frontier,
        user_agent=settings.user_agent, operator=settings["operator.name"],
        obey_robots=settings["crawl.obey_robots"], conditional=settings["crawl.conditional"],
        accept_language=settings["crawl.accept_language"],
        concurrency=settings["crawl.concurrency"],
        host_concurrency=settings["crawl.host_concurrency"], delay=settings["crawl.delay"],
        timeout=settings["crawl.timeout"], retries=settings["crawl.retries"],
        max_response_size=settings["crawl.max_response_size"],
        allow_private=settings["crawl.allow_private"],
        robots_retry_after=settings["crawl.robots_retry_after"],
        robots_attempts=settings["crawl.robots_attempts"],
        warc_max_size=settings["warc.max_size"], gzip_level=settings["warc.gzip_level"],
        traps=settings.trap_limits(),
        browser=browser_options(settings), **extra)


def browser_options(settings: Settings) -> BrowserOptions:
    """The ``crawl.browser_*`` settings as the crawler's rendering options."""
    return BrowserOptions(
        executable=settings["crawl.browser_executable"], pages=settings["crawl.browser_pages"],
        restart_every=settings["crawl.browser_restart_every"],
        timeout=settings["crawl.browser_timeout"], settle=settings["crawl.browser_settle"],
        clicks=settings["crawl.browser_clicks"], scrolls=settings["crawl.browser_scrolls"],
        screenshots=settings["crawl.browser_screenshots"])


def job_for_seed_file(seed_file: str, home: str | None) -> CrawlJob:
    """The job of plain ``scrapy crawl site -a seeds=FILE [-a home=DIR]``: the seed list's
    collection, crawled with HOME's settings (``./archive`` as for ``diancang``) into its
    layout; the crawl's own files go to ``crawls/scrapy``."""
    archive = Home(Path(home or DEFAULT_HOME))
    seed_list = load_seed_list(seed_file, defaults=archive.settings.seed_defaults)
    return crawl_job(archive, seed_list.collection, seed_list.seeds,
                     CrawlPaths(archive.crawls / "scrapy"), title=seed_list.title)

