"""Who may see what on the replay host, read from the catalogue and kept current.

The catalogue is the only source.  From it this module writes each collection's pywb ACL,
``collections/<coll>/acl/diancang.aclj`` (pywb's format: SURT-keyed JSON lines sorted in
reverse, read by pywb's own AccessChecker on every lookup), and keeps in memory what pywb's
ACLs cannot say: which collections are public, and each collection's embargo.  The replay
server re-reads the catalogue every few seconds, so a change holds without a restart; the
``diancang access`` commands write the files at once.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy import func, select

from catalog.access import list_rules
from catalog.collections import list_collections
from catalog.db import Catalog
from catalog.models import AccessRule, Collection
from replay.rule_index import RuleIndex

ACL_DIR = "acl"
ACL_FILE = "diancang.aclj"


@dataclass(frozen=True)
class Snapshot:
    public: frozenset[str] = frozenset()
    embargo: dict[str, int] = field(default_factory=dict)       # slug -> days
    acl: dict[str, list[str]] = field(default_factory=dict)     # slug -> .aclj lines
    index: dict[str, RuleIndex] = field(default_factory=dict)   # slug -> its lines, indexed


def acl_line(rule: AccessRule) -> str:
    """One rule as pywb's ACL line: ``<surt> - {"access": ...}``.  A dated exclusion carries
    its bounds as 14-digit timestamps ``from``/``to`` (inclusive), which replay.checker
    applies; a plain pywb would exclude the URL at every date, the safe reading."""
    entry: dict[str, object] = {"access": rule.kind, "rule": rule.id}
    if rule.date_from:
        entry["from"] = rule.date_from.strftime("%Y%m%d") + "000000"
    if rule.date_to:
        entry["to"] = rule.date_to.strftime("%Y%m%d") + "235959"
    return f"{rule.surt} - {json.dumps(entry)}"


def read_snapshot(catalog: Catalog) -> Snapshot:
    with catalog.session() as session:
        public = frozenset(c.slug for c in list_collections(session) if c.public)
        embargo: dict[str, int] = {}
        acl: dict[str, list[str]] = {}
        for rule, slug in list_rules(session):
            if rule.kind == "embargo" and rule.days:
                embargo[slug] = rule.days
            elif rule.surt:
                acl.setdefault(slug, []).append(acl_line(rule))
    for lines in acl.values():
        lines.sort(reverse=True)            # pywb binary-searches its ACLs in reverse order
    return Snapshot(public, embargo, acl)


def write_acl_files(collections_root: Path, acl: dict[str, list[str]]) -> None:
    """Each collection's ``.aclj`` as the rules say (empty without rules).  Files are
    replaced whole (write, then rename), so pywb never reads half a file, and never removed:
    pywb caches a directory's listing by its stat, which a change within the same second may
    not alter, so the set of files stays fixed once there (a new collection's ``acl/``
    directory arrives with its file, renamed into place)."""
    root = Path(collections_root)
    for coll_dir in (root.iterdir() if root.is_dir() else ()):
        if not coll_dir.is_dir():
            continue
        text = "".join(line + "\n" for line in acl.get(coll_dir.name, ()))
        path = coll_dir / ACL_DIR / ACL_FILE
        if not path.parent.is_dir():
            fresh = coll_dir / f".{ACL_DIR}.{os.getpid()}.tmp"
            fresh.mkdir(exist_ok=True)
            (fresh / ACL_FILE).write_text(text, encoding="utf-8")
            os.replace(fresh, path.parent)
            continue
        if path.is_file() and path.read_text(encoding="utf-8") == text:
            continue
        tmp = path.with_name(f".{ACL_FILE}.{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def regenerate(catalog: Catalog, collections_root: Path) -> Snapshot:
    snapshot = read_snapshot(catalog)
    write_acl_files(collections_root, snapshot.acl)
    return snapshot


class AccessState:
    """The current snapshot, re-read from the catalogue at most every ``refresh`` seconds
    (by whichever request comes first after that)."""

    def __init__(self, catalog: Catalog, collections_root: Path, refresh: float):
        self.catalog = catalog
        self.collections_root = Path(collections_root)
        self.refresh = refresh
        self._lock = threading.Lock()
        self._read_at = float("-inf")
        self._version: tuple[object, ...] | None = None
        self.snapshot = Snapshot()
        self.current()

    def _read(self) -> Snapshot:
        """Which collections are public, each time; the rules (and the files and indexes made
        from them) only when they changed: rules are added and removed, never edited, so
        their count, highest id and latest creation tell (SQLite may give a removed highest
        id to the next rule, never with an earlier time).  A takedown list of thousands costs
        one small query per refresh."""
        with self.catalog.session() as session:
            version = tuple(session.execute(
                select(func.count(AccessRule.id), func.max(AccessRule.id),
                       func.max(AccessRule.created_at))).one())
            public = frozenset(session.scalars(select(Collection.slug)
                                               .where(Collection.public.is_(True))))
        if version == self._version:
            return replace(self.snapshot, public=public)
        fresh = regenerate(self.catalog, self.collections_root)
        self._version = version
        return replace(fresh, index={slug: RuleIndex(lines) for slug, lines in fresh.acl.items()})

    def current(self) -> Snapshot:
        if time.monotonic() - self._read_at >= self.refresh and self._lock.acquire(False):
            try:
                self.snapshot = self._read()
                self._read_at = time.monotonic()
            finally:
                self._lock.release()
        return self.snapshot
