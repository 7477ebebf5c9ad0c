"""Sizes and durations as the progress lines, reports and web app print them."""

from __future__ import annotations

import pytest

from seeds.limits import human_bytes, human_duration


@pytest.mark.parametrize(("n", "text"), [(None, "0 B"), (999, "999 B"), (1234567, "1.2 MB"),
                                         (48e12, "48.0 TB"), (5e15, "5000.0 TB")])
def test_human_bytes(n: float | None, text: str) -> None:
    assert human_bytes(n) == text


@pytest.mark.parametrize(("seconds", "text"), [(0.4, "0 s"), (42, "42 s"), (900, "15 min"),
                                               (5399, "90 min"), (9000, "2.5 h")])
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text
