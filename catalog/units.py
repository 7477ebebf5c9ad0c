"""Sizes (decimal units, as disks and networks count) and durations as people read them: one
definition for the crawl's progress line, the index command, the reports and the web app."""

from __future__ import annotations


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
