"""Full-text search for researchers: the catalogue's search with its filters, highlighted
snippets, each hit opening its capture in replay.  Visitors who are not logged in search the
public collections only."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from markupsafe import Markup

from search.browse import collections_overview
from search.query import BadQuery, search
from web.context import db
from web.formatting import replay_root
from web.grants import viewer
from web.i18n import translate
from web.scoping import may_work_on
from web.security import current_user

bp = Blueprint("search", __name__)

PER_PAGE = 20
MIMES = ("text/html", "application/pdf")
FILTERS = ("collection", "site", "from", "to", "mime", "agency", "subject", "group")


@bp.route("/search")
def results() -> tuple[str, int]:
    args = request.args
    query = args.get("q", "").strip()
    visible = [info.collection for info in
               collections_overview(db(), include_private=current_user() is not None)
               if info.collection.public or may_work_on(info.collection.slug)]
    slugs = [c.slug for c in visible]
    page = max(1, args.get("page", 1, type=int) or 1)
    filters = {name: args.get(name, "").strip() for name in FILTERS}
    result, error = None, None
    if query:
        try:
            result = search(db(), query, collection=filters["collection"] or None,
                            site=filters["site"] or None, date_from=filters["from"] or None,
                            date_to=filters["to"] or None, mime=filters["mime"] or None,
                            agency=filters["agency"] or None,
                            subject=filters["subject"] or None,
                            group="none" if filters["group"] == "none" else "url", limit=PER_PAGE,
                            offset=(page - 1) * PER_PAGE, replay_base=replay_root(),
                            collections=slugs, viewer=viewer())
        except BadQuery as exc:             # a date that is not one
            error = translate("search.bad_" + exc.option, message=str(exc))
    titles = {c.slug: c.title for c in visible}
    pages = 0 if result is None else (result.total + PER_PAGE - 1) // PER_PAGE
    return render_template("search.html", query=query, filters=filters, result=result,
                           error=error, collections=visible, titles=titles, mimes=MIMES,
                           page=page, pages=pages, markup=Markup), 422 if error else 200
