"""Login throttling: failed logins counted per account and per address, in the catalogue.

Kept in the catalogue, not in a worker's memory, so the limit holds however many web workers
(or machines) answer.  A key is throttled once ``limit`` failures fall within the last
``window`` seconds; it is free again when the oldest of them leaves the window.  A success
clears its account's failures (the address's stay: one address guessing many accounts is
still throttled).  Old rows are pruned as failures are recorded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from catalog.models import LoginFailure

Key = tuple[str, str]          # (scope, key): ("account", name) or ("address", ip)


def keys_of(name: str, address: str) -> tuple[Key, Key]:
    return ("account", name.casefold()[:255]), ("address", address[:255])


def retry_after(session: Session, keys: Iterable[Key], *, limit: int, window: float,
                now: datetime | None = None) -> int:
    """Seconds until a login may be tried again with these keys; 0 when it may now."""
    now = now or datetime.now(UTC)
    since = now - timedelta(seconds=window)
    wait = 0.0
    for scope, key in keys:
        times = session.scalars(
            select(LoginFailure.at)
            .where(LoginFailure.scope == scope, LoginFailure.key == key,
                   LoginFailure.at > since)
            .order_by(LoginFailure.at.desc()).limit(limit)).all()
        if len(times) >= limit:
            oldest = _aware(times[-1])
            wait = max(wait, (oldest + timedelta(seconds=window) - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else 0


def record_failure(session: Session, keys: Iterable[Key], *, window: float,
                   now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    session.execute(delete(LoginFailure).where(
        LoginFailure.at < now - timedelta(seconds=window)))
    for scope, key in keys:
        session.add(LoginFailure(scope=scope, key=key, at=now))


def clear_account(session: Session, key: Key) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.scope == key[0],
                                               LoginFailure.key == key[1]))


def _aware(moment: datetime) -> datetime:
    """SQLite gives naive datetimes back; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
