"""The progress of indexing, as ``diancang index`` and the end of ``diancang crawl`` print it."""

from __future__ import annotations

import click

from indexer.index import IndexProgress
from seeds.limits import human_bytes, human_duration


def echo_index_progress(progress: IndexProgress) -> None:
    """One line on stderr per WARC file indexed: a rebuild of a large collection takes hours."""
    eta = progress.eta
    click.echo(f"  [{progress.files_done}/{progress.files_total}] {progress.file}: "
               f"{progress.captures} captures; {human_bytes(progress.bytes_done)} of "
               f"{human_bytes(progress.bytes_total)} at {human_bytes(progress.rate)}/s"
               + (f", about {human_duration(eta)} left" if eta else ""), err=True)
