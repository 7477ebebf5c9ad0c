"""A collection's ``schedule`` as an APScheduler trigger.

The one place a schedule string gains its meaning: ``once`` (no trigger: crawled when asked),
``daily | weekly | monthly`` (03:00 in the archive's time zone), ``cron <5 fields>``, and
``every <N>s`` (an interval, for tests and short events).  ``start``/``end`` bound any of
them: an event collection is crawled only while the event lasts.
"""

from __future__ import annotations

import re
from datetime import datetime

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

# Periodic crawls start at 03:00 (the archive's time zone), when government sites are quiet.
NAMED: dict[str, dict[str, int | str]] = {
    "daily": {"hour": 3, "minute": 0},
    "weekly": {"day_of_week": "mon", "hour": 3, "minute": 0},
    "monthly": {"day": 1, "hour": 3, "minute": 0},
}


CRON_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_weekdays(field: str) -> str:
    """Crontab weekday numbers (0 and 7 Sunday) as names: APScheduler 3 counts 0 as Monday."""
    return re.sub(r"(?<![/\d])[0-7](?!\d)", lambda m: CRON_DAYS[int(m.group())], field)


def trigger_for(schedule: str, *, start: datetime | None = None, end: datetime | None = None,
                timezone: str = "UTC") -> BaseTrigger | None:
    """The trigger of a schedule; ``None`` for ``once`` (crawled when asked, never again)."""
    schedule = schedule.strip()
    if schedule == "once":
        return None
    if schedule in NAMED:
        return CronTrigger(start_date=start, end_date=end, timezone=timezone, **NAMED[schedule])
    if schedule.startswith("cron "):
        fields = schedule[5:].split()
        if len(fields) != 5:
            raise ValueError(f"schedule: invalid cron expression {schedule[5:]!r}: "
                             f"expected 5 fields, got {len(fields)}")
        minute, hour, day, month, day_of_week = fields
        return CronTrigger(minute=minute, hour=hour, day=day, month=month,
                           day_of_week=cron_weekdays(day_of_week), start_date=start, end_date=end,
                           timezone=timezone)
    if schedule.startswith("every ") and schedule[6:].rstrip("s").strip().isdigit():
        return IntervalTrigger(seconds=int(schedule[6:].rstrip("s")), start_date=start,
                               end_date=end, timezone=timezone)
    raise ValueError(f"schedule {schedule!r}: expected once, daily, weekly, monthly, "
                     f"'cron <minute hour day month weekday>' or 'every <N>s'")
