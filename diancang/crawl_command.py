"""``diancang crawl``: one crawl of one collection, from catalogue to indexed WARCs."""

from __future__ import annotations

from pathlib import Path

import click

from catalog.background import BackgroundIndexer
from catalog.collections import get_collection, import_seed_list, seed_list_of
from catalog.crawls import finish_crawl, record_warc_file, start_crawl
from catalog.indexer import IndexResult, index_collection
from catalog.models import Collection
from crawler.job import CrawlJob
from crawler.progress import human_bytes
from crawler.run import CrawlOutcome, run_crawl
from crawler.spiders.site import with_depth
from diancang.errors import NotFound
from diancang.home import Home
from seeds.model import SeedList
from seeds.parse import load_seed_list
from warc_store.repair import repair_open_files
from warc_store.writer import ClosedWarc


def _load_collection(home: Home, collection: str, seed_file: Path | None) -> tuple[int, SeedList]:
    catalog = home.catalog
    with catalog.session() as session:
        if seed_file is not None:
            seed_list = load_seed_list(seed_file, defaults=home.settings.seed_defaults)
            if seed_list.collection != collection:
                raise NotFound(f"{seed_file}: collection is {seed_list.collection!r}, "
                               f"but the crawl is of {collection!r}")
            import_seed_list(session, seed_list)
        coll = get_collection(session, collection)
        if coll is None:
            raise NotFound(f"no collection {collection!r} in the catalogue; import its seed "
                           f"list first: diancang seeds import FILE (or crawl --seeds FILE)")
        return coll.id, seed_list_of(coll)


def run(home: Home, collection: str, *, seed_file: Path | None, max_pages: int | None,
        depth: int | None, progress: bool) -> int:
    """Crawl, record, index and summarise. Returns the process exit status."""
    home.require()
    settings, catalog = home.settings, home.catalog
    coll_id, seed_list = _load_collection(home, collection, seed_file)
    coll_dir = home.ensure_collection(collection)
    with catalog.session() as session:
        crawl_id = start_crawl(session, session.get_one(Collection, coll_id)).id

    index_options = {"workers": settings["index.workers"],
                     "pdf_max_bytes": settings["index.pdf_max_bytes"]}
    background = BackgroundIndexer(catalog, collection, coll_dir / "indexes", **index_options)

    def on_closed(closed: ClosedWarc) -> None:
        with catalog.session() as session:
            record_warc_file(session, collection_id=coll_id, crawl_id=crawl_id, closed=closed)
        background.submit(closed.path)     # indexed by another thread as the crawl goes on

    for repaired in repair_open_files(coll_dir / "archive", on_close=on_closed):
        click.echo(f"repaired {repaired.filename} left open by an earlier crawl", err=True)

    job = with_depth(CrawlJob(
        collection=collection, seeds=seed_list.seeds, title=seed_list.title,
        archive_dir=coll_dir / "archive", crawl_dir=home.crawl_dir(crawl_id), crawl_id=crawl_id,
        user_agent=settings.user_agent, operator=settings["operator.name"],
        obey_robots=settings["crawl.obey_robots"], concurrency=settings["crawl.concurrency"],
        host_concurrency=settings["crawl.host_concurrency"], delay=settings["crawl.delay"],
        timeout=settings["crawl.timeout"], retries=settings["crawl.retries"],
        max_response_size=settings["crawl.max_response_size"],
        allow_private=settings["crawl.allow_private"],
        robots_retry_after=settings["crawl.robots_retry_after"],
        robots_attempts=settings["crawl.robots_attempts"],
        max_pages=max_pages, warc_max_size=settings["warc.max_size"],
        gzip_level=settings["warc.gzip_level"], progress=progress, on_warc_closed=on_closed,
    ), depth)
    outcome = CrawlOutcome("failed", "failed", {})
    try:
        outcome = run_crawl(job)
    finally:
        with catalog.session() as session:
            finish_crawl(session, crawl_id, status=outcome.status, stop_reason=outcome.reason,
                         stats=outcome.stats)
    early = background.close()
    rest = index_collection(catalog, collection, coll_dir, **index_options)
    for problem in early.problems + rest.problems:
        click.echo(problem, err=True)
    indexed = IndexResult(early.files + rest.files, early.captures + rest.captures)
    stats = outcome.stats
    click.echo(
        f"crawl {crawl_id} of {collection} {outcome.status} ({outcome.reason}): "
        f"{stats.get('pages', 0)} pages, {human_bytes(stats.get('bytes', 0))} in "
        f"{stats.get('elapsed', 0):.1f} s ({stats.get('rate', 0):.1f} pages/s), "
        f"{stats.get('errors', 0)} errors; {indexed.captures} captures indexed from "
        f"{indexed.files} WARC files")
    if stats.get("refused"):
        refused = ", ".join(f"{k} {v}" for k, v in sorted(stats["refused"].items()))
        click.echo(f"  not crawled: {refused}")
    click.echo(f"  log: {job.crawl_dir / 'crawl.log'}")
    return 0 if outcome.status in ("finished", "stopped") else 1

