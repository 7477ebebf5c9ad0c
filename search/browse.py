"""What researchers browse: collections with their extent, a collection's sites, a site's
captures over time.  Read-only queries, the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.access import Viewer, visible_clause
from catalog.models import Capture, Collection, Seed, WarcFile


@dataclass(frozen=True, slots=True)
class CollectionInfo:
    collection: Collection
    captures: int
    first: str | None          # 14-digit capture timestamps
    last: str | None
    size: int                  # bytes of WARC files
    files: int = 0             # WARC and ARC files held
    seeds: int = 0


@dataclass(frozen=True, slots=True)
class SiteInfo:
    host: str
    captures: int
    pages: int                 # distinct URLs
    first: str
    last: str
    home: str                  # the URL to open the site's calendar at
    title: str | None = None   # its home page's title, as last captured


@dataclass(frozen=True, slots=True)
class PageInfo:
    url: str
    captures: int
    first: str
    last: str
    title: str | None = None   # as last captured


def collections_overview(session: Session, *, include_private: bool) -> list[CollectionInfo]:
    query = select(Collection).order_by(Collection.kind, Collection.title)
    if not include_private:
        query = query.where(Collection.public.is_(True))
    colls = list(session.scalars(query))
    extent = {cid: (n, first, last) for cid, n, first, last in session.execute(
        select(Capture.collection_id, func.count(), func.min(Capture.timestamp),
               func.max(Capture.timestamp)).group_by(Capture.collection_id))}
    sizes = {cid: (size, files) for cid, size, files in session.execute(
        select(WarcFile.collection_id, func.sum(WarcFile.size), func.count())
        .group_by(WarcFile.collection_id))}
    seeds = {cid: n for cid, n in session.execute(
        select(Seed.collection_id, func.count()).group_by(Seed.collection_id))}
    out = []
    for coll in colls:
        n, first, last = extent.get(coll.id, (0, None, None))
        size, files = sizes.get(coll.id, (0, 0))
        out.append(CollectionInfo(coll, int(n), first, last, int(size or 0), int(files),
                                  int(seeds.get(coll.id, 0))))
    return out


def sites(session: Session, collection_id: int, viewer: Viewer,
          host: str | None = None) -> list[SiteInfo]:
    """The hosts captured in a collection (or just ``host``), most captured first; each with
    the URL to open its calendar at (its shortest captured URL, the home page as a rule).
    Captures access rules hide from ``viewer`` do not count, here and below."""
    where = [Capture.collection_id == collection_id, Capture.host.is_not(None),
             visible_clause(session, viewer)]
    if host is not None:
        where.append(Capture.host == host)
    rank = func.row_number().over(partition_by=Capture.host,
                                  order_by=(func.length(Capture.url), Capture.url))
    shortest = select(Capture.host, Capture.url, rank.label("rank")).where(*where).subquery()
    homes = {h: url for h, url in session.execute(select(shortest.c.host, shortest.c.url)
                                                  .where(shortest.c.rank == 1))}
    rows = session.execute(
        select(Capture.host, func.count(), func.count(Capture.url.distinct()),
               func.min(Capture.timestamp), func.max(Capture.timestamp))
        .where(*where).group_by(Capture.host))
    titles = _titles(session, collection_id, viewer, Capture.url.in_(set(homes.values())))
    out = [SiteInfo(str(h), int(n), int(urls), first, last, homes[h], titles.get(homes[h]))
           for h, n, urls, first, last in rows]
    out.sort(key=lambda s: (-s.captures, s.host))
    return out


def captures_per_day(session: Session, collection_id: int, host: str,
                     viewer: Viewer) -> list[tuple[str, int]]:
    """(YYYYMMDD, captures) for each day the host was captured, in order."""
    day = func.substr(Capture.timestamp, 1, 8)
    rows = session.execute(select(day, func.count())
                           .where(Capture.collection_id == collection_id, Capture.host == host,
                                  visible_clause(session, viewer))
                           .group_by(day).order_by(day))
    return [(str(d), int(n)) for d, n in rows]


def pages(session: Session, collection_id: int, host: str, viewer: Viewer, *,
          mimes: Sequence[str] = ("text/html", "application/xhtml+xml"),
          limit: int = 500) -> list[PageInfo]:
    """The host's pages (HTML by default), with their capture counts."""
    rows = session.execute(
        select(Capture.url, func.count(), func.min(Capture.timestamp),
               func.max(Capture.timestamp))
        .where(Capture.collection_id == collection_id, Capture.host == host,
               Capture.mime.in_(mimes), visible_clause(session, viewer))
        .group_by(Capture.url).order_by(Capture.url).limit(limit)).all()
    titles = _titles(session, collection_id, viewer, Capture.host == host) if rows else {}
    return [PageInfo(url, int(n), first, last, titles.get(url)) for url, n, first, last in rows]


def _titles(session: Session, collection_id: int, viewer: Viewer,
            *where: Any) -> dict[str, str]:
    """URL -> the title of its latest capture (that the viewer may see) that has one."""
    rows = session.execute(select(Capture.url, Capture.title)
                           .where(Capture.collection_id == collection_id,
                                  Capture.title.is_not(None), visible_clause(session, viewer),
                                  *where)
                           .order_by(Capture.timestamp, Capture.id))
    return {url: title for url, title in rows if title}    # oldest first: the last wins
