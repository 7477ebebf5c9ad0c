"""What researchers see without logging in: public collections, their sites, a site's
captures over time with the way into replay.  Collections not public are hidden (404)
unless a curator is logged in."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from catalog.collections import get_collection
from catalog.models import Collection
from search.browse import captures_per_day, collections_overview, pages, sites
from web.context import db
from web.grants import viewer
from web.i18n import translate
from web.scoping import may_work_on
from web.security import current_user
from web.timeline import timeline_svg

bp = Blueprint("public", __name__)


def visible_collection(slug: str) -> Collection:
    coll = get_collection(db(), slug)
    if coll is None or not (coll.public or (current_user() is not None
                                            and may_work_on(coll.slug))):
        abort(404)
    return coll


@bp.route("/")
def index() -> str:
    overview = [info for info in
                collections_overview(db(), include_private=current_user() is not None)
                if info.collection.public or may_work_on(info.collection.slug)]
    events = [c for c in overview if c.collection.kind == "event"]
    websites = [c for c in overview if c.collection.kind != "event"]
    return render_template("index.html", events=events, websites=websites)


@bp.route("/collections/<slug>")
def collection(slug: str) -> str:
    coll = visible_collection(slug)
    return render_template("collection.html", coll=coll, sites=sites(db(), coll.id, viewer()))


@bp.route("/collections/<slug>/sites/<host>")
def site(slug: str, host: str) -> str:
    coll = visible_collection(slug)
    found = sites(db(), coll.id, viewer(), host)
    if not found:
        abort(404)
    info = found[0]
    chart = timeline_svg(captures_per_day(db(), coll.id, host, viewer()),
                         title=translate("site.timeline", host=host),
                         captures_label=translate("site.captures_unit"))
    return render_template("site.html", coll=coll, site=info, chart=chart,
                           pages=pages(db(), coll.id, host, viewer()))
