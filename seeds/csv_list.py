"""Reading a CSV seed list (the YAML list's columns, one row per seed, the list's own values
repeated on every row), handed to ``seeds.check.build``."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seeds.check import SEED_FIELDS, Check, build
from seeds.errors import SeedListError
from seeds.model import SeedList

CSV_LIST_FIELDS = ("collection", "collection_title", "kind", "schedule", "schedule_start",
                   "schedule_end", "description", "public", "limit_duration", "limit_pages",
                   "limit_bytes")


def from_csv(check: Check, text: str, path: Path,
              defaults: Mapping[str, Any]) -> SeedList:
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        check.problem(1, "header", f"expected a header row with columns {', '.join(SEED_FIELDS)}")
        raise SeedListError(check.problems)
    columns = [h.strip() for h in header]
    for name in columns:
        if name not in SEED_FIELDS and name not in CSV_LIST_FIELDS:
            check.problem(1, name, "unknown column; expected some of "
                                   f"{', '.join(CSV_LIST_FIELDS + SEED_FIELDS)}")
    if "url" not in columns:
        check.problem(1, "url", "expected a url column")
    if check.problems:
        raise SeedListError(check.problems)
    list_values: dict[str, tuple[Any, int]] = {}
    seeds: list[tuple[int, dict[str, tuple[Any, int]]]] = []
    end = reader.line_num
    for row in reader:
        line, end = end + 1, reader.line_num      # a quoted cell may span several lines
        if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) > len(columns):
            check.problem(line, "row", f"expected {len(columns)} cells, got {len(row)}")
            continue
        fields: dict[str, tuple[Any, int]] = {}
        for name, cell in zip(columns, row, strict=False):
            cell = cell.strip()
            if not cell:
                continue
            if name in CSV_LIST_FIELDS:
                if name in list_values and list_values[name][0] != cell:
                    check.problem(line, name, f"expected the same value on every row "
                                              f"({list_values[name][0]!r} on line "
                                              f"{list_values[name][1]}), got {cell!r}")
                list_values.setdefault(name, (cell, line))
            elif name == "exclude":
                fields[name] = ([part for part in cell.split("|") if part.strip()], line)
            else:
                fields[name] = (cell, line)
        seeds.append((line, fields))
    collection = list_values.get("collection", (path.stem, 1))
    return build(check, collection=collection, seeds_line=1,
                  title=list_values.get("collection_title"),
                  kind=list_values.get("kind"), schedule=list_values.get("schedule"),
                  description=list_values.get("description"), list_defaults={},
                  seeds=seeds, defaults=defaults,
                  limits={name[len("limit_"):]: list_values[name] for name in
                          ("limit_duration", "limit_pages", "limit_bytes") if name in list_values},
                  start=list_values.get("schedule_start"), end=list_values.get("schedule_end"),
                  public=list_values.get("public"))
