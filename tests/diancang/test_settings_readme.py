"""README's settings table says what diancang.settings declares: every name, its default value
and its help, in the declared order (regenerate the table with
``python -c 'from diancang.settings import settings_table; print(settings_table())'``)."""

from __future__ import annotations

import re
from pathlib import Path

from diancang.settings import DECLARED, shown

README = Path(__file__).resolve().parents[2] / "README.md"
ROW = re.compile(r"^\| `(?P<name>[a-z_]+\.[a-z_0-9]+)` \| (?P<default>.*?) \| (?P<help>.*) \|$")


def readme_rows() -> list[tuple[str, str, str]]:
    lines = README.read_text(encoding="utf-8").splitlines()
    start = lines.index("| setting | default | meaning |")
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        match = ROW.match(line)
        assert match, f"README.md: a settings row that does not parse: {line!r}"
        rows.append((match["name"], match["default"], match["help"]))
    return rows


def test_the_readme_table_is_the_declarations() -> None:
    declared = [(s.name, shown(s.default), s.help) for s in DECLARED]
    assert readme_rows() == declared


def test_a_default_is_shown_as_its_value() -> None:
    assert [shown(v) for v in ("", "UTC", True, False, 1.0, 100_000_000)] == [
        "(empty)", "`UTC`", "`true`", "`false`", "`1.0`", "`100000000`"]
