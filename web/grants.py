"""Who is reading, for access rules, and the grants that carry a curator into replay.

Replay runs on another host name and cannot see the web app's session, so a logged-in
curator's links into replay carry a signed, short-lived grant for that one collection
(``catalog.grants``), which replay turns into its own cookie; readers without a login get
plain links, and replay shows them only public collections.
"""

from __future__ import annotations

from flask import current_app

from catalog.access import ANONYMOUS, Viewer
from catalog.grants import PARAM, make_grant
from web.scoping import allowed, may_work_on
from web.security import current_user


def viewer() -> Viewer:
    """Anonymous readers see what access rules leave public; a logged-in curator sees
    embargoed captures of their collections too (takedowns hold for everyone)."""
    return ANONYMOUS if current_user() is None else Viewer(allowed())


def with_grant(link: str, collection: str) -> str:
    """``link`` into replay, carrying a grant for ``collection`` when a curator follows it."""
    user = current_user()
    if user is None or not may_work_on(collection):
        return link
    token = make_grant(str(current_app.secret_key), collection, user.name)
    return f"{link}{'&' if '?' in link else '?'}{PARAM}={token}"
