"""``diancang crawl``: one crawl of one collection, from catalogue to indexed WARCs.

The collection's lock is held from before the crawl record is made until after it is
finished (``crawl_guard``); limits come from the seed list, else from the settings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from catalog.collections import get_collection, import_seed_list, seed_list_of
from catalog.crawl_requests import attach_crawl, get_request, request_stop
from catalog.crawls import (
    finish_crawl,
    last_crawl,
    record_warc_file,
    resume_crawl,
    start_crawl,
    taken_over,
)
from catalog.digests import previous_captures
from catalog.models import Collection
from crawler.frontier import INFLIGHT, PENDING, Frontier
from crawler.run import CrawlOutcome, run_crawl
from crawler.spiders.site import with_depth
from diancang.crawl_guard import Watch, crawl_lock
from diancang.crawl_job import crawl_job
from diancang.errors import ConfigError, NotFound
from diancang.home import Home
from diancang.index_progress import echo_index_progress
from indexer.background import BackgroundIndexer
from indexer.collection import index_collection
from indexer.index import IndexResult
from indexer.textpool import TextPool
from seeds.limits import human_bytes
from seeds.model import Limits, Seed, SeedList, seed_list_to_json
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


def limits_of(seed_list: SeedList, home: Home) -> Limits:
    """The seed list's limits; the settings' (limits.*) where it gives none."""
    settings = home.settings
    own = seed_list.limits
    return Limits(duration=own.duration or (settings["limits.duration"] or None),
                  pages=own.pages or (settings["limits.pages"] or None),
                  bytes=own.bytes or (settings["limits.bytes"] or None))


def patch_seeds(seeds: tuple[Seed, ...], urls: list[str],
                defaults: Mapping[str, Any]) -> tuple[Seed, ...]:
    """Seeds for a patch crawl of ``urls``: each page alone (with its requisites), polite as
    the collection's seed on its host (or as ``defaults`` say where it has none)."""
    def host(url: str) -> str:
        return url.split("/")[2] if url.count("/") >= 2 else ""

    by_host = {host(s.url): s for s in reversed(seeds)}
    base = seeds[0] if seeds else Seed(url="http://invalid/", **defaults)
    return tuple(dataclasses.replace(by_host.get(host(u), base), url=u, scope="page", depth=0,
                                     title=None, agency=None, line=0) for u in urls)


def unfinished_crawl(home: Home, coll_id: int,
                     statuses: tuple[str, ...] = ("stopped", "failed")) -> int | None:
    """The collection's last crawl if it ended in one of ``statuses`` with requests still in
    its frontier (a crawl that ran to its end, or never wrote a frontier, has nothing to
    resume)."""
    with home.catalog.session() as session:
        crawl = last_crawl(session, coll_id)
        if crawl is None or crawl.status not in statuses:
            return None
        crawl_id = crawl.id
    path = home.crawl(crawl_id).frontier
    if not path.exists():
        return None
    frontier = Frontier(path)
    try:
        counts = frontier.counts()
    finally:
        frontier.close()
    return crawl_id if counts.get(PENDING, 0) + counts.get(INFLIGHT, 0) else None


def unfinished_distributed(home: Home, coll_id: int,
                           statuses: tuple[str, ...] = ("stopped", "failed")) -> int | None:
    """As ``unfinished_crawl``, for a crawl whose frontier is in Redis."""
    from crawler.redis_frontier import RedisFrontier

    with home.catalog.session() as session:
        crawl = last_crawl(session, coll_id)
        if crawl is None or crawl.status not in statuses:
            return None
        crawl_id = crawl.id
    settings = home.settings
    counts = RedisFrontier(settings["frontier.url"], settings["frontier.prefix"],
                           crawl_id).counts()
    return crawl_id if counts.pending + counts.inflight else None


def _run_distributed(home: Home, collection: str, coll_id: int, crawl_id: int,
                     seeds: tuple[Seed, ...], seed_list: SeedList, watch: Watch, *,
                     workers: int, max_pages: int | None, depth: int | None, progress: bool,
                     earlier: dict[str, int], resumed: bool) -> int:
    from diancang import distributed

    catalog = home.catalog
    archive = home.ensure_collection(collection).archive

    def on_closed(closed: ClosedWarc) -> None:
        with catalog.session() as session:
            record_warc_file(session, collection_id=coll_id, crawl_id=crawl_id, closed=closed)

    for closed in repair_open_files(archive, on_close=on_closed):   # no worker runs yet
        click.echo(f"repaired {closed.filename} left open by an earlier crawl", err=True)
    patch = [s.url for s in seeds] if seeds != seed_list.seeds else None
    spec = {"collection": collection, "depth": depth, "max_pages": max_pages, "urls": patch}
    try:
        ending, stats = distributed.coordinate(
            home, collection, coll_id, crawl_id, watch, workers=workers, spec=spec,
            limits=limits_of(seed_list, home), progress=progress, resumed=resumed)
    finally:
        watch.stop()
    if watch.lock_lost:
        ending = distributed.Ending("failed", "lock lost")
    return distributed.finish(home, collection, crawl_id, ending, stats, earlier,
                              progress=progress)


def pause(home: Home, collection: str) -> int:
    """Ask the collection's running crawl to stop, as the web app's stop button does; it stops
    cleanly and ``--resume`` continues it."""
    with home.require().catalog.session() as session:
        coll = get_collection(session, collection)
        crawl = last_crawl(session, coll.id) if coll is not None else None
        if crawl is None or crawl.status != "running" or not request_stop(session, crawl.id):
            raise NotFound(f"collection {collection!r} has no running crawl to pause")
        crawl_id = crawl.id
    click.echo(f"crawl {crawl_id} of {collection} asked to stop; "
               f"diancang crawl {collection} --resume continues it")
    return 0


def run(home: Home, collection: str, *, seed_file: Path | None, max_pages: int | None,
        depth: int | None, progress: bool, request_id: int | None = None,
        resume: bool = False, restart: bool = False, resume_failed: bool = False,
        workers: int | None = None) -> int:
    """Crawl, record, index and summarise. Returns the process exit status.

    With ``resume``, continue the collection's unfinished crawl (same id, same frontier);
    with ``resume_failed`` (the scheduler's), continue it if it failed (died, lost its lock),
    else start a new one: a crawl that was stopped on purpose is resumed by its operator.

    With ``frontier.url`` set the crawl is distributed: ``workers`` local workers (default 1;
    0: only ``diancang worker`` processes elsewhere) share its frontier in Redis."""
    home.require()
    settings, catalog = home.settings, home.catalog
    _ = settings.index_mode          # a bad value is an error before anything is begun
    distributed = bool(settings["frontier.url"])
    if not distributed and workers not in (None, 1):
        raise ConfigError("--workers needs a frontier that workers share: set frontier.url "
                          "(e.g. DIANCANG_FRONTIER_URL=redis://host:6379/0)")
    coll_id, seed_list = _load_collection(home, collection, seed_file)
    # the text workers, forked now while this process has no other thread (they share its
    # imports), load their dictionaries while the crawl starts; the crawl's closed WARC files
    # are indexed on them as it goes on
    pool = TextPool(settings["index.workers"], settings["index.pdf_max_bytes"],
                    settings["index.max_decoded_bytes"])
    if not distributed:            # a distributed crawl's workers index nothing themselves
        pool.start()
    with pool, crawl_lock(catalog, coll_id, collection,
                          heartbeat_every=settings["crawl.heartbeat"],
                          stale_after=settings["scheduler.lock_stale_after"]) as watch:
        resumed = (unfinished_distributed(home, coll_id) if distributed   # after the lock:
                   else unfinished_crawl(home, coll_id))            # a killed crawl is reaped
        if resume_failed and resumed is not None:
            resume = (unfinished_distributed(home, coll_id, ("failed",)) if distributed
                      else unfinished_crawl(home, coll_id, ("failed",))) is not None
        if resume and resumed is None:
            raise NotFound(f"collection {collection!r} has no unfinished crawl to resume")
        if not resume and not restart and resumed is not None:
            click.echo(f"crawl {resumed} of {collection} is unfinished; starting a new crawl "
                       f"(diancang crawl {collection} --resume continues it)", err=True)
        return _run_locked(home, collection, coll_id, seed_list, watch, pool,
                           max_pages=max_pages, depth=depth, progress=progress,
                           request_id=request_id, resumed=resumed if resume else None,
                           workers=(1 if workers is None else workers) if distributed
                           else None)


def _run_locked(home: Home, collection: str, coll_id: int, seed_list: SeedList, watch: Watch,
                pool: TextPool, *, max_pages: int | None, depth: int | None, progress: bool,
                request_id: int | None, resumed: int | None, workers: int | None) -> int:
    settings, catalog = home.settings, home.catalog
    coll_dir = home.ensure_collection(collection)   # its archive/ and indexes/
    seeds = seed_list.seeds
    earlier: dict[str, int] = {}
    with catalog.session() as session:
        if resumed is not None:
            crawl = resume_crawl(session, resumed)
            earlier = {"pages": crawl.pages or 0, "bytes": crawl.bytes or 0,
                       "errors": crawl.errors or 0}
            crawl_id = crawl.id
        else:
            crawl_id = start_crawl(session, session.get_one(Collection, coll_id)).id
        if request_id is not None:
            request = get_request(session, request_id)
            if request is None or request.collection_id != coll_id:
                raise NotFound(f"no crawl request {request_id} for collection {collection!r}")
            attach_crawl(session, request_id, crawl_id)
            if request.urls:
                seeds = patch_seeds(seeds, list(request.urls), settings.seed_defaults)
    watch.start(crawl_id)
    if workers is not None:
        return _run_distributed(home, collection, coll_id, crawl_id, seeds, seed_list, watch,
                                workers=workers, max_pages=max_pages, depth=depth,
                                progress=progress, earlier=earlier,
                                resumed=resumed is not None)

    index_options = settings.index_options()
    inline = settings.index_mode == "inline"     # else diancang indexer processes index
    background = BackgroundIndexer(catalog, coll_id, coll_dir.indexes, **index_options,
                                   on_file=echo_index_progress if progress else None, pool=pool)
    queued: list[str] = []
    crawling = False         # files repaired before the crawl are indexed before it begins

    def on_closed(closed: ClosedWarc) -> None:
        with catalog.session() as session:     # recorded and queued for indexing at once
            row = record_warc_file(session, collection_id=coll_id, crawl_id=crawl_id,
                                   closed=closed)
        queued.append(closed.filename)
        if inline and crawling:
            background.submit(closed.path, row.id)   # indexed by a thread as the crawl goes on

    repaired = repair_open_files(coll_dir.archive, on_close=on_closed)
    crawling = True
    for closed in repaired:
        click.echo(f"repaired {closed.filename} left open by an earlier crawl", err=True)
    if repaired:   # their captures count as earlier ones for deduplication
        index_collection(catalog, collection, coll_dir.archive, coll_dir.indexes,
                         **index_options, retry_failed=False)
        queued.clear()
    with catalog.session() as session:
        previous = previous_captures(session, coll_id)

    job = with_depth(crawl_job(
        home, collection, seeds, home.crawl(crawl_id), title=seed_list.title,
        crawl_id=crawl_id, max_pages=max_pages, progress=progress, on_warc_closed=on_closed,
        previous=previous, limits=limits_of(seed_list, home),
        seed_list=seed_list_to_json(seed_list)), depth)
    outcome = CrawlOutcome("failed", "failed", {})
    try:
        outcome = run_crawl(job)
    except KeyboardInterrupt:       # interrupted before Scrapy took over Ctrl-C: nothing lost
        outcome = CrawlOutcome("stopped", "interrupted", {})
    finally:
        watch.stop()
        reason = outcome.reason
        if watch.lock_lost:
            outcome = CrawlOutcome("failed", "lock lost", outcome.stats)
            reason = outcome.reason
        elif watch.stop_seen and outcome.reason == "shutdown":
            reason = "stop requested"
        if earlier:      # a resumed crawl counts what it did before
            outcome = CrawlOutcome(outcome.status, outcome.reason, {
                **outcome.stats,
                **{k: int(outcome.stats.get(k, 0)) + v for k, v in earlier.items()}})
        with catalog.session() as session:
            if not (watch.lock_lost and taken_over(session, crawl_id)):
                finish_crawl(session, crawl_id, status=outcome.status, stop_reason=reason,
                             stats=outcome.stats)
    if progress and background.pending:
        click.echo(f"indexing {background.pending} WARC file(s): CDXJ for replay, text and "
                   f"catalogue rows for search ...", err=True)
    early = background.close()
    rest = IndexResult(0, 0)
    if inline:
        rest = index_collection(catalog, collection, coll_dir.archive, coll_dir.indexes,
                                **index_options, retry_failed=False,
                                on_file=echo_index_progress if progress else None)
    elif queued:
        click.echo(f"{len(queued)} WARC file(s) queued for indexing by diancang indexer "
                   f"(index.mode = queue)", err=True)
    for problem in early.problems + rest.problems:
        click.echo(problem, err=True)
    indexed = IndexResult(early.files + rest.files, early.captures + rest.captures)
    stats = outcome.stats
    if stats.get("failed"):
        click.echo(f"error: crawl {crawl_id} of {collection} failed: {stats['failed']}; "
                   f"its WARC files keep every whole record written before it", err=True)
    click.echo(
        f"crawl {crawl_id} of {collection} {outcome.status} ({outcome.reason}): "
        f"{stats.get('pages', 0)} pages, {human_bytes(stats.get('bytes', 0))} in "
        f"{stats.get('elapsed', 0):.1f} s ({stats.get('rate', 0):.1f} pages/s), "
        f"{stats.get('errors', 0)} errors; {indexed.captures} captures indexed from "
        f"{indexed.files} WARC files")
    if stats.get("revisits"):
        click.echo(f"  {stats['revisits']} unchanged (revisit records), "
                   f"{human_bytes(stats.get('dedup_bytes', 0))} not stored again")
    if stats.get("refused"):
        refused = ", ".join(f"{k} {v}" for k, v in sorted(stats["refused"].items()))
        click.echo(f"  not crawled: {refused}")
    click.echo(f"  log: {job.log_file}")
    return 0 if outcome.status in ("finished", "stopped") else 1

