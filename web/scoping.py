"""Curators limited to the collections granted to them (administrators see all).

Each admin view names the collection it acts on in its URL, directly (``slug``) or through a
crawl, a crawl request or an access rule; a limited curator asking for another collection gets
the 404 an unknown one gets.  Lists (the dashboard, the public pages, search, access rules)
show such a curator only their collections, and their replay links carry grants only for them.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, request
from sqlalchemy import select

from catalog.models import AccessRule, Collection, Crawl, CrawlRequest
from catalog.users import allowed_collections
from web.context import db
from web.security import current_user

# URL argument -> the id and collection columns of the table whose row it names
_OWNERS: dict[str, tuple[Any, Any]] = {
    "crawl_id": (Crawl.id, Crawl.collection_id),
    "request_id": (CrawlRequest.id, CrawlRequest.collection_id),
    "rule_id": (AccessRule.id, AccessRule.collection_id),
}


def allowed() -> frozenset[str] | None:
    """The collections the logged-in user may work on (None: all); nobody logged in: none."""
    if "allowed" not in g:
        user = current_user()
        g.allowed = frozenset() if user is None else allowed_collections(db(), user)
    found: frozenset[str] | None = g.allowed
    return found


def may_work_on(slug: str) -> bool:
    scope = allowed()
    return scope is None or slug in scope


def _named_collection() -> str | None:
    args = request.view_args or {}
    if "slug" in args:
        return str(args["slug"])
    for name, (row_id, collection_id) in _OWNERS.items():
        if name in args:
            return db().scalars(select(Collection.slug).where(
                Collection.id == collection_id, row_id == args[name])).one_or_none()
    return None


def check_scope() -> None:
    """Before every /admin view: a limited curator may open only their collections."""
    if not request.path.startswith("/admin") or current_user() is None or allowed() is None:
        return
    slug = _named_collection()
    if slug is not None and not may_work_on(slug):
        abort(404)
