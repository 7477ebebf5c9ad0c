"""The schedule grammar of seed lists and the command line: when a collection is crawled."""

from __future__ import annotations

from seeds.model import NAMED_SCHEDULES


def normalise_schedule(text: str, *, intervals: bool = False) -> str:
    """A schedule as the catalogue keeps it: ``once | daily | weekly | monthly`` or
    ``cron <5 fields>`` (checked by APScheduler); with ``intervals`` also ``every <N>s`` (tests
    and short events, from the command line only).  Raises ValueError saying what was
    expected."""
    text = text.strip()
    if text in NAMED_SCHEDULES:
        return text
    if text.startswith("cron"):
        expr = text[4:].strip().strip("'\"").strip()
        # APScheduler (asyncio with it) only for a cron schedule: every command reads seed lists
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(expr)
        except ValueError as exc:
            raise ValueError(f"invalid cron expression {expr!r}: {exc}") from None
        return f"cron {expr}"
    if intervals and text.startswith("every "):
        amount = text[6:].strip().rstrip("s")
        if amount.isdigit() and int(amount) > 0:
            return f"every {int(amount)}s"
    interval = " | every <N>s" if intervals else ""
    raise ValueError(f"expected once | daily | weekly | monthly | "
                     f"cron \"<minute hour day month weekday>\"{interval}, got {text!r}")
