"""What every request reaches: the catalogue, replay's base URL, paths; a session per request."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from flask import current_app, g
from sqlalchemy.orm import Session

from catalog.db import Catalog


class CrawlFiles(Protocol):
    """Where a crawl keeps its files (the archive home says: ``diancang.home.CrawlPaths``)."""

    @property
    def stats(self) -> Path: ...       # its figures while it runs

    @property
    def failed(self) -> Path: ...      # its requests that got no answer


@dataclass
class WebContext:
    catalog: Catalog
    replay_base: str                           # e.g. http://localhost:8080, no trailing /
    crawl_files: Callable[[int], CrawlFiles] | None    # a crawl's id -> its files
    login_limit: int                           # failed logins per account or address ...
    login_window: float                        # ... within this many seconds, then 429
    seed_defaults: Mapping[str, Any]            # the archive's crawl settings for seed lists


def web() -> WebContext:
    ctx: WebContext = current_app.extensions["diancang"]
    return ctx


def db() -> Session:
    """The request's catalogue session; views commit what they change, the rest is dropped."""
    if "db" not in g:
        g.db = Session(web().catalog.engine, expire_on_commit=False)
    session: Session = g.db
    return session


def close_db(_exc: BaseException | None = None) -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()
