"""Reading a seed list (YAML, or CSV with the same columns) into a ``SeedList``: the file's
bytes decoded, then its format's reader (``seeds.yaml_list``, ``seeds.csv_list``), whose values
``seeds.check`` checks, raising one ``SeedListError`` with every problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seeds.check import Check
from seeds.csv_list import from_csv
from seeds.errors import SeedListError
from seeds.model import SeedList
from seeds.yaml_list import from_yaml


def _gb18030(raw: bytes) -> str | None:
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return None


def load_seed_list(path: str | Path, *, defaults: Mapping[str, Any]) -> SeedList:
    """Read and validate a seed list; raise ``SeedListError`` listing every problem.

    ``defaults`` (the archive's seed defaults: scope, depth, max_pages, delay, concurrency,
    browser) fill what neither a seed nor the list's own ``defaults`` give.
    """
    path = Path(path)
    check = Check(str(path))
    is_csv = path.suffix.lower() == ".csv"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        check.problem(0, "file", "no such file")
        raise SeedListError(check.problems) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # Excel on a Chinese system saves CSV in the ANSI code page, GBK (a GB18030 subset)
        gb_text = _gb18030(raw) if is_csv else None
        if gb_text is None:
            line = raw[:exc.start].count(b"\n") + 1
            expected = "UTF-8 or GB18030 text" if is_csv else "UTF-8 text"
            check.problem(line, "file", f"expected {expected} (save the seed list as UTF-8)")
            raise SeedListError(check.problems) from None
        text = gb_text
    if is_csv:
        return from_csv(check, text, path, defaults)
    return from_yaml(check, text, defaults)
