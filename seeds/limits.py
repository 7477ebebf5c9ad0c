"""Reading the values a curator writes for limits and schedule dates.

Durations: seconds, or a number with a unit (``90s``, ``30m``, ``2h``, ``1d``, ``1h30m``).
Sizes: bytes, or a number with a unit (``500MB``, ``5GB``, ``2GiB``; k/M/G/T are powers of
1000, Ki/Mi/Gi/Ti of 1024).  Dates: ``YYYY-MM-DD`` or an ISO 8601 date and time; a time
without a zone is UTC.  Each raises ``ValueError`` saying what was expected.

And the other way, sizes (decimal units, as disks and networks count) and durations as people
read them: one definition for the crawl's progress line, the index command, the reports and
the web app.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(d|h|m|s)", re.IGNORECASE)
_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_SIZE = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]i?)?b?$", re.IGNORECASE)
_POWERS = {"k": 1, "m": 2, "g": 3, "t": 4}


def parse_duration(value: Any) -> float:
    expected = "expected seconds or a duration like 90s, 30m, 2h, 1d or 1h30m"
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{expected}, got {value!r}")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        text = str(value).strip().replace(" ", "")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        elif text and re.fullmatch(f"(?:{_DURATION.pattern})+", text, re.IGNORECASE):
            seconds = sum(float(n) * _SECONDS[u.lower()] for n, u in _DURATION.findall(text))
        else:
            raise ValueError(f"{expected}, got {value!r}")
    if seconds <= 0:
        raise ValueError(f"{expected} (more than zero), got {value!r}")
    return seconds


def parse_size(value: Any) -> int:
    expected = "expected bytes or a size like 500MB, 5GB or 2GiB"
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{expected}, got {value!r}")
    if isinstance(value, int):
        size = value
    else:
        match = _SIZE.match(str(value).strip())
        if not match:
            raise ValueError(f"{expected}, got {value!r}")
        number, unit = float(match.group(1)), (match.group(2) or "").lower()
        base = 1024 if unit.endswith("i") else 1000
        size = int(number * base ** _POWERS[unit[0]]) if unit else int(number)
    if size <= 0:
        raise ValueError(f"{expected} (more than zero), got {value!r}")
    return size


def parse_when(value: Any, *, end_of_day: bool = False) -> datetime:
    """A date or date-time as an aware UTC datetime; a bare date is the start of that day
    (or, with ``end_of_day``, its last second: an event's end date is crawled too)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time.max.replace(microsecond=0) if end_of_day
                                  else time.min)
    else:
        text = str(value).strip() if value is not None else ""
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return parse_when(date.fromisoformat(text), end_of_day=end_of_day)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("expected a date YYYY-MM-DD or a date and time "
                             f"YYYY-MM-DDTHH:MM[:SS][+08:00], got {value!r}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def human_bytes(n: float | None) -> str:
    """``1234567`` -> ``"1.2 MB"``; ``None`` counts as nothing."""
    n = float(n or 0)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")


def human_duration(seconds: float) -> str:
    """``42`` -> ``"42 s"``, ``900`` -> ``"15 min"``, ``9000`` -> ``"2.5 h"``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
