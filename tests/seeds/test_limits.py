"""seeds.limits: the durations, sizes and dates a curator writes, read as numbers and UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from seeds.limits import parse_duration, parse_size, parse_when


@pytest.mark.parametrize(("value", "seconds"), [
    (90, 90.0), (2.5, 2.5), ("45", 45.0), ("90s", 90.0), ("30m", 1800.0), ("2h", 7200.0),
    ("1d", 86400.0), ("1h30m", 5400.0), (" 2 h ", 7200.0), ("1.5d", 129600.0), ("2H", 7200.0),
])
def test_durations_are_seconds(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize("value", ["", "soon", "1x", "-5", "h", True, None])
def test_a_bad_duration_says_what_was_expected(value: object) -> None:
    with pytest.raises(ValueError) as err:
        parse_duration(value)
    assert str(err.value) == ("expected seconds or a duration like 90s, 30m, 2h, 1d or 1h30m, "
                              f"got {value!r}")


@pytest.mark.parametrize("value", [0, "0", "0m"])
def test_a_duration_must_be_more_than_zero(value: object) -> None:
    with pytest.raises(ValueError, match=r"\(more than zero\), got"):
        parse_duration(value)


@pytest.mark.parametrize(("value", "size"), [
    (1024, 1024), ("10", 10), ("500MB", 500_000_000), ("5GB", 5_000_000_000),
    ("5gb", 5_000_000_000), ("2GiB", 2 * 1024**3), ("1.5k", 1500), ("3 MiB", 3 * 1024**2),
    ("1T", 10**12), ("100b", 100),
])
def test_sizes_are_bytes_k_m_g_t_decimal_and_ki_binary(value: object, size: int) -> None:
    assert parse_size(value) == size


@pytest.mark.parametrize("value", ["5 apples", "MB", "-1MB", False, None, "1.2.3GB"])
def test_a_bad_size_says_what_was_expected(value: object) -> None:
    with pytest.raises(ValueError) as err:
        parse_size(value)
    assert str(err.value) == f"expected bytes or a size like 500MB, 5GB or 2GiB, got {value!r}"


def test_a_size_must_be_more_than_zero() -> None:
    with pytest.raises(ValueError, match=r"\(more than zero\), got '0KB'"):
        parse_size("0KB")


def test_a_date_is_the_start_of_its_day_in_utc_or_with_end_of_day_its_last_second() -> None:
    assert parse_when("2024-03-01") == datetime(2024, 3, 1, tzinfo=UTC)
    assert parse_when("2024-03-01", end_of_day=True) == datetime(2024, 3, 1, 23, 59, 59,
                                                                 tzinfo=UTC)
    assert parse_when(date(2024, 3, 1), end_of_day=True) == datetime(2024, 3, 1, 23, 59, 59,
                                                                     tzinfo=UTC)


def test_a_date_and_time_keeps_its_zone_as_utc_and_a_bare_one_is_utc() -> None:
    assert parse_when("2024-03-01T08:00+08:00") == datetime(2024, 3, 1, 0, 0, tzinfo=UTC)
    assert parse_when("2024-03-01T08:00") == datetime(2024, 3, 1, 8, 0, tzinfo=UTC)
    beijing = timezone(timedelta(hours=8))
    moment = parse_when(datetime(2024, 3, 1, 1, 30, tzinfo=beijing))
    assert moment == datetime(2024, 2, 29, 17, 30, tzinfo=UTC) and moment.tzinfo is UTC


@pytest.mark.parametrize("value", ["2024-13-45", "tomorrow", "", None, "01/03/2024"])
def test_a_bad_date_says_what_was_expected(value: object) -> None:
    with pytest.raises(ValueError) as err:
        parse_when(value)
    assert str(err.value) == ("expected a date YYYY-MM-DD or a date and time "
                              f"YYYY-MM-DDTHH:MM[:SS][+08:00], got {value!r}")
