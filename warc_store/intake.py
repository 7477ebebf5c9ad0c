"""Placing a checked file in a collection's ``archive/`` directory, unchanged and safely.

The bytes go to a hidden temporary name in the same directory, are fsynced, and are then
linked to a final name that does not exist yet (``os.link`` fails rather than replace), so a
file already held is never overwritten and a crash leaves no half file under a real name.
A name already used gets a suffix (``example-1.warc.gz``).  A move on the same file system
is a link and an unlink: the bytes are not copied.  The bytes written are hashed on the way
and must be the bytes that were checked.
"""

from __future__ import annotations

import errno
import hashlib
import os
import uuid
from collections.abc import Collection
from pathlib import Path

from warc_store.check import ARCHIVE_SUFFIXES, BLOCK, Rejected
from warc_store.fixity import file_sha256
from warc_store.writer import OPEN_SUFFIX, fsync_directory


def split_name(name: str) -> tuple[str, str]:
    """(stem, suffix) with the whole archive suffix: ``a.warc.gz`` -> (``a``, ``.warc.gz``)."""
    for suffix in ARCHIVE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[:-len(suffix)], suffix
    return Path(name).stem, Path(name).suffix


def candidate_names(name: str) -> list[str]:
    stem, suffix = split_name(name)
    return [name] + [f"{stem}-{n}{suffix}" for n in range(1, 1000)]


def _copy(source: Path, target: Path) -> str:
    sha = hashlib.sha256()
    with source.open("rb") as src, target.open("xb") as dst:
        while block := src.read(BLOCK):
            sha.update(block)
            dst.write(block)
        dst.flush()
        os.fsync(dst.fileno())
    return sha.hexdigest()


def _link_free_name(tmp: Path, directory: Path, name: str, taken: Collection[str]) -> Path:
    for candidate in candidate_names(name):
        final = directory / candidate
        if candidate in taken or (directory / (candidate + OPEN_SUFFIX)).exists():
            continue
        try:
            os.link(tmp, final)
        except FileExistsError:
            continue
        return final
    raise Rejected(f"no free name for {name} in {directory}")


def take_in(source: Path, directory: Path, *, sha256: str, move: bool = False,
            taken: Collection[str] = ()) -> Path:
    """Copy (or move) ``source`` into ``directory`` under its name or a free variant of it
    (none of ``taken``); returns the final path.  Raises ``Rejected`` if the bytes placed
    are not those checked (``sha256``)."""
    directory.mkdir(parents=True, exist_ok=True)
    tmp = directory / f".{uuid.uuid4().hex}.importing"
    linked = False
    if move:
        try:
            os.link(source, tmp)
            linked = True
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
                raise
    try:
        got = file_sha256(tmp) if linked else _copy(source, tmp)
        if got != sha256:
            raise Rejected("the file changed between its check and its copy")
        final = _link_free_name(tmp, directory, source.name, taken)
    finally:
        tmp.unlink(missing_ok=True)
    fsync_directory(directory)
    if move:
        source.unlink()
    return final
