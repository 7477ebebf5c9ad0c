"""``diancang index --rebuild`` on a home whose catalogue was lost: collections found on disk
but not in the catalogue are recreated from their WARC files (``catalog.recover``) before they
are indexed, and what cannot come back is said."""

from __future__ import annotations

from catalog.collections import list_collections
from catalog.recover import FoundFile, Recovered, recover_collection
from diancang.home import Home
from indexer.index import closed_warcs
from seeds.check import slug_problem
from warc_store.fixity import file_sha256
from warc_store.warcinfo import read_warcinfo

LOST = ("users", "schedules", "crawl requests", "public flags",
        "Dublin Core notes (creator, subject, coverage, rights, language)",
        "crawl figures (pages, bytes, errors, stop reasons)")


def recover_missing(home: Home) -> list[Recovered]:
    """Recreate each collection directory the catalogue does not know; returns them."""
    catalog = home.catalog
    with catalog.session() as session:
        known = {c.slug for c in list_collections(session)}
    recovered: list[Recovered] = []
    if not home.collections.is_dir():
        return recovered
    for directory in sorted(home.collections.iterdir()):
        slug = directory.name
        if slug in known or not directory.is_dir() or slug_problem(slug) is not None:
            continue
        warcs = closed_warcs(home.collection(slug).archive)
        if not warcs:
            continue
        files = [FoundFile(p.name, p.stat().st_size, file_sha256(p), read_warcinfo(p))
                 for p in warcs]
        with catalog.session() as session:
            recovered.append(recover_collection(
                session, slug, files, seed_defaults=home.settings.seed_defaults))
    return recovered


def describe(found: Recovered) -> str:
    schedule = (f"; its seed list said schedule {found.schedule!r}, not started again"
                if found.schedule not in (None, "once") else "")
    return (f"recovered collection {found.slug} ({found.title}) from {found.files} WARC files: "
            f"{found.seeds} seeds, {found.crawls} crawls{schedule}")
