"""Grants: how a curator's access crosses from the web app to the replay host.

The two run on different host names and share no cookies, so the web app hands a curator a
replay link carrying a signed, short-lived token naming one collection; replay checks it with
the same key (the web app's secret, from the archive home) and keeps it as its own cookie
scoped to that collection.  A token for one collection never opens another, and none
outlives its lifetime.
"""

from __future__ import annotations

import time

from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "diancang.replay-grant"
PARAM = "__diancang_grant"      # the query parameter a grant link carries
COOKIE = "diancang_grant"       # the replay host's cookie, path /<collection>/


def make_grant(secret: str, collection: str, user: str) -> str:
    return URLSafeTimedSerializer(secret, salt=SALT).dumps({"c": collection, "u": user})


def read_grant(secret: str, token: str, collection: str, max_age: int) -> float | None:
    """Seconds the grant has left if ``token`` is a valid grant for ``collection``, else None."""
    try:
        data, signed = URLSafeTimedSerializer(secret, salt=SALT).loads(
            token, max_age=max_age, return_timestamp=True)
    except BadSignature:            # a forged, altered or expired token
        return None
    if not isinstance(data, dict) or data.get("c") != collection:
        return None
    return float(max(0.0, signed.timestamp() + max_age - time.time()))
