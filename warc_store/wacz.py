"""WACZ packages (1.1.1): reading one checked against its hashes, and writing one.

A WACZ is a ZIP holding ``archive/`` (WARC files, stored uncompressed), ``indexes/`` (a CDXJ
index), ``pages/pages.jsonl`` and ``datapackage.json``, which lists every other entry with its
SHA-256; ``datapackage-digest.json`` holds the hash of ``datapackage.json``.  Reading checks
every hash before any WARC is handed over; writing hashes each entry as it is written.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO, Any

from warcio.timeutils import timestamp_to_iso_date

from warc_store.check import ARCHIVE_SUFFIXES, BLOCK, Rejected

WACZ_VERSION = "1.1.1"
INDEX = "indexes/index.cdxj"
PAGES = "pages/pages.jsonl"


def _resources(zf: zipfile.ZipFile) -> dict[str, str]:
    """datapackage.json's resources as path -> "sha256:<hex>", checked against the digest."""
    try:
        raw = zf.read("datapackage.json")
    except KeyError:
        raise Rejected("no datapackage.json in the package") from None
    try:
        package = json.loads(raw)
        listed = {str(r["path"]): _hash_of(r) for r in package["resources"]}
    except (ValueError, KeyError, TypeError) as exc:
        raise Rejected(f"datapackage.json is not a WACZ datapackage ({exc})") from None
    if "datapackage-digest.json" in zf.namelist():
        try:
            digest = json.loads(zf.read("datapackage-digest.json"))["hash"]
        except (ValueError, KeyError, TypeError):
            raise Rejected("datapackage-digest.json holds no hash") from None
        if digest != "sha256:" + hashlib.sha256(raw).hexdigest():
            raise Rejected("datapackage.json does not match datapackage-digest.json")
    return listed


def _hash_of(resource: dict[str, Any]) -> str:
    """"<algorithm>:<hex>" of a resource: WACZ 1.1 writes ``hash`` so; WACZ 1.0 wrote
    ``stats.hash`` with the algorithm in ``hashing``."""
    if "hash" in resource:
        return str(resource["hash"])
    return f"{resource.get('hashing', 'sha256')}:{resource['stats']['hash']}"


def extract_wacz(path: Path, into: Path) -> list[Path]:
    """Check every entry of the package against its hash in datapackage.json and write its
    WARC files into ``into``; returns them.  Raises ``Rejected`` naming the first mismatch."""
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Rejected(f"not a WACZ (ZIP) file: {exc}") from None
    warcs: list[Path] = []
    with zf:
        listed = _resources(zf)
        for name in zf.namelist():
            if name.endswith("/") or name in ("datapackage.json", "datapackage-digest.json"):
                continue
            if name not in listed:
                raise Rejected(f"{name} is not listed in datapackage.json")
        for name, expected in listed.items():
            algorithm, _, hexdigest = expected.partition(":")
            if algorithm not in ("sha256", "md5", "sha1") or not hexdigest:
                raise Rejected(f"{name}: unknown hash {expected!r} in datapackage.json")
            pure = PurePosixPath(name)
            keep = (pure.parts[:1] == ("archive",) and len(pure.parts) == 2
                    and pure.name.endswith(ARCHIVE_SUFFIXES) and not pure.name.startswith("."))
            target = into / pure.name if keep else None
            try:
                got = _hash_entry(zf, name, algorithm, target)
            except KeyError:
                raise Rejected(f"{name} is listed in datapackage.json but missing") from None
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise Rejected(f"{name}: unreadable in the package ({exc})") from None
            if got != hexdigest:
                raise Rejected(f"{name} does not match its hash in datapackage.json")
            if target is not None:
                warcs.append(target)
    if not warcs:
        raise Rejected("no WARC files in the package's archive/")
    return warcs


def _hash_entry(zf: zipfile.ZipFile, name: str, algorithm: str, target: Path | None) -> str:
    hasher = hashlib.new(algorithm)
    with zf.open(name) as src:
        out = target.open("xb") if target is not None else None
        try:
            while block := src.read(BLOCK):
                hasher.update(block)
                if out is not None:
                    out.write(block)
        finally:
            if out is not None:
                out.close()
    return hasher.hexdigest()


# ---- writing ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    timestamp: str              # 14 digits
    title: str | None


class WaczWriter:
    """Writes a package entry by entry, hashing each; ``close`` adds the datapackage."""

    def __init__(self, target: Path, *, title: str, description: str | None, software: str):
        self.zf = zipfile.ZipFile(target, "x", allowZip64=True)
        self.meta = {"title": title, "description": description, "software": software}
        self.resources: list[dict[str, Any]] = []

    def _entry(self, name: str, chunks: Iterable[bytes], *, stored: bool) -> None:
        now = datetime.now(UTC)
        info = zipfile.ZipInfo(name, now.timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
        # An entry of unknown size is written with a ZIP64 field in its local header only
        # (its central record needs none below 4 GiB).  ReplayWeb.page (wabac.js) takes an
        # entry whose central record has no extra field to have none locally either, and
        # reads it 20 bytes early; a central extra field makes it read the local header.
        # So every entry carries its time as an extended-timestamp field (0x5455), as Info-ZIP
        # writes it, in both headers.
        info.extra = struct.pack("<HHBI", 0x5455, 5, 1, int(now.timestamp()) & 0xFFFFFFFF)
        sha, size = hashlib.sha256(), 0
        with self.zf.open(info, "w", force_zip64=True) as out:
            for chunk in chunks:
                sha.update(chunk)
                size += len(chunk)
                out.write(chunk)
        self.resources.append({"name": PurePosixPath(name).name.lower(), "path": name,
                               "hash": "sha256:" + sha.hexdigest(), "bytes": size})

    def add_warc(self, name: str, chunks: Iterable[bytes]) -> None:
        self._entry(f"archive/{name}", chunks, stored=True)

    def add_index(self, lines: Iterable[str]) -> None:
        self._entry(INDEX, (line.encode("utf-8") for line in lines), stored=False)

    def add_pages(self, pages: Iterable[Page]) -> None:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        rows = (json.dumps({"id": hashlib.sha1(f"{p.timestamp} {p.url}".encode()).hexdigest(),
                            "url": p.url, "ts": timestamp_to_iso_date(p.timestamp),
                            **({"title": p.title} if p.title else {})}, ensure_ascii=False)
                for p in pages)
        lines = (line.encode("utf-8") + b"\n" for line in [json.dumps(header), *rows])
        self._entry(PAGES, lines, stored=False)

    def close(self) -> None:
        package: dict[str, Any] = {"profile": "data-package", "resources": self.resources,
                                   "wacz_version": WACZ_VERSION,
                                   "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}
        package.update({k: v for k, v in self.meta.items() if v})
        raw = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        self.zf.writestr("datapackage.json", raw, zipfile.ZIP_DEFLATED)
        digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(raw).hexdigest()}
        self.zf.writestr("datapackage-digest.json", json.dumps(digest, indent=2),
                         zipfile.ZIP_DEFLATED)
        self.zf.close()

    def abort(self) -> None:
        self.zf.close()


def file_chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            yield block


def record_chunks(path: Path, spans: Iterable[tuple[int, int]], tail: bytes) -> Iterator[bytes]:
    """The bytes of the records at ``(offset, length)`` in ``path``, unchanged, each followed
    by ``tail`` (an uncompressed WARC record's end marker, which its length leaves out)."""
    with path.open("rb") as fh:
        for offset, length in spans:
            fh.seek(offset)
            yield _read_exactly(fh, length, path, offset)
            if tail:
                yield tail


def _read_exactly(fh: IO[bytes], length: int, path: Path, offset: int) -> bytes:
    data = fh.read(length)
    if len(data) != length:
        raise Rejected(f"{path.name}: the record at offset {offset} ends early")
    return data
