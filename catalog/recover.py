"""A collection recreated from its WARC files alone, when the catalogue was lost.

What comes back is what the files carry: the seed list (title, kind, description, seeds with
their rules, limits) from the ``diancang-seed-list`` field of our warcinfo records, the crawls
named by their ``crawl`` field (ids kept, dates from the files), and each file's fixity row.
The schedule the seed list named is not started again (a curator sets it anew); users,
crawl requests, public flags and the Dublin Core notes are not in the files at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from catalog.collections import create_collection, import_seed_list
from catalog.holdings import record_file
from catalog.models import Collection, Crawl
from seeds.model import SeedList, seed_list_from_json
from warc_store.warcinfo import WarcInfo

SEED_LIST_FIELD = "diancang-seed-list"


@dataclass(frozen=True, slots=True)
class FoundFile:
    filename: str
    size: int
    sha256: str
    info: WarcInfo | None


@dataclass(frozen=True, slots=True)
class Recovered:
    slug: str
    title: str
    seeds: int
    crawls: int
    files: int
    schedule: str | None            # what the seed list said; not set again


def _seed_list(slug: str, files: Sequence[FoundFile],
               seed_defaults: Mapping[str, Any]) -> SeedList | None:
    """The newest seed list the files carry."""
    dated = sorted((f.info.date or datetime.min, f.filename, f.info.fields[SEED_LIST_FIELD])
                   for f in files if f.info is not None and SEED_LIST_FIELD in f.info.fields)
    for _, filename, raw in reversed(dated):
        try:
            return dataclasses.replace(seed_list_from_json(raw, f"warcinfo of {filename}",
                                                           seed_defaults),
                                       collection=slug)
        except (ValueError, KeyError, TypeError):
            continue
    return None


def _crawls(session: Session, coll: Collection, files: Sequence[FoundFile]) -> dict[str, int]:
    """Crawl rows for the crawl ids of the collection's own warcinfo records; file -> id."""
    spans: dict[int, list[datetime]] = {}
    of_file: dict[str, int] = {}
    for f in files:
        fields = f.info.fields if f.info is not None else {}
        crawl = fields.get("crawl", "")
        if not crawl.isdigit() or fields.get("isPartOf") != coll.slug:
            continue
        existing = session.get(Crawl, int(crawl))
        if existing is not None and existing.collection_id != coll.id:
            continue            # that id is another collection's crawl in this catalogue
        of_file[f.filename] = int(crawl)
        if f.info is not None and f.info.date is not None:
            spans.setdefault(int(crawl), []).append(f.info.date)
        else:
            spans.setdefault(int(crawl), [])
    for crawl_id, dates in spans.items():
        if session.get(Crawl, crawl_id) is None:
            started = min(dates) if dates else datetime.now().astimezone()
            session.add(Crawl(id=crawl_id, collection_id=coll.id, status="finished",
                              started=started, finished=max(dates) if dates else None,
                              stop_reason="recovered from WARC files", stats={}))
    session.flush()
    if session.get_bind().dialect.name == "postgresql" and spans:
        session.execute(text("SELECT setval(pg_get_serial_sequence('crawls', 'id'), "
                             "(SELECT MAX(id) FROM crawls))"))
    return of_file


def recover_collection(session: Session, slug: str, files: Sequence[FoundFile], *,
                       seed_defaults: Mapping[str, Any]) -> Recovered:
    """Create the collection ``slug`` from what its files carry (it must not exist);
    ``seed_defaults`` fill the rules an older warcinfo did not record."""
    seed_list = _seed_list(slug, files, seed_defaults)
    if seed_list is not None:
        import_seed_list(session, dataclasses.replace(seed_list, schedule="once",
                                                      schedule_start=None, schedule_end=None))
        coll, _ = create_collection(session, slug, title=seed_list.title, kind=seed_list.kind)
    else:
        titles = [f.info.fields["description"] for f in files if f.info is not None
                  and f.info.fields.get("isPartOf") == slug and f.info.fields.get("description")]
        coll, _ = create_collection(session, slug, title=titles[-1] if titles else slug,
                                    kind="site")
    crawl_of = _crawls(session, coll, files)
    for f in files:
        record_file(session, collection_id=coll.id, crawl_id=crawl_of.get(f.filename),
                    filename=f.filename, size=f.size, sha256=f.sha256, records=0,
                    closed=f.info.date if f.info is not None else None)
    return Recovered(slug, coll.title, len(seed_list.seeds) if seed_list else 0,
                     len(set(crawl_of.values())), len(files),
                     seed_list.schedule if seed_list is not None else None)
