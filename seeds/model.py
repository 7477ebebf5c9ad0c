"""What a curator's seed list says: a collection and its seeds, each with its crawl rules."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import yaml

SCOPES = ("page", "prefix", "host", "domain")
KINDS = ("site", "event")
ROBOTS = ("obey", "ignore")
# off: Scrapy alone; auto: Scrapy, and Chromium for the pages that need it; on: every page
BROWSER = ("off", "auto", "on")
NAMED_SCHEDULES = ("once", "daily", "weekly", "monthly")

# What a seed has where no one overrides it: no exclusions, robots.txt obeyed. The other
# rules' values where neither the seed nor its list gives one are the archive's settings
# (crawl.scope, crawl.depth, ...), which the composition root passes in as ``defaults``.
NO_OVERRIDES: dict[str, Any] = {"exclude": (), "robots": "obey"}


@dataclass(frozen=True, slots=True)
class Seed:
    url: str
    scope: str                     # page | prefix | host | domain (SCOPES)
    depth: int                     # link hops from the seed (page requisites do not count)
    max_pages: int                 # URLs fetched on behalf of this seed
    delay: float                   # seconds between requests to the seed's host
    concurrency: int               # connections to the seed's host
    browser: str                   # off | auto | on: which pages Chromium renders (BROWSER)
    exclude: tuple[str, ...] = ()  # substrings of the URL, or "re:<regex>"
    robots: str = "obey"           # obey | ignore (a curator override, recorded in the WARC)
    title: str | None = None
    agency: str | None = None
    line: int = 0                  # where the seed was written, for messages


@dataclass(frozen=True, slots=True)
class Limits:
    """Where one crawl stops, whatever is left in its queue (None: no limit)."""
    duration: float | None = None  # seconds
    pages: int | None = None       # responses archived
    bytes: int | None = None       # WARC bytes written

    def as_dict(self) -> dict[str, float | int]:
        return {k: v for k, v in (("duration", self.duration), ("pages", self.pages),
                                  ("bytes", self.bytes)) if v is not None}


@dataclass(frozen=True, slots=True)
class SeedList:
    collection: str
    title: str
    kind: str
    schedule: str
    seeds: tuple[Seed, ...]
    description: str | None = None
    source: str = field(default="", compare=False)
    limits: Limits = field(default_factory=Limits)
    schedule_start: datetime | None = None   # an event collection's first and last crawl days
    schedule_end: datetime | None = None
    # readers without a login may replay it; None: the list does not say (new collections are
    # private, an existing one keeps what curators set)
    public: bool | None = None


def seed_list_doc(seed_list: SeedList) -> dict[str, Any]:
    """The seed list as the mapping a curator writes (YAML), or a warcinfo carries (JSON)."""
    seeds = []
    for seed in seed_list.seeds:
        entry: dict[str, Any] = {"url": seed.url}
        for name in ("title", "agency"):
            if getattr(seed, name):
                entry[name] = getattr(seed, name)
        entry.update(scope=seed.scope, depth=seed.depth, max_pages=seed.max_pages,
                     delay=seed.delay, concurrency=seed.concurrency)
        entry["exclude"] = list(seed.exclude)
        entry["robots"] = seed.robots
        entry["browser"] = seed.browser
        seeds.append(entry)
    doc: dict[str, Any] = {"collection": seed_list.collection, "title": seed_list.title,
                           "kind": seed_list.kind, "schedule": seed_list.schedule}
    if seed_list.schedule_start:
        doc["schedule_start"] = seed_list.schedule_start.isoformat()
    if seed_list.schedule_end:
        doc["schedule_end"] = seed_list.schedule_end.isoformat()
    if seed_list.description:
        doc["description"] = seed_list.description
    if seed_list.public is not None:
        doc["public"] = seed_list.public
    if seed_list.limits.as_dict():
        doc["limits"] = seed_list.limits.as_dict()
    doc["seeds"] = seeds
    return doc


def seed_list_to_yaml(seed_list: SeedList) -> str:
    """The seed list in the YAML a curator writes (``diancang seeds export``)."""
    text: str = yaml.safe_dump(seed_list_doc(seed_list), allow_unicode=True,
                               sort_keys=False, width=100)
    return text


def seed_list_to_json(seed_list: SeedList) -> str:
    """The seed list on one line (ASCII), as each WARC's ``warcinfo`` carries it."""
    return json.dumps(seed_list_doc(seed_list), separators=(",", ":"))


def seed_list_from_json(text: str, source: str, defaults: Mapping[str, Any]) -> SeedList:
    """A seed list written by ``seed_list_to_json``; raises ValueError if it is not one.

    ``defaults`` (the archive's seed defaults) fill rules an older writer did not record.
    """
    doc = json.loads(text)
    seeds = tuple(Seed(**{**defaults, **entry, "exclude": tuple(entry.get("exclude", ()))})
                  for entry in doc["seeds"])
    dates = {key: datetime.fromisoformat(doc[key]) for key in ("schedule_start", "schedule_end")
             if doc.get(key)}
    return SeedList(collection=doc["collection"], title=doc["title"], kind=doc["kind"],
                    schedule=doc["schedule"], seeds=seeds, description=doc.get("description"),
                    source=source, limits=Limits(**doc.get("limits", {})),
                    schedule_start=dates.get("schedule_start"),
                    schedule_end=dates.get("schedule_end"), public=doc.get("public"))
