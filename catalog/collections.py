"""Collections and their seeds: importing a seed list (all or nothing) and reading it back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.models import Collection
from catalog.models import Seed as SeedRow
from seeds.model import Limits, Seed, SeedList


@dataclass(frozen=True, slots=True)
class ImportResult:
    collection: str
    created: bool
    added: int
    updated: int
    removed: int


def get_collection(session: Session, slug: str) -> Collection | None:
    return session.scalars(select(Collection).where(Collection.slug == slug)).one_or_none()


def list_collections(session: Session) -> list[Collection]:
    return list(session.scalars(select(Collection).order_by(Collection.slug)))


def _seed_fields(seed: Seed) -> dict[str, object]:
    return {"title": seed.title, "agency": seed.agency, "scope": seed.scope, "depth": seed.depth,
            "max_pages": seed.max_pages, "delay": seed.delay, "concurrency": seed.concurrency,
            "exclude": list(seed.exclude), "robots": seed.robots, "browser": seed.browser}


def import_seed_list(session: Session, seed_list: SeedList) -> ImportResult:
    """Create or update the collection so its seeds are exactly those of ``seed_list``.

    Runs inside the caller's session: the caller's commit makes it all visible at once, and
    any error rolls all of it back.
    """
    now = datetime.now(UTC)
    coll = get_collection(session, seed_list.collection)
    created = coll is None
    if coll is None:
        coll = Collection(slug=seed_list.collection, created=now, public=False)
        session.add(coll)
    coll.title = seed_list.title
    coll.kind = seed_list.kind
    if seed_list.description is not None:   # a list that says none keeps the catalogue's own
        coll.description = seed_list.description
    coll.schedule = seed_list.schedule
    if seed_list.public is not None:     # likewise a list that does not say keeps the flag
        coll.public = seed_list.public
    coll.limits = seed_list.limits.as_dict() or None
    coll.updated = now

    existing = {row.url: row for row in coll.seeds}
    wanted = {seed.url for seed in seed_list.seeds}
    added = updated = 0
    for old in list(coll.seeds):
        if old.url not in wanted:
            coll.seeds.remove(old)
    for position, seed in enumerate(seed_list.seeds):
        fields = _seed_fields(seed)
        row = existing.get(seed.url)
        if row is None:
            coll.seeds.append(SeedRow(url=seed.url, position=position, **fields))
            added += 1
            continue
        changed = row.position != position or any(getattr(row, k) != v for k, v in fields.items())
        row.position = position
        for key, value in fields.items():
            setattr(row, key, value)
        updated += changed
    session.flush()
    from catalog.schedules import set_schedule  # the schedule module builds on this one

    set_schedule(session, coll.slug, seed_list.schedule, seed_list.schedule_start,
                 seed_list.schedule_end)
    return ImportResult(seed_list.collection, created, added, updated,
                        len(existing) - (len(wanted & set(existing))))


def seed_list_of(coll: Collection) -> SeedList:
    """The collection as a seed list, the shape the crawler takes."""
    seeds = tuple(
        Seed(url=row.url, scope=row.scope, depth=row.depth, max_pages=row.max_pages,
             delay=row.delay, concurrency=row.concurrency, exclude=tuple(row.exclude or ()),
             robots=row.robots, browser=row.browser, title=row.title, agency=row.agency)
        for row in coll.seeds)
    return SeedList(collection=coll.slug, title=coll.title, kind=coll.kind,
                    schedule=coll.schedule, seeds=seeds, description=coll.description,
                    source=f"catalogue:{coll.slug}", limits=Limits(**(coll.limits or {})),
                    public=coll.public)


def set_public(session: Session, slug: str, public: bool) -> Collection | None:
    """Make the collection public or private (None if there is no such collection)."""
    coll = get_collection(session, slug)
    if coll is not None:
        coll.public = public
        coll.updated = datetime.now(UTC)
    return coll


def create_collection(session: Session, slug: str, *, title: str,
                      kind: str) -> tuple[Collection, bool]:
    """The collection ``slug``, created (private, no seeds) if missing; and whether it was.
    Collections of imported files have no seed list."""
    coll = get_collection(session, slug)
    if coll is not None:
        return coll, False
    now = datetime.now(UTC)
    coll = Collection(slug=slug, title=title, kind=kind, schedule="once", created=now,
                      updated=now, public=False)
    session.add(coll)
    session.flush()
    return coll, True
