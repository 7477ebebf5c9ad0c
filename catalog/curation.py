"""A curator's edits made one at a time (the web app): collections, and single seeds.

Single-seed edits go through the same validation as a whole seed list: the collection is
written out as its seed list with the edit applied, read back by ``seeds.parse`` (every rule,
every default), and imported all or nothing.  A form can never store what a file could not.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from catalog.collections import ImportResult, get_collection, import_seed_list, seed_list_of
from catalog.models import Collection
from errors import InvalidInput
from seeds.check import slug_problem
from seeds.model import KINDS, seed_list_to_yaml
from seeds.parse import load_seed_list

# the Dublin Core description a collection carries beyond title and description (migration
# 0002), those of them this schema has
DUBLIN_CORE = tuple(name for name in ("creator", "subject", "coverage_start", "coverage_end",
                                      "rights", "language") if hasattr(Collection, name))


class CurationError(InvalidInput):
    """A bad value in a form; ``field`` names it."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def create_collection(session: Session, slug: str, title: str, kind: str) -> Collection:
    slug = slug.strip()
    wrong = slug_problem(slug)
    if wrong is not None:
        raise CurationError("collection", wrong)
    if get_collection(session, slug) is not None:
        raise CurationError("collection", f"a collection {slug!r} already exists")
    now = datetime.now(UTC)
    coll = Collection(slug=slug, title="", kind="site", schedule="once", created=now,
                      updated=now, public=False)
    update_collection(coll, {"title": title, "kind": kind})
    session.add(coll)
    session.flush()
    return coll


def update_collection(coll: Collection, values: Mapping[str, Any]) -> None:
    """Set the given descriptive fields (title, kind, description, public, Dublin Core)."""
    for field, value in values.items():
        if field == "title":
            value = (value or "").strip()
            if not value:
                raise CurationError("title", "expected a title")
        elif field == "kind":
            if value not in KINDS:
                raise CurationError("kind", f"expected one of {', '.join(KINDS)}, got {value!r}")
        elif field == "public":
            value = bool(value)
        elif field.startswith("coverage_") and field in DUBLIN_CORE:
            value = _date(field, value)
        elif not hasattr(Collection, field) or field in ("id", "slug", "created", "updated"):
            raise CurationError(field, "not a field a curator edits")
        elif isinstance(value, str):
            value = value.strip() or None
        setattr(coll, field, value)
    coll.updated = datetime.now(UTC)


def _date(field: str, value: Any) -> date | None:
    if value in (None, "") or isinstance(value, date):
        return value or None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise CurationError(field, f"expected a date YYYY-MM-DD, got {value!r}") from None


def _import_edited(session: Session, coll: Collection, seeds: list[dict[str, Any]],
                   defaults: Mapping[str, Any]) -> ImportResult:
    doc = yaml.safe_load(seed_list_to_yaml(seed_list_of(coll)))
    doc["seeds"] = seeds
    with tempfile.TemporaryDirectory(prefix="diancang-seeds-") as tmp:
        path = Path(tmp) / f"{coll.slug}.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
        seed_list = load_seed_list(path, defaults=defaults)   # SeedListError on any problem
    return import_seed_list(session, seed_list)


def _current(coll: Collection) -> list[dict[str, Any]]:
    return list(yaml.safe_load(seed_list_to_yaml(seed_list_of(coll))).get("seeds") or [])


def save_seed(session: Session, coll: Collection, entry: Mapping[str, Any], *,
              replaces: str | None = None,
              defaults: Mapping[str, Any]) -> ImportResult:
    """Add a seed (``replaces`` None) or replace the seed whose URL is ``replaces``.

    ``entry`` holds the seed's keys as a seed list writes them; a key left out takes the
    list's defaults.  Raises ``SeedListError`` (nothing written) when the result is invalid.
    """
    seeds = _current(coll)
    clean = {k: v for k, v in entry.items() if v not in (None, "", [])}
    if replaces is None:
        seeds.append(clean)
    else:
        index = next((i for i, s in enumerate(seeds) if s["url"] == replaces), None)
        if index is None:
            raise CurationError("url", f"no seed {replaces!r} in {coll.slug}")
        seeds[index] = clean
    return _import_edited(session, coll, seeds, defaults)


def remove_seed(session: Session, coll: Collection, url: str) -> None:
    """Remove one seed (removing cannot make a list invalid, and may leave it empty)."""
    row = next((r for r in coll.seeds if r.url == url), None)
    if row is None:
        raise CurationError("url", f"no seed {url!r} in {coll.slug}")
    coll.seeds.remove(row)
    for position, kept in enumerate(coll.seeds):
        kept.position = position
    coll.updated = datetime.now(UTC)
    session.flush()
