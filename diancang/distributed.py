"""``diancang crawl COLL`` with a Redis frontier (``frontier.url``): one crawl, many workers.

This process is the crawl's coordinator: it holds the collection's lock and the crawl record
(as an embedded crawl does), publishes the crawl in Redis for workers to join, starts
``--workers N`` of them here (``diancang worker --crawl ID``; ``diancang worker`` processes
on other machines join too), and watches: the workers' figures (heartbeat into the
catalogue) and the frontier's queue make one progress line and one ``stats.json``; a stop
request, Ctrl-C or a limit of the whole crawl (pages, bytes, duration) stops every worker.
The crawl ends when nothing is pending or in flight anywhere; then the files of workers that
died are repaired, everything is indexed and the crawl recorded as one.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from catalog.crawls import finish_crawl, record_warc_file
from catalog.workers import crawl_workers, summed
from crawler.redis_frontier import Counts, RedisFrontier
from diancang.crawl_guard import Watch
from diancang.home import CrawlPaths, Home
from diancang.index_progress import echo_index_progress
from diancang.worker_command import worker_child
from indexer.collection import index_collection
from indexer.index import IndexResult
from seeds.limits import human_bytes
from seeds.model import Limits
from warc_store.repair import repair_open_files
from warc_store.writer import ClosedWarc

WATCH_EVERY = 1.0      # seconds between the coordinator's looks at the workers and Redis


@dataclass
class Ending:
    status: str = "finished"
    reason: str = "finished"


def local_names(count: int) -> list[str]:
    host = "".join(c if c.isalnum() or c in "_." else "_" for c in socket.gethostname())[:40]
    return [f"{host or 'host'}_w{i}" for i in range(1, count + 1)]


def figures(home: Home, crawl_id: int, counts: Counts | None, started: float,
            stale_after: float) -> dict[str, Any]:
    """The crawl's figures as one: its workers' added up, the frontier's queue, each
    worker's own rate."""
    from catalog.workers import worker_summary

    with home.catalog.session() as session:
        rows = crawl_workers(session, crawl_id)
        workers = [worker_summary(row, stale_after=stale_after) for row in rows]
        stats: dict[str, Any] = {**summed(rows)}
        for key in ("revisits", "dedup_bytes"):
            stats[key] = sum(int((row.stats or {}).get(key, 0)) for row in rows)
        merged: dict[str, dict[str, int]] = {"status": {}, "refused": {}, "error_types": {},
                                              "truncated": {}}
        for row in rows:
            for part, into in merged.items():
                for key, value in dict((row.stats or {}).get(part, {})).items():
                    into[key] = into.get(key, 0) + int(value)
        stats.update(merged)
        failed = [str(row.stats.get("failed")) for row in rows if (row.stats or {}).get("failed")]
    elapsed = time.monotonic() - started
    stats.update({"elapsed": round(elapsed, 3), "requests": stats["pages"] + stats["errors"],
                  "rate": round(stats["pages"] / elapsed, 2) if elapsed > 0 else 0.0,
                  "workers": workers,
                  "in_flight": sum(int(w["in_flight"]) for w in workers)})
    if counts is not None:
        stats.update({"queued": counts.pending, "frontier_in_flight": counts.inflight,
                      "frontier_done": counts.done, "reclaimed": counts.reclaimed,
                      "hosts": counts.hosts})
    if failed:
        stats["failed"] = failed[0]
    return stats


def progress_line(collection: str, stats: dict[str, Any]) -> str:
    rates = ", ".join(f"{w['name']} {w['rate']:.1f}/s" + ("" if w["status"] == "running"
                                                         else f" ({w['status']})")
                      for w in stats["workers"])
    return (f"{collection}: {stats['pages']} pages, {human_bytes(stats['bytes'])}, "
            f"{stats['rate']:.1f} pages/s, queue {stats.get('queued', 0)}, "
            f"in flight {stats.get('frontier_in_flight', 0)}, errors {stats['errors']}; "
            f"{len(stats['workers'])} workers: {rates}")


def write_stats(path: Any, stats: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def coordinate(home: Home, collection: str, coll_id: int, crawl_id: int, watch: Watch, *,
               workers: int, spec: dict[str, Any], limits: Limits, progress: bool,
               resumed: bool) -> tuple[Ending, dict[str, Any]]:
    """Run the crawl on its workers to its end; returns how it ended and its figures."""
    settings = home.settings
    frontier = RedisFrontier(settings["frontier.url"], settings["frontier.prefix"], crawl_id)
    lease = float(settings["frontier.lease_timeout"])
    if resumed:
        frontier.clear_stop()
    frontier.publish(spec)
    children = {name: worker_child(home, crawl_id, name) for name in local_names(workers)}
    paths = home.crawl(crawl_id)
    started = time.monotonic()
    ending = Ending()
    counts: Counts | None = None
    stats: dict[str, Any] = {}
    try:
        while True:
            try:
                time.sleep(WATCH_EVERY)
                counts = frontier.counts()
                stats = figures(home, crawl_id, counts, started, lease)
                write_stats(paths.stats, stats)
                if progress:
                    click.echo("\r\x1b[K" + progress_line(collection, stats), nl=False,
                               err=True)
                if counts.finished:
                    break
                limit = _limit_reached(stats, limits)
                if limit is not None and not counts.stop:
                    ending = Ending("stopped", limit)
                    frontier.request_stop()
                if children and all(c.poll() is not None for c in children.values()):
                    if not counts.stop:   # every local worker ended with work left
                        ending = Ending("failed", "workers ended with requests left")
                    break
            except KeyboardInterrupt:    # Ctrl-C, a stop request, or the lock lost
                if watch.lock_lost:
                    ending = Ending("failed", "lock lost")
                elif ending.status == "finished":
                    ending = Ending("stopped", "stop requested" if watch.stop_seen
                                    else "shutdown")
                frontier.request_stop()
                if not children:
                    break
    finally:
        if progress:
            click.echo("", err=True)
        if counts is None or not counts.finished:
            frontier.request_stop()
        _wait(children, timeout=max(60.0, 2 * lease))
        frontier.withdraw()
    _repair_dead(home, collection, coll_id, crawl_id, children, lease)
    counts = frontier.counts()
    stats = figures(home, crawl_id, counts, started, lease)
    if counts.finished and ending.status != "failed":
        ending = Ending("finished", "finished") if ending.status == "finished" else ending
        frontier.delete()          # nothing left to resume
    elif ending.status == "finished":
        ending = Ending("stopped", "shutdown")
    if stats.get("failed"):
        ending = Ending("failed", str(stats["failed"]))
    stats["finish_reason"] = ending.reason
    write_stats(paths.stats, stats)
    return ending, stats


def _limit_reached(stats: dict[str, Any], limits: Limits) -> str | None:
    if limits.pages is not None and stats["pages"] >= limits.pages:
        return "limit: pages"
    if limits.bytes is not None and stats["bytes"] >= limits.bytes:
        return "limit: bytes"
    if limits.duration is not None and stats["elapsed"] >= limits.duration:
        return "limit: duration"
    return None


def _wait(children: dict[str, subprocess.Popen[bytes]], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for child in children.values():
        while child.poll() is None:
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                if time.monotonic() >= deadline:
                    child.send_signal(signal.SIGTERM)
                    deadline = time.monotonic() + 30
            except KeyboardInterrupt:     # a second Ctrl-C: they are stopping already
                continue


def _repair_dead(home: Home, collection: str, coll_id: int, crawl_id: int,
                 children: dict[str, subprocess.Popen[bytes]], lease: float) -> None:
    """Close the WARC files of this crawl's workers that died (killed, or their machine):
    local ones that exited without closing, and remote ones silent for the lease timeout."""
    catalog = home.catalog
    archive = home.collection(collection).archive

    def on_closed(closed: ClosedWarc) -> None:
        with catalog.session() as session:
            record_warc_file(session, collection_id=coll_id, crawl_id=crawl_id, closed=closed)

    now = datetime.now(UTC)
    with catalog.session() as session:
        rows = [(row.name, row.status, row.heartbeat) for row in crawl_workers(session, crawl_id)]
    for name, status, beat in rows:
        beat = beat if beat.tzinfo is not None else beat.replace(tzinfo=UTC)
        local_gone = name in children and children[name].poll() is not None
        silent = now - beat > timedelta(seconds=lease)
        if status == "running" and (local_gone or silent):
            with catalog.session() as session:
                from catalog.workers import worker_heartbeat

                row_stats = {}
                for row in crawl_workers(session, crawl_id):
                    if row.name == name:
                        row_stats = {"pages": row.pages, "bytes": row.bytes,
                                     "errors": row.errors, "rate": row.rate, **row.stats}
                worker_heartbeat(session, crawl_id, name, row_stats, status="failed")
            for closed in repair_open_files(archive, on_close=on_closed,
                                            prefix=f"{collection}-{name}"):
                click.echo(f"repaired {closed.filename} left open by worker {name}", err=True)


def _gather_failures(paths: CrawlPaths) -> None:
    """The workers' requests that got no answer, into the crawl's own list (its report's)."""
    lines = [w.failed.read_text(encoding="utf-8") for w in paths.workers() if w.failed.exists()]
    if lines:
        with paths.failed.open("a", encoding="utf-8") as out:
            for text in lines:
                out.write(text if text.endswith("\n") or not text else text + "\n")


def finish(home: Home, collection: str, crawl_id: int, ending: Ending, stats: dict[str, Any],
           earlier: dict[str, int], *, progress: bool) -> int:
    """Record, index and summarise the crawl as one; the exit status."""
    catalog = home.catalog
    _gather_failures(home.crawl(crawl_id))
    if earlier:
        stats = {**stats, **{k: int(stats.get(k, 0)) + v for k, v in earlier.items()}}
    with catalog.session() as session:
        finish_crawl(session, crawl_id, status=ending.status, stop_reason=ending.reason,
                     stats=stats)
    settings = home.settings
    paths = home.collection(collection)
    indexed = IndexResult(0, 0)
    if settings.index_mode == "inline":
        indexed = index_collection(catalog, collection, paths.archive, paths.indexes,
                                   **settings.index_options(), retry_failed=False,
                                   on_file=echo_index_progress if progress else None)
    else:
        click.echo("the crawl's WARC files are queued for indexing by diancang indexer "
                   "(index.mode = queue)", err=True)
    for problem in indexed.problems:
        click.echo(problem, err=True)
    per_worker = ", ".join(f"{w['name']} {w['pages']}" for w in stats.get("workers", []))
    click.echo(
        f"crawl {crawl_id} of {collection} {ending.status} ({ending.reason}): "
        f"{stats.get('pages', 0)} pages, {human_bytes(stats.get('bytes', 0))} in "
        f"{stats.get('elapsed', 0):.1f} s ({stats.get('rate', 0):.1f} pages/s), "
        f"{stats.get('errors', 0)} errors; {indexed.captures} captures indexed from "
        f"{indexed.files} WARC files")
    click.echo(f"  {len(stats.get('workers', []))} workers (pages each): {per_worker}")
    if stats.get("reclaimed"):
        click.echo(f"  {stats['reclaimed']} requests in flight when a worker stopped or died "
                   f"were queued again")
    if stats.get("revisits"):
        click.echo(f"  {stats['revisits']} unchanged (revisit records), "
                   f"{human_bytes(stats.get('dedup_bytes', 0))} not stored again")
    click.echo("  logs: " + ", ".join(str(w.log) for w in home.crawl(crawl_id).workers()))
    return 0 if ending.status in ("finished", "stopped") else 1
