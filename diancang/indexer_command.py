"""``diancang indexer``: a process that indexes closed WARC files from the catalogue's queue.

Run any number, on any machine that reaches the catalogue and mounts the archive home's
``collections/`` folder at the same path; with ``index.mode = queue`` crawls leave their
files to them.  SIGTERM or Ctrl-C stops one after the file in hand (a second Ctrl-C at once).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from pathlib import Path
from typing import Any

import click
from sqlalchemy import make_url, select

from catalog.index_queue import FAILED, queue_counts
from catalog.models import Collection, IndexQueueEntry, WarcFile
from diancang.home import Home
from indexer.taking import holder_name
from indexer.worker import QueueOptions, run_indexer

pass_home = click.make_pass_decorator(Home)


def _status(home: Home) -> None:
    with home.catalog.session() as session:
        counts = queue_counts(session)
        failed = session.execute(
            select(Collection.slug, WarcFile.filename, IndexQueueEntry.error)
            .join(WarcFile, WarcFile.id == IndexQueueEntry.warc_file_id)
            .join(Collection, Collection.id == IndexQueueEntry.collection_id)
            .where(IndexQueueEntry.status == FAILED).order_by(IndexQueueEntry.warc_file_id)
        ).all()
    click.echo(", ".join(f"{n} {status}" for status, n in counts.items()))
    for slug, filename, error in failed:
        click.echo(f"failed: {slug}/{filename}: {error}")


@click.command("indexer")
@click.option("--once", is_flag=True, help="Index what is queued, then exit.")
@click.option("--name", default="", help="This indexer's name in the queue [default: host:pid].")
@click.option("--collection", "collections", multiple=True,
              help="Take only this collection's files (repeatable).")
@click.option("--status", is_flag=True,
              help="Print how many files are queued, taken, done and failed (and why), and exit.")
@pass_home
def indexer_command(home: Home, once: bool, name: str, collections: tuple[str, ...],
                    status: bool) -> None:
    """Index closed WARC files from the catalogue's queue (see index.mode); any number of these
    run on any machines that mount the collections: each file is indexed by one of them."""
    home.require()
    if status:
        _status(home)
        return
    settings = home.settings
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    stop = threading.Event()

    def on_signal(signum: int, frame: Any) -> None:
        stop.set()
        signal.signal(signum, signal.SIG_DFL)      # a second one stops at once

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, on_signal)

    def paths_of(slug: str) -> tuple[Path, Path]:
        paths = home.collection(slug)
        return paths.archive, paths.indexes

    holder = holder_name(name)
    options = QueueOptions(lease=settings["index.lease"], max_attempts=settings["index.attempts"],
                           poll_interval=settings["index.poll_interval"],
                           workers=settings["index.workers"],
                           pdf_max_bytes=settings["index.pdf_max_bytes"],
                           max_decoded_bytes=settings["index.max_decoded_bytes"])
    where = make_url(settings.database_url).render_as_string(hide_password=True)
    click.echo(f"indexer {holder}: taking files from the queue of {where}"
               + ("" if once else "  (Ctrl-C to stop)"), err=True)
    result = run_indexer(home.catalog, paths_of, holder=holder, options=options, once=once,
                         stop=stop, collections=collections)
    for problem in result.problems:
        click.echo(problem, err=True)
    failed = f", {result.skipped} not indexed (named above)" if result.skipped else ""
    click.echo(f"indexer {holder}: indexed {result.files} WARC files{failed}, "
               f"{result.captures} captures")
    if once and result.skipped:
        sys.exit(1)
