"""``diancang worker``: a crawl worker, on any machine that reaches the Redis frontier
(``frontier.url``), the catalogue (``database.url``, PostgreSQL when workers run on several
machines) and the collections' store (``HOME/collections``, mounted by every worker).

``diancang worker [--name N]`` waits for distributed crawls (``diancang crawl COLL
--workers N``, or with ``--workers 0`` on a machine that runs none itself) and joins each
one in a child process (``worker --crawl ID``: Twisted's reactor runs once per process).  The
child crawls its share (hosts leased to it in Redis) into its own WARC files, named
``<collection>-<worker>-…``, heartbeats its figures into the catalogue, and ends when the
crawl has nothing pending or in flight, or was asked to stop.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import click

from diancang.errors import ConfigError, NotFound
from diancang.home import Home

log = logging.getLogger(__name__)

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.]{0,63}$")


def default_name() -> str:
    host = re.sub(r"[^A-Za-z0-9_.]", "_", socket.gethostname())[:40] or "host"
    return f"{host}_{os.getpid()}"


def check_name(name: str) -> str:
    if not NAME.match(name):
        raise click.BadParameter(f"{name!r}: letters, digits, '_' and '.' only (it is part of "
                                 f"the worker's WARC file names), at most 64", param_hint="--name")
    return name


def frontier_url(home: Home) -> str:
    url = str(home.settings["frontier.url"])
    if not url:
        raise ConfigError("workers share a crawl through Redis: set frontier.url (e.g. "
                          "DIANCANG_FRONTIER_URL=redis://host:6379/0)")
    return url


class Beat:
    """The worker's figures, heartbeat into the catalogue by a thread (never in the crawl's
    reactor thread)."""

    def __init__(self, home: Home, crawl_id: int, name: str, every: float):
        self.home, self.crawl_id, self.name, self.every = home, crawl_id, name, every
        self.latest: dict[str, Any] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def update(self, stats: dict[str, Any]) -> None:
        self.latest = stats

    def write(self, status: str = "running") -> None:
        from catalog.workers import worker_heartbeat

        with self.home.catalog.session() as session:
            worker_heartbeat(session, self.crawl_id, self.name, dict(self.latest),
                             status=status)

    def _run(self) -> None:
        while not self._done.wait(self.every):
            try:
                self.write()
            except Exception:   # the next beat tries again
                log.exception("worker heartbeat failed")

    def start(self) -> None:
        self.write()
        self._thread.start()

    def stop(self, status: str) -> None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self.write(status)


def run_worker(home: Home, crawl_id: int, name: str) -> int:
    """Crawl this worker's share of crawl ``crawl_id`` to the crawl's end."""
    from catalog.collections import seed_list_of
    from catalog.crawls import record_warc_file
    from catalog.digests import previous_captures
    from catalog.models import Collection, Crawl
    from crawler.job import Distributed
    from crawler.redis_frontier import RedisFrontier
    from crawler.run import CrawlOutcome, run_crawl
    from crawler.spiders.site import with_depth
    from diancang.crawl_command import limits_of, patch_seeds
    from diancang.crawl_job import crawl_job
    from seeds.model import seed_list_to_json
    from warc_store.repair import repair_open_files
    from warc_store.writer import ClosedWarc

    home.require()
    settings, catalog = home.settings, home.catalog
    url = frontier_url(home)
    frontier = RedisFrontier(url, settings["frontier.prefix"], crawl_id)
    spec = frontier.spec()
    if spec is None:
        raise NotFound(f"crawl {crawl_id} is not a distributed crawl in {url}")
    with catalog.session() as session:
        crawl = session.get(Crawl, crawl_id)
        if crawl is None:
            raise NotFound(f"no crawl {crawl_id} in the catalogue")
        coll = session.get_one(Collection, crawl.collection_id)
        slug, coll_id, seed_list = coll.slug, coll.id, seed_list_of(coll)
        previous = previous_captures(session, coll_id)
    seeds = seed_list.seeds
    if spec.get("urls"):
        seeds = patch_seeds(seeds, list(spec["urls"]), settings.seed_defaults)
    coll_dir = home.ensure_collection(slug)

    def on_closed(closed: ClosedWarc) -> None:
        with catalog.session() as session:
            record_warc_file(session, collection_id=coll_id, crawl_id=crawl_id, closed=closed)

    # this worker's own files a killed run of it left open (never another live worker's)
    repair_open_files(coll_dir.archive, on_close=on_closed, prefix=f"{slug}-{name}")
    beat = Beat(home, crawl_id, name, settings["frontier.poll_interval"])
    job = with_depth(crawl_job(
        home, slug, seeds, home.crawl(crawl_id).worker(name), title=seed_list.title,
        crawl_id=crawl_id, max_pages=spec.get("max_pages"), progress=False,
        on_warc_closed=on_closed, previous=previous, limits=limits_of(seed_list, home),
        seed_list=seed_list_to_json(seed_list), on_progress=beat.update,
        distributed=Distributed(url=url, prefix=settings["frontier.prefix"], worker=name,
                                lease_timeout=settings["frontier.lease_timeout"])),
        spec.get("depth"))
    beat.start()
    outcome = CrawlOutcome("failed", "failed", {})
    try:
        outcome = run_crawl(job)
    finally:
        if outcome.stats:
            beat.update({**beat.latest, **outcome.stats})
        beat.stop(outcome.status)
    click.echo(f"worker {name}: crawl {crawl_id} of {slug} {outcome.status} "
               f"({outcome.reason}): {outcome.stats.get('pages', 0)} pages")
    return 0 if outcome.status in ("finished", "stopped") else 1


def worker_child(home: Home, crawl_id: int, name: str) -> subprocess.Popen[bytes]:
    """``diancang worker --crawl ID --name NAME`` in a child process."""
    return subprocess.Popen([sys.executable, "-m", "diancang.cli", "--home", str(home.path),
                             "worker", "--crawl", str(crawl_id), "--name", name])


def serve_workers(home: Home, name: str) -> int:
    """Join every distributed crawl as it starts, until SIGTERM or Ctrl-C (which stop the
    children cleanly: their WARCs are closed, their hosts handed back)."""
    from crawler.redis_frontier import active_crawls, connect

    home.require()
    settings = home.settings
    url = frontier_url(home)
    client = connect(url)
    children: dict[int, subprocess.Popen[bytes]] = {}
    stopping = threading.Event()

    def stop(signum: int, _frame: Any) -> None:
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"worker {name}: waiting for crawls in {url} (Ctrl-C to stop)")
    while not stopping.is_set():
        for crawl_id, child in list(children.items()):
            if child.poll() is not None:
                del children[crawl_id]
        try:
            active = active_crawls(url, settings["frontier.prefix"], client)
        except Exception:     # Redis away for a moment
            log.exception("could not reach the Redis frontier")
            active = []
        for crawl_id in active:
            if crawl_id not in children:
                click.echo(f"worker {name}: joining crawl {crawl_id}")
                children[crawl_id] = worker_child(home, crawl_id, name)
        stopping.wait(settings["frontier.poll_interval"])
    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGINT)
    deadline = time.monotonic() + 60
    for child in children.values():
        try:
            child.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return 0


@click.command("worker")
@click.option("--name", help="This worker's name, unique among the workers "
                             "[default: host_pid]; part of its WARC files' names.")
@click.option("--crawl", "crawl_id", type=int, hidden=True,
              help="Work on this crawl only, and exit when it ends.")
@click.pass_obj
def worker_command(home: Home, name: str | None, crawl_id: int | None) -> None:
    """Crawl worker: join the distributed crawls (frontier.url) and crawl their hosts
    leased to it, until Ctrl-C or SIGTERM."""
    name = check_name(name) if name else default_name()
    if crawl_id is not None:
        sys.exit(run_worker(home, crawl_id, name))
    sys.exit(serve_workers(home, name))
