"""The archive home: one directory holding an archive, in pywb's own layout (DESIGN.md)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from catalog.db import Catalog
from diancang.errors import ConfigError, NotFound
from diancang.settings import Settings, default_toml
from replay.config import ensure_collection, write_pywb_config


@dataclass
class Home:
    path: Path
    overrides: dict[str, object] | None = None

    @property
    def settings_file(self) -> Path:
        return self.path / "diancang.toml"

    @property
    def collections(self) -> Path:
        return self.path / "collections"

    def collection_dir(self, slug: str) -> Path:
        return self.collections / slug

    def collection_slugs(self, collection: str | None) -> list[str]:
        """Every collection's slug, or just ``collection`` (NotFound if there is none)."""
        from catalog.collections import list_collections

        with self.require().catalog.session() as session:
            slugs = [c.slug for c in list_collections(session)]
        if collection is None:
            return slugs
        if collection not in slugs:
            raise NotFound(f"no collection {collection!r} in the catalogue")
        return [collection]

    def crawl_dir(self, crawl_id: int) -> Path:
        return self.path / "crawls" / str(crawl_id)

    @cached_property
    def settings(self) -> Settings:
        return Settings.load(self.path, overrides=self.overrides)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.settings.database_url)

    def exists(self) -> bool:
        return self.settings_file.is_file()

    def require(self) -> Home:
        if not self.exists():
            raise ConfigError(f"{self.path}: no archive home here (no diancang.toml); "
                              f"create one with: diancang --home {self.path} init")
        return self

    def init(self) -> list[str]:
        """Create whatever is missing; never overwrite. Returns what was created."""
        created: list[str] = []
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.settings_file.exists():
            self.settings_file.write_text(default_toml(), encoding="utf-8")
            created.append(str(self.settings_file))
        for sub in (self.collections, self.path / "crawls"):
            if not sub.exists():
                sub.mkdir(parents=True)
                created.append(str(sub) + "/")
        _ = self.catalog  # creates and migrates the catalogue database
        self.write_replay_config()
        return created

    def ensure_collection(self, slug: str) -> Path:
        return ensure_collection(self.path, slug)

    def write_replay_config(self) -> Path:
        return write_pywb_config(self.path, self.settings["web.public_url"])
