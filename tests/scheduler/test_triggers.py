"""scheduler.triggers: each schedule a curator writes, as the fire times APScheduler gives it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from scheduler.triggers import cron_weekdays, trigger_for

BEIJING = timezone(timedelta(hours=8))
WEDNESDAY_NOON = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)       # 20:00 in Beijing


def next_fire(schedule: str, now: datetime = WEDNESDAY_NOON,
              **bounds: datetime) -> datetime | None:
    trigger = trigger_for(schedule, timezone="Asia/Shanghai", **bounds)
    assert trigger is not None
    fire: datetime | None = trigger.get_next_fire_time(None, now)
    return fire


def test_once_has_no_trigger() -> None:
    assert trigger_for("once", timezone="UTC") is None
    assert trigger_for("  once ", timezone="UTC") is None


@pytest.mark.parametrize(("schedule", "beijing"), [
    ("daily", datetime(2024, 3, 7, 3, 0)),            # 03:00 the next morning
    ("weekly", datetime(2024, 3, 11, 3, 0)),          # Monday 03:00
    ("monthly", datetime(2024, 4, 1, 3, 0)),          # the 1st, 03:00
    ("cron 30 4 * * 0", datetime(2024, 3, 10, 4, 30)),   # crontab's 0 is Sunday
    ("cron 0 3 * * 7", datetime(2024, 3, 10, 3, 0)),     # and so is 7
    ("cron 0 3 * * 1-5", datetime(2024, 3, 7, 3, 0)),    # weekdays: Thursday next
    ("cron 15 */6 1 * *", datetime(2024, 4, 1, 0, 15)),
])
def test_named_and_cron_schedules_fire_in_the_archive_s_time_zone(schedule: str,
                                                                  beijing: datetime) -> None:
    assert next_fire(schedule) == beijing.replace(tzinfo=BEIJING)


def test_every_n_seconds_is_an_interval_from_its_start() -> None:
    start = datetime(2024, 3, 6, 12, 0, tzinfo=UTC)
    assert next_fire("every 30s", now=start + timedelta(seconds=45), start=start) == \
        start + timedelta(seconds=60)
    assert next_fire("every 3600", now=start + timedelta(seconds=1), start=start) == \
        start + timedelta(hours=1)


def test_start_and_end_bound_an_event_s_crawls() -> None:
    start = datetime(2024, 4, 1, tzinfo=BEIJING)
    end = datetime(2024, 4, 2, 23, 59, 59, tzinfo=BEIJING)     # an event of two days
    bounded = {"start": start, "end": end}
    # before the event: its first morning; during it: the next; after its last morning: none
    assert next_fire("daily", **bounded) == datetime(2024, 4, 1, 3, 0, tzinfo=BEIJING)
    assert next_fire("daily", now=datetime(2024, 4, 1, 12, tzinfo=BEIJING), **bounded) == \
        datetime(2024, 4, 2, 3, 0, tzinfo=BEIJING)
    assert next_fire("daily", now=datetime(2024, 4, 2, 12, tzinfo=BEIJING), **bounded) is None


@pytest.mark.parametrize(("field", "names"), [
    ("0", "sun"), ("7", "sun"), ("1-5", "mon-fri"), ("0,6", "sun,sat"), ("*/2", "*/2"),
    ("*", "*"), ("mon", "mon"),
])
def test_crontab_weekday_numbers_become_names(field: str, names: str) -> None:
    assert cron_weekdays(field) == names


@pytest.mark.parametrize(("schedule", "message"), [
    ("cron 0 3 * *", "schedule: invalid cron expression '0 3 * *': expected 5 fields, got 4"),
    ("hourly", "schedule 'hourly': expected once, daily, weekly, monthly, "
               "'cron <minute hour day month weekday>' or 'every <N>s'"),
    ("every 5m", "schedule 'every 5m': expected once"),
])
def test_a_bad_schedule_says_what_was_expected(schedule: str, message: str) -> None:
    with pytest.raises(ValueError) as err:
        trigger_for(schedule, timezone="UTC")
    assert str(err.value).startswith(message)


def test_a_bad_cron_field_is_refused_by_apscheduler() -> None:
    with pytest.raises(ValueError, match=r"the last value \(61\) is higher than the maximum"):
        trigger_for("cron 61 3 * * *", timezone="UTC")
