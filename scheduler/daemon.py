"""The scheduler daemon: schedules fire into crawl requests, crawl requests become crawls.

- APScheduler 3 keeps one job per scheduled collection in its SQLAlchemy job store, in the
  catalogue database, so next run times survive a restart.  Jobs are mirrored from the
  catalogue's ``schedules`` rows (what ``diancang schedule`` and the web app change).
- A missed run (the daemon was down) runs once on return if it is within
  ``misfire_grace`` seconds (coalesced: several missed runs start one crawl); an older one is
  recorded as a ``missed`` crawl request.
- A firing job only queues a crawl request; the poll loop starts queued requests as child
  processes (``diancang --home H crawl COLL --request ID``), one per collection at a time,
  and never while another process holds the collection's lock.
- A crawl that died (failed with requests left in its frontier) is resumed by the next
  request of its collection (``--resume-failed``) before a new one is started.
- A child that exits is reaped: its request marked done or failed, and a crawl it left
  ``running`` (killed) marked failed.
- Fixity: every ``verify_interval`` seconds each collection's files are checked again by a
  child ``diancang verify COLL`` (one at a time, never while the collection is being
  crawled); the child records the outcome of each file in the catalogue.
- Any number of daemons may run (on one machine or many, on one catalogue): the one holding
  the catalogue's ``scheduler`` lease fires schedules and starts crawls; the others stand by,
  and one takes over when the leader's heartbeat is older than ``stale_after``.  APScheduler's
  job store is not made to be shared by running schedulers, so a standby's is paused; and a
  job fires only while its daemon still holds the lease, so one trigger queues one crawl.
"""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from apscheduler.events import EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from catalog.collections import get_collection
from catalog.crawl_requests import claim, finish_request, queued, request_crawl, requeue
from catalog.db import Catalog
from catalog.fixity import due_collections
from catalog.locks import (
    CollectionLocked,
    current_holder,
    holder_dead,
    reap,
    release_lease,
    renew_lease,
    take_lease,
)
from catalog.models import Collection, CrawlRequest
from catalog.schedules import list_schedules
from scheduler.triggers import trigger_for

log = logging.getLogger(__name__)

JOB_PREFIX = "crawl:"
LEASE = "scheduler"        # the catalogue lease of the daemon that fires and starts crawls
LOCKED_EXIT = CollectionLocked.exit_code    # diancang crawl's exit status when it is locked
_CATALOG: Catalog | None = None     # the running daemon's catalogue, for fire()


def fire(slug: str) -> None:
    """A schedule's job: queue a crawl of the collection (unless one is already waiting)."""
    assert _CATALOG is not None
    with _CATALOG.session() as session:
        if not renew_lease(session, LEASE):      # another daemon leads now: it fires
            log.warning("schedule of %s not fired here: this daemon no longer leads", slug)
            return
        coll = get_collection(session, slug)
        if coll is None:
            return
        waiting = session.scalar(select(CrawlRequest.id).where(
            CrawlRequest.collection_id == coll.id,
            CrawlRequest.status.in_(("queued", "started"))).limit(1))
        if waiting is None:
            request_crawl(session, slug, requested_by="schedule")
            log.info("schedule fired: crawl of %s queued", slug)


@dataclass
class Child:
    request_id: int
    collection_id: int
    slug: str
    process: subprocess.Popen[bytes]


class Daemon:
    def __init__(self, catalog: Catalog, crawl_command: Sequence[str], *, log_dir: Path,
                 timezone: str, misfire_grace: int, poll_interval: float, stale_after: float,
                 verify_interval: float):
        self.catalog = catalog
        self.crawl_command = list(crawl_command)
        self.log_dir = log_dir
        self.timezone = timezone
        self.poll_interval = poll_interval
        self.stale_after = stale_after
        self.children: dict[int, Child] = {}
        self.misfire_grace = misfire_grace
        self.verify_interval = verify_interval
        self.verifying: tuple[str, subprocess.Popen[bytes]] | None = None
        self.verify_started: dict[str, float] = {}      # slug -> monotonic time of the last try
        self.stopping = threading.Event()
        self.leading = False
        self.leader: tuple[int, str] | None = None     # the other daemon we stand by for
        self.scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=catalog.engine)},
            timezone=timezone,
            job_defaults={"coalesce": True, "max_instances": 1,
                          "misfire_grace_time": misfire_grace})
        self.scheduler.add_listener(self._missed, EVENT_JOB_MISSED)

    # -- schedules -> jobs ---------------------------------------------------------------
    def sync(self) -> None:
        """Make the job store match the catalogue's schedules (keeping unchanged jobs, so
        their next run time, and a run missed while the daemon was down, survive)."""
        wanted = {}
        with self.catalog.session() as session:
            for info in list_schedules(session):
                key = f"{info.spec}|{info.start}|{info.end}|{self.timezone}"
                wanted[JOB_PREFIX + info.collection] = (info, key)
        for job in self.scheduler.get_jobs():
            if job.id.startswith(JOB_PREFIX) and job.id not in wanted:
                job.remove()
        for job_id, (info, key) in wanted.items():
            job = self.scheduler.get_job(job_id)
            if job is None or job.name != key:
                trigger = trigger_for(info.spec, start=info.start, end=info.end,
                                      timezone=self.timezone)
                if trigger is None:
                    continue
                job = self.scheduler.add_job(fire, trigger, args=[info.collection], id=job_id,
                                             name=key, replace_existing=True)
                log.info("schedule of %s: %s (next run %s)", info.collection, info.spec,
                         job.next_run_time)
            if job.misfire_grace_time != self.misfire_grace:   # the setting changed
                job.modify(misfire_grace_time=self.misfire_grace)
            if info.paused and job.next_run_time is not None:
                job.pause()
            elif not info.paused and job.next_run_time is None:
                job.resume()

    def _missed(self, event: JobExecutionEvent) -> None:
        slug = event.job_id[len(JOB_PREFIX):]
        with self.catalog.session() as session:
            coll = get_collection(session, slug)
            if coll is None:
                return
            when = event.scheduled_run_time
            session.add(CrawlRequest(collection_id=coll.id, requested_by="schedule",
                                     requested=datetime.now(UTC), status="missed",
                                     message=f"run due at {when.isoformat()} was missed "
                                             f"(the scheduler was not running)"))
        log.warning("missed run of %s due at %s", slug, event.scheduled_run_time)

    # -- requests -> child crawls ---------------------------------------------------------
    def start_requests(self) -> None:
        busy = {child.collection_id for child in self.children.values()}
        with self.catalog.session() as session:
            for request in queued(session):
                if request.collection_id in busy:
                    continue
                holder = current_holder(session, request.collection_id)
                if holder is not None and not holder_dead(
                        holder.pid, holder.host, holder.heartbeat, stale_after=self.stale_after):
                    continue            # a manual crawl (or another daemon's) is running
                slug = session.get_one(Collection, request.collection_id).slug
                if not claim(session, request.id):
                    continue
                session.commit()
                self.log_dir.mkdir(parents=True, exist_ok=True)
                with (self.log_dir / f"request-{request.id}.log").open("ab") as out:
                    process = subprocess.Popen(
                        [*self.crawl_command, "crawl", slug, "--request", str(request.id),
                         "--no-progress", "--resume-failed"],
                        stdout=out, stderr=subprocess.STDOUT)
                self.children[request.id] = Child(request.id, request.collection_id, slug,
                                                  process)
                busy.add(request.collection_id)
                log.info("started crawl of %s (request %d, pid %d)", slug, request.id,
                         process.pid)

    def reap_children(self) -> None:
        for request_id, child in list(self.children.items()):
            code = child.process.poll()
            if code is None:
                continue
            del self.children[request_id]
            with self.catalog.session() as session:
                if code == LOCKED_EXIT:
                    requeue(session, request_id, "collection was locked; retried")
                else:
                    finish_request(session, request_id, ok=code == 0,
                                   message=None if code == 0 else f"crawl exited {code}")
                for crawl_id in reap(session, child.collection_id, stale_after=self.stale_after):
                    log.warning("crawl %d of %s died; marked failed", crawl_id, child.slug)
            log.info("crawl of %s (request %d) exited %d", child.slug, request_id, code)

    # -- leading or standing by ---------------------------------------------------------
    def lead(self) -> bool:
        """Hold the scheduler lease (take it, or renew it); stand down if it was taken."""
        with self.catalog.session() as session:
            if self.leading:
                if renew_lease(session, LEASE):
                    return True
                self.leading = False
                self.scheduler.pause()
                log.error("another scheduler daemon took over the lease: standing by")
                return False
            holder = take_lease(session, LEASE, stale_after=self.stale_after)
        if holder is not None:
            if self.leader != (holder.pid, holder.host):
                self.leader = (holder.pid, holder.host)
                log.info("standing by: the scheduler daemon pid %d on %s leads", holder.pid,
                         holder.host)
            return False
        self.leading, self.leader = True, None
        self.sync()
        self.scheduler.resume()         # jobs due while no daemon led: run now, or missed
        log.info("leading: this daemon fires the schedules and starts the crawls")
        return True

    # -- fixity -----------------------------------------------------------------------------
    def start_verify(self) -> None:
        """Start ``diancang verify`` of the first collection due a check, if none is running."""
        if self.verify_interval <= 0 or self.verifying is not None:
            return
        crawling = {child.collection_id for child in self.children.values()}
        now = time.monotonic()
        with self.catalog.session() as session:
            for slug in due_collections(session, interval=timedelta(seconds=self.verify_interval)):
                last = self.verify_started.get(slug)
                if last is not None and now - last < self.verify_interval:
                    continue            # tried within the interval (it may have crashed)
                coll = get_collection(session, slug)
                if coll is None or coll.id in crawling:
                    continue
                holder = current_holder(session, coll.id)
                if holder is not None and not holder_dead(
                        holder.pid, holder.host, holder.heartbeat, stale_after=self.stale_after):
                    continue
                break
            else:
                return
        self.verify_started[slug] = now
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with (self.log_dir / f"verify-{slug}.log").open("ab") as out:
            process = subprocess.Popen([*self.crawl_command, "verify", slug],
                                       stdout=out, stderr=subprocess.STDOUT)
        self.verifying = (slug, process)
        log.info("started fixity check of %s (pid %d)", slug, process.pid)

    def reap_verify(self) -> None:
        if self.verifying is None:
            return
        slug, process = self.verifying
        code = process.poll()
        if code is None:
            return
        self.verifying = None
        where = self.log_dir / f"verify-{slug}.log"
        if code == 0:
            log.info("fixity check of %s: all files hold", slug)
        elif code == 1:
            log.error("fixity check of %s: some files do not hold; see %s", slug, where)
        else:
            log.error("fixity check of %s exited %d; see %s", slug, code, where)

    # -- the loop -------------------------------------------------------------------------
    def tick(self) -> None:
        self.reap_children()
        self.reap_verify()
        if not self.lead():
            return
        self.sync()
        with self.catalog.session() as session:
            reap(session, stale_after=self.stale_after)
        self.start_requests()
        self.start_verify()

    def run(self) -> None:
        global _CATALOG
        _CATALOG = self.catalog
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, self._on_signal)
        self.scheduler.start(paused=True)
        log.info("scheduler running")
        try:
            while not self.stopping.is_set():
                try:
                    self.tick()
                except Exception:
                    log.exception("scheduler tick failed")
                self.stopping.wait(self.poll_interval)
        finally:
            self.scheduler.shutdown(wait=False)
            if self.verifying is not None:
                slug, process = self.verifying
                try:
                    process.wait(timeout=10)
                    self.reap_verify()
                except subprocess.TimeoutExpired:    # it only reads: stopping it loses nothing
                    process.terminate()
                    process.wait()
                    self.verifying = None
                    log.info("fixity check of %s stopped unfinished", slug)
            for child in self.children.values():   # stop crawls gracefully, WARCs closed
                child.process.send_signal(signal.SIGINT)
            for child in self.children.values():
                try:
                    child.process.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    child.process.kill()
            self.reap_children()
            if self.leading:
                with self.catalog.session() as session:
                    release_lease(session, LEASE)
            log.info("scheduler stopped")

    def _on_signal(self, signum: int, frame: Any) -> None:
        self.stopping.set()
