"""Jinja filters: capture timestamps as dates, byte counts, replay addresses."""

from __future__ import annotations

from flask import Flask

from seeds.limits import human_bytes
from web.context import web
from web.grants import with_grant
from web.i18n import language


def stamp_date(stamp: str | None) -> str:
    if not stamp:
        return "—"
    return f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:8]}"


def stamp_time(stamp: str | None) -> str:
    if not stamp or len(stamp) < 14:
        return stamp_date(stamp)
    return f"{stamp_date(stamp)} {stamp[8:10]}:{stamp[10:12]}:{stamp[12:14]}"




def replay_root() -> str:
    """Replay's base URL in the reader's language (pywb's locale prefix, which replay then
    remembers): the choice made here holds there."""
    return f"{web().replay_base}/{language()}"


def calendar_url(collection: str, url: str) -> str:
    """pywb's calendar of every capture of ``url`` in the collection."""
    return with_grant(f"{replay_root()}/{collection}/*/{url}", collection)


def replay_url(collection: str, timestamp: str, url: str) -> str:
    return with_grant(f"{replay_root()}/{collection}/{timestamp}/{url}", collection)


def raw_url(collection: str, timestamp: str, url: str) -> str:
    """The archived bytes themselves (pywb's ``id_``), e.g. a page's screenshot."""
    return f"{web().replay_base}/{collection}/{timestamp}id_/{url}"


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(date=stamp_date, datetime=stamp_time, bytes=human_bytes)
    app.jinja_env.globals.update(calendar_url=calendar_url, replay_url=replay_url,
                                 raw_url=raw_url)
