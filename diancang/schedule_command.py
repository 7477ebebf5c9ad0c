"""``diancang schedule list|set|pause|resume|remove`` and ``diancang scheduler`` (the daemon)."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path

import click

from catalog.schedules import (
    ScheduleInfo,
    get_schedule,
    list_schedules,
    pause,
    remove,
    resume,
    set_schedule,
)
from diancang.errors import ConfigError
from diancang.home import Home
from seeds.limits import parse_when

pass_home = click.make_pass_decorator(Home)


def _line(info: ScheduleInfo) -> str:
    window = ""
    if info.start or info.end:
        window = (f"  from {info.start.isoformat() if info.start else '-'}"
                  f" to {info.end.isoformat() if info.end else '-'}")
    return f"{info.collection:<20} {info.spec:<22} {'paused' if info.paused else 'active'}" \
           + window


def _when(value: str | None, field: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_when(value, end_of_day=field == "end")
    except ValueError as exc:
        raise ConfigError(f"--{field}: {exc}") from None


@click.group()
def schedule() -> None:
    """Show and change when collections are crawled."""


@schedule.command("list")
@pass_home
def schedule_list(home: Home) -> None:
    """Every scheduled collection."""
    with home.require().catalog.session() as session:
        rows = list_schedules(session)
    if not rows:
        click.echo("no schedules")
    for info in rows:
        click.echo(_line(info))


def _change(home: Home, collection: str, action: str, *args: object) -> None:
    actions = {"set": set_schedule, "pause": pause, "resume": resume, "remove": remove,
               "get": get_schedule}
    with home.require().catalog.session() as session:
        result = actions[action](session, collection, *args)  # type: ignore[operator]
    if isinstance(result, ScheduleInfo):
        click.echo(_line(result))
    elif action == "remove":
        click.echo(f"{collection}: schedule {'removed' if result else 'was not set'}")
    elif action == "set":
        click.echo(f"{collection}: crawled only when asked (once)")


@schedule.command("set")
@click.argument("collection")
@click.argument("spec")
@click.option("--start", help="First day (YYYY-MM-DD or an ISO date and time).")
@click.option("--end", help="Last day (YYYY-MM-DD: that whole day; or a date and time).")
@pass_home
def schedule_set(home: Home, collection: str, spec: str, start: str | None,
                 end: str | None) -> None:
    """Set SPEC: once | daily | weekly | monthly | 'cron 0 3 * * 1' | 'every 60s'."""
    _change(home, collection, "set", spec, _when(start, "start"), _when(end, "end"))


@schedule.command("pause")
@click.argument("collection")
@pass_home
def schedule_pause(home: Home, collection: str) -> None:
    """Stop scheduled crawls until resumed."""
    _change(home, collection, "pause")


@schedule.command("resume")
@click.argument("collection")
@pass_home
def schedule_resume(home: Home, collection: str) -> None:
    """Crawl on schedule again."""
    _change(home, collection, "resume")


@schedule.command("remove")
@click.argument("collection")
@pass_home
def schedule_remove(home: Home, collection: str) -> None:
    """Remove the schedule: crawled only when asked."""
    _change(home, collection, "remove")


@click.command()
@pass_home
def scheduler(home: Home) -> None:
    """Run the scheduler daemon: crawls on schedule and on request, as child processes."""
    from scheduler.daemon import Daemon

    home.require()
    settings = home.settings
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    command = [sys.executable, "-m", "diancang.cli", "--home", str(Path(home.path).resolve())]
    Daemon(home.catalog, command, log_dir=home.scheduler_logs,
           timezone=settings["scheduler.timezone"],
           misfire_grace=settings["scheduler.misfire_grace"],
           poll_interval=settings["scheduler.poll_interval"],
           stale_after=settings["scheduler.lock_stale_after"],
           verify_interval=settings["fixity.interval"] * 86400).run()
