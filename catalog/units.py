"""Sizes as people read them (decimal units, as disks and networks count): one definition for
the crawl's progress line, the reports and the web app."""

from __future__ import annotations


def human_bytes(n: float | None) -> str:
    """``1234567`` -> ``"1.2 MB"``; ``None`` counts as nothing."""
    n = float(n or 0)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    raise AssertionError("unreachable")
