"""The archive home: one directory holding an archive, and the one place its layout is spelled.

```
HOME/
  diancang.toml                 settings (SETTINGS_FILE)
  catalog.sqlite                the default catalogue (CATALOG_FILE)
  config.yaml                   pywb's config, generated (REPLAY_CONFIG)
  web-secret.key                the web app's generated key (SECRET_FILE)
  collections/<coll>/archive/   WARC files, pywb's own layout (CollectionPaths)
  collections/<coll>/indexes/   one CDXJ index per WARC file
  crawls/<crawl-id>/            crawl.log, stats.json, failed.jsonl (CrawlPaths)
  crawls/<crawl-id>/workers/<name>/   the same, of each worker of a distributed crawl
  scheduler/                    the daemon's log of each crawl it started
```
Lower packages never spell these names: they receive the paths (and pywb the names) as
arguments from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from diancang.errors import ConfigError, NotFound
from diancang.settings import Settings, default_toml

if TYPE_CHECKING:
    from catalog.db import Catalog

DEFAULT_HOME = "archive"          # --home or DIANCANG_HOME replace it
SETTINGS_FILE = "diancang.toml"
CATALOG_FILE = "catalog.sqlite"
REPLAY_CONFIG = "config.yaml"
SECRET_FILE = "web-secret.key"
COLLECTIONS, ARCHIVE, INDEXES = "collections", "archive", "indexes"   # pywb's own names
CRAWLS = "crawls"
WORKERS = "workers"                # crawls/<id>/workers/<name>/: a distributed crawl's workers
SCHEDULER_LOGS = "scheduler"


@dataclass(frozen=True, slots=True)
class CollectionPaths:
    """``collections/<coll>/``: its WARC files and their CDXJ indexes."""

    dir: Path

    @property
    def archive(self) -> Path:
        return self.dir / ARCHIVE

    @property
    def indexes(self) -> Path:
        return self.dir / INDEXES

    def ensure(self) -> CollectionPaths:
        for sub in (self.archive, self.indexes):
            sub.mkdir(parents=True, exist_ok=True)
        return self


@dataclass(frozen=True, slots=True)
class CrawlPaths:
    """``crawls/<id>/``: what one crawl leaves beside its WARC files."""

    dir: Path

    @property
    def log(self) -> Path:
        return self.dir / "crawl.log"

    @property
    def stats(self) -> Path:
        """Its figures, rewritten while it runs (the web app polls them)."""
        return self.dir / "stats.json"

    @property
    def failed(self) -> Path:
        """The requests that got no answer, one JSON object a line."""
        return self.dir / "failed.jsonl"

    @property
    def frontier(self) -> Path:
        """Its requests pending, in flight and done, kept through any stop (``--resume``)."""
        return self.dir / "frontier.sqlite"

    def worker(self, name: str) -> CrawlPaths:
        """``workers/<name>/``: one worker's log, figures and failures in a distributed crawl
        (its frontier is in Redis)."""
        return CrawlPaths(self.dir / WORKERS / name)

    def workers(self) -> list[CrawlPaths]:
        """Every worker's paths (a distributed crawl's)."""
        root = self.dir / WORKERS
        return [CrawlPaths(p) for p in sorted(root.iterdir()) if p.is_dir()] \
            if root.is_dir() else []


@dataclass
class Home:
    path: Path
    overrides: dict[str, object] | None = None

    @property
    def settings_file(self) -> Path:
        return self.path / SETTINGS_FILE

    @property
    def catalog_file(self) -> Path:
        return self.path / CATALOG_FILE

    @property
    def replay_config(self) -> Path:
        return self.path / REPLAY_CONFIG

    @property
    def secret_file(self) -> Path:
        return self.path / SECRET_FILE

    @property
    def collections(self) -> Path:
        return self.path / COLLECTIONS

    @property
    def crawls(self) -> Path:
        return self.path / CRAWLS

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

    @property
    def scheduler_logs(self) -> Path:
        return self.path / SCHEDULER_LOGS

    def collection(self, slug: str) -> CollectionPaths:
        return CollectionPaths(self.collections / slug)

    def crawl(self, crawl_id: int) -> CrawlPaths:
        return CrawlPaths(self.crawls / str(crawl_id))

    @cached_property
    def settings(self) -> Settings:
        return self.load_settings()

    def load_settings(self, environ: Mapping[str, str] | None = None) -> Settings:
        """Its settings, layered (``environ``: the process's environment unless given)."""
        return Settings.load(self.settings_file, catalog_file=self.catalog_file,
                             environ=environ, overrides=self.overrides)

    @cached_property
    def catalog(self) -> Catalog:
        from catalog.db import Catalog  # SQLAlchemy: imported by the commands that need it

        return Catalog(self.settings.database_url)

    def exists(self) -> bool:
        return self.settings_file.is_file()

    def require(self) -> Home:
        if not self.exists():
            raise ConfigError(f"{self.path}: no archive home here (no {SETTINGS_FILE}); "
                              f"create one with: diancang --home {self.path} init")
        return self

    def init(self) -> list[str]:
        """Create whatever is missing; never overwrite. Returns what was created."""
        created: list[str] = []
        self.path.mkdir(parents=True, exist_ok=True)
        if not self.settings_file.exists():
            self.settings_file.write_text(default_toml(), encoding="utf-8")
            created.append(str(self.settings_file))
        for sub in (self.collections, self.crawls):
            if not sub.exists():
                sub.mkdir(parents=True)
                created.append(str(sub) + "/")
        _ = self.catalog  # creates and migrates the catalogue database
        self.write_replay_config()
        return created

    def ensure_collection(self, slug: str) -> CollectionPaths:
        return self.collection(slug).ensure()

    def write_replay_config(self) -> Path:
        from replay.config import write_pywb_config

        return write_pywb_config(self.replay_config, self.settings["web.public_url"],
                                 collections_root=COLLECTIONS, archive_paths=ARCHIVE,
                                 index_paths=INDEXES)
