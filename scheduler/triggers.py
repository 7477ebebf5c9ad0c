"""A collection's ``schedule`` as an APScheduler trigger.

The daemon (``diancang scheduler``) comes with periodic crawling; this is the one place a
schedule string (``once | daily | weekly | monthly | cron <5 fields>``) gains its meaning.
"""

from __future__ import annotations

from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

# Periodic crawls start at 03:00 (the archive's time zone), when government sites are quiet.
NAMED: dict[str, dict[str, int | str]] = {
    "daily": {"hour": 3, "minute": 0},
    "weekly": {"day_of_week": "mon", "hour": 3, "minute": 0},
    "monthly": {"day": 1, "hour": 3, "minute": 0},
}


def trigger_for(schedule: str, *, start: datetime | None = None, end: datetime | None = None,
                timezone: str = "UTC") -> BaseTrigger | None:
    """The trigger of a schedule; ``None`` for ``once`` (crawled when asked, never again)."""
    schedule = schedule.strip()
    if schedule == "once":
        return None
    if schedule in NAMED:
        return CronTrigger(start_date=start, end_date=end, timezone=timezone, **NAMED[schedule])
    if schedule.startswith("cron "):
        return CronTrigger.from_crontab(schedule[5:].strip(), timezone=timezone)
    raise ValueError(f"schedule {schedule!r}: expected once, daily, weekly, monthly "
                     f"or 'cron <minute hour day month weekday>'")
