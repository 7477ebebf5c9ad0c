"""``diancang verify [COLLECTION] [--deep] [--json]``: are the holdings still what was stored?

For each collection: every file with a catalogue row is checked against it, a row whose file
is gone is ``missing``, and a WARC or ARC file in ``archive/`` that the catalogue does not know
is ``unknown`` (it is checked too, but has no SHA-256 to compare).  A check is one of two:

- deep (``warc_store.fixity.check_file``): the file read once, its SHA-256 against the row,
  every gzip member inflated (CRC-32, length, no file ending inside one), every record's block
  and payload digests.  One that finds nothing keeps the SHA-256 of the bytes it proved whole
  (``deep_sha256``) and when;
- routine, for a file whose row's SHA-256 is that proven one: the SHA-256 alone.  Equal, the
  bytes are those the deep check read, so everything it proved still holds (the checks are a
  function of the bytes).  Different, the file gets a deep check at once, to name the offset
  and the reason.

A file never deep-checked, an unknown one and every file under ``--deep`` get the deep check.
The outcome and the time are written to each row.  Files are read in parallel, one per CPU
core.  Nothing is ever repaired, renamed or rewritten.  Exit 0 when every file holds, 1
otherwise.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from catalog.collections import get_collection
from catalog.fixity import held_files, record_verification
from diancang.errors import NotFound
from diancang.home import Home
from seeds.limits import human_bytes
from warc_store.fixity import FileFixity, Finding, check_file, file_size_sha256
from warc_store.writer import OPEN_SUFFIX

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


@dataclass(slots=True)
class Verdict:
    collection: str
    filename: str
    outcome: str                      # ok | failed | missing | unknown
    row_id: int | None
    fixity: FileFixity | None = None
    findings: list[Finding] = field(default_factory=list)
    deep: bool = True                 # False: the SHA-256 alone, equal to a proven one
    proven: str | None = None         # a deep check found nothing in bytes of this SHA-256

    def as_dict(self) -> dict[str, Any]:
        fx = self.fixity
        read = fx is not None and self.deep
        return {"collection": self.collection, "file": self.filename, "outcome": self.outcome,
                "size": fx.size if fx else None, "sha256": fx.sha256 if fx else None,
                "deep": self.deep if fx else None,
                "records": fx.records if read and fx else None,
                "digests": fx.digests if read and fx else None,
                "findings": [{"offset": f.offset, "reason": f.reason} for f in self.findings]}

    def detail(self) -> str:
        return "\n".join(f"offset {f.offset}: {f.reason}" for f in self.findings)


def _archive_files(archive: Path) -> Iterator[str]:
    if archive.is_dir():
        for path in sorted(archive.iterdir()):
            if path.is_file() and path.name.lower().endswith(ARCHIVE_SUFFIXES):
                yield path.name


@dataclass(frozen=True, slots=True)
class _Job:
    filename: str
    row_id: int | None = None
    sha256: str | None = None         # the fixity row's
    deep_sha256: str | None = None    # the bytes last proven whole by a deep check


def _judge(slug: str, archive: Path, job: _Job, deep: bool) -> Verdict:
    path = archive / job.filename
    if job.row_id is not None and not path.is_file():
        return Verdict(slug, job.filename, "missing", job.row_id,
                       findings=[Finding(0, "file missing from disk (the catalogue holds it)")])
    try:
        if not deep and job.sha256 is not None and job.deep_sha256 == job.sha256:
            size, sha256 = file_size_sha256(path)
            if sha256 == job.sha256:
                return Verdict(slug, job.filename, "ok", job.row_id,
                               FileFixity(size=size, sha256=sha256), deep=False)
        fixity = check_file(path, job.sha256)
    except OSError as exc:
        return Verdict(slug, job.filename, "failed", job.row_id,
                       findings=[Finding(0, f"unreadable: {exc.strerror or exc}")])
    findings = list(fixity.findings)
    if job.row_id is None:
        findings.insert(0, Finding(0, "not in the catalogue: no SHA-256 was recorded for it"))
        return Verdict(slug, job.filename, "unknown", None, fixity, findings)
    return Verdict(slug, job.filename, "ok" if fixity.ok else "failed", job.row_id, fixity,
                   findings, proven=fixity.sha256 if fixity.ok else None)


def verify_collection(home: Home, slug: str, workers: int, deep: bool = False) -> list[Verdict]:
    """Check one collection's files and record each outcome in the catalogue (``deep``: read
    every file whole, even one whose SHA-256 is that of bytes proven whole before)."""
    archive = home.collection(slug).archive
    with home.catalog.session() as session:
        coll = get_collection(session, slug)
        if coll is None:
            raise NotFound(f"no collection {slug!r} in the catalogue")
        rows = {row.filename: _Job(row.filename, row.id, row.sha256, row.deep_sha256)
                for row in held_files(session, coll.id)}
    jobs = [rows[name] for name in sorted(rows)]
    jobs += [_Job(name) for name in _archive_files(archive) if name not in rows]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        verdicts = list(pool.map(lambda job: _judge(slug, archive, job, deep), jobs))
    now = datetime.now(UTC)
    with home.catalog.session() as session:
        for verdict in verdicts:
            if verdict.row_id is not None:
                record_verification(session, verdict.row_id, outcome=verdict.outcome,
                                    detail=verdict.detail(), when=now,
                                    proven_sha256=verdict.proven)
    return verdicts


def run(home: Home, collection: str | None, as_json: bool, deep: bool = False) -> int:
    workers = os.cpu_count() or 1
    verdicts: list[Verdict] = []
    for slug in home.collection_slugs(collection):
        found = verify_collection(home, slug, workers, deep)
        verdicts += found
        if not as_json:
            _echo_collection(home, slug, found)
    if as_json:
        click.echo(json.dumps([v.as_dict() for v in verdicts], ensure_ascii=False, indent=1))
    return 0 if all(v.outcome == "ok" for v in verdicts) else 1


def _echo_collection(home: Home, slug: str, verdicts: list[Verdict]) -> None:
    for verdict in verdicts:
        for finding in verdict.findings:
            click.echo(f"{slug}/{verdict.filename}: {verdict.outcome}: offset {finding.offset}: "
                       f"{finding.reason}")
    bad = sum(1 for v in verdicts if v.outcome != "ok")
    size = sum(v.fixity.size for v in verdicts if v.fixity is not None)
    writing = sum(1 for p in (home.collection(slug).archive).glob("*" + OPEN_SUFFIX))
    note = f" ({writing} .open file(s) being written, not checked)" if writing else ""
    status = "all hold" if not bad else f"{bad} do not hold"
    quick = sum(1 for v in verdicts if not v.deep)
    how = f" ({quick} by SHA-256 against a deep check's)" if quick else ""
    click.echo(f"{slug}: {len(verdicts)} WARC files, {human_bytes(size)} verified{how}: "
               f"{status}{note}")


@click.command("verify")
@click.argument("collection", required=False)
@click.option("--deep", is_flag=True,
              help="Read every file whole (gzip members, record digests), even one whose "
                   "SHA-256 is that of bytes a deep check proved whole before.")
@click.option("--json", "as_json", is_flag=True,
              help="A JSON list of files: outcome, size, sha256, deep, findings (offset, reason).")
@click.pass_obj
def verify_command(home: Home, collection: str | None, deep: bool, as_json: bool) -> None:
    """Check every WARC file's SHA-256, gzip members and record digests (never repairs)."""
    raise SystemExit(run(home, collection, as_json, deep))
