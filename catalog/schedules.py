"""A collection's schedule in the catalogue: what the daemon, the CLI and the web app share.

The ``schedules`` row is the truth (spec, optional start and end, paused); the scheduler
daemon mirrors the rows into APScheduler's job store.  Importing a seed list registers its
schedule (``once`` removes it); ``diancang schedule`` and the web app manage it afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.collections import get_collection
from catalog.models import Collection, Schedule
from errors import InvalidInput, NotFound
from seeds.schedule import normalise_schedule


class ScheduleError(InvalidInput):
    """A bad schedule value; the message names the field."""


@dataclass(frozen=True, slots=True)
class ScheduleInfo:
    collection: str
    spec: str
    start: datetime | None
    end: datetime | None
    paused: bool


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def normalise_spec(spec: str) -> str:
    """``daily`` ... or ``cron <5 fields>`` (also ``every <N>s``, an interval for tests and
    short events); raises ``ScheduleError`` naming the field."""
    try:
        return normalise_schedule(spec, intervals=True)
    except ValueError as exc:
        raise ScheduleError(f"schedule: {exc}") from None


def _info(coll: Collection, row: Schedule) -> ScheduleInfo:
    return ScheduleInfo(coll.slug, row.spec, _aware(row.start), _aware(row.end), row.paused)


def _collection(session: Session, slug: str) -> Collection:
    coll = get_collection(session, slug)
    if coll is None:
        raise NotFound(f"no collection {slug!r} in the catalogue")
    return coll


def get_schedule(session: Session, slug: str) -> ScheduleInfo | None:
    coll = _collection(session, slug)
    row = session.get(Schedule, coll.id, populate_existing=True)
    return _info(coll, row) if row is not None else None


def list_schedules(session: Session) -> list[ScheduleInfo]:
    rows = session.execute(select(Collection, Schedule).join(
        Schedule, Schedule.collection_id == Collection.id).order_by(Collection.slug))
    return [_info(coll, row) for coll, row in rows]


def set_schedule(session: Session, slug: str, spec: str, start: datetime | None = None,
                 end: datetime | None = None) -> ScheduleInfo | None:
    """Set (or, with ``once``, remove) the collection's schedule; keeps it paused if it was."""
    coll = _collection(session, slug)
    spec = normalise_spec(spec)
    start, end = _aware(start), _aware(end)
    if start and end and end <= start:
        raise ScheduleError(f"schedule_end: expected a time after schedule_start "
                            f"({start.isoformat()}), got {end.isoformat()}")
    coll.schedule = spec if not spec.startswith("every ") else coll.schedule
    if spec == "once":
        remove(session, slug)
        return None
    row = session.get(Schedule, coll.id)
    if row is None:
        row = Schedule(collection_id=coll.id, paused=False)
        session.add(row)
    row.spec, row.start, row.end, row.updated = spec, start, end, datetime.now(UTC)
    session.flush()
    return _info(coll, row)


def _set_paused(session: Session, slug: str, paused: bool) -> ScheduleInfo:
    coll = _collection(session, slug)
    row = session.get(Schedule, coll.id)
    if row is None:
        raise NotFound(f"collection {slug!r} has no schedule")
    row.paused, row.updated = paused, datetime.now(UTC)
    session.flush()
    return _info(coll, row)


def pause(session: Session, slug: str) -> ScheduleInfo:
    return _set_paused(session, slug, True)


def resume(session: Session, slug: str) -> ScheduleInfo:
    return _set_paused(session, slug, False)


def remove(session: Session, slug: str) -> bool:
    coll = _collection(session, slug)
    row = session.get(Schedule, coll.id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
