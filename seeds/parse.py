"""Reading a seed list (YAML, or CSV with the same columns) into a ``SeedList``.

Every problem is collected, each with its file, line and field, and raised together as one
``SeedListError``: a curator fixes the whole file in one pass, and nothing downstream ever
sees a half-valid list.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from apscheduler.triggers.cron import CronTrigger
from w3lib.url import canonicalize_url, safe_url_string

from seeds.errors import Problem, SeedListError
from seeds.limits import parse_duration, parse_size, parse_when
from seeds.model import (
    BROWSER,
    BUILTIN_DEFAULTS,
    KINDS,
    NAMED_SCHEDULES,
    ROBOTS,
    SCOPES,
    Limits,
    Seed,
    SeedList,
)

LIST_FIELDS = ("collection", "title", "kind", "schedule", "schedule_start", "schedule_end",
               "description", "limits", "defaults", "seeds")
RULE_FIELDS = ("scope", "depth", "max_pages", "delay", "concurrency", "exclude", "robots",
               "browser")
SEED_FIELDS = ("url", "title", "agency", *RULE_FIELDS)
LIMIT_FIELDS = ("duration", "pages", "bytes")
CSV_LIST_FIELDS = ("collection", "collection_title", "kind", "schedule", "schedule_start",
                   "schedule_end", "description", "limit_duration", "limit_pages",
                   "limit_bytes")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")



def normalise_schedule(text: str, *, intervals: bool = False) -> str:
    """A schedule as the catalogue keeps it: ``once | daily | weekly | monthly`` or
    ``cron <5 fields>`` (checked by APScheduler); with ``intervals`` also ``every <N>s`` (tests
    and short events, from the command line only).  Raises ValueError saying what was
    expected."""
    text = text.strip()
    if text in NAMED_SCHEDULES:
        return text
    if text.startswith("cron"):
        expr = text[4:].strip().strip("'\"").strip()
        try:
            CronTrigger.from_crontab(expr)
        except ValueError as exc:
            raise ValueError(f"invalid cron expression {expr!r}: {exc}") from None
        return f"cron {expr}"
    if intervals and text.startswith("every "):
        amount = text[6:].strip().rstrip("s")
        if amount.isdigit() and int(amount) > 0:
            return f"every {int(amount)}s"
    interval = " | every <N>s" if intervals else ""
    raise ValueError(f"expected once | daily | weekly | monthly | "
                     f"cron \"<minute hour day month weekday>\"{interval}, got {text!r}")

class _Check:
    """Collects problems; each validator returns the clean value, or None after a problem."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def text(self, value: Any, line: int, field: str) -> str | None:
        if value is None or isinstance(value, (dict, list)):
            self.problem(line, field, f"expected text, got {_shown(value)}")
            return None
        return str(value).strip()

    def url(self, value: Any, line: int, field: str = "url") -> str | None:
        text = self.text(value, line, field)
        if text is None:
            return None
        expected = "expected an absolute http:// or https:// URL"
        if not text or any(c.isspace() for c in text):
            self.problem(line, field, f"{expected}, got {text!r}")
            return None
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 - raises ValueError on a bad port
        except ValueError as exc:
            self.problem(line, field, f"{expected}, got {text!r} ({exc})")
            return None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            self.problem(line, field, f"{expected}, got {text!r}")
            return None
        if not parts.path:
            text = parts._replace(path="/").geturl()
        return safe_url_string(text)

    def number(self, value: Any, line: int, field: str, kind: type, minimum: float) -> Any:
        expected = f"expected {'an integer' if kind is int else 'a number'} >= {minimum}"
        if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
            self.problem(line, field, f"{expected}, got {_shown(value)}")
            return None
        try:
            number = kind(value) if not isinstance(value, str) else kind(value.strip())
            if kind is int and isinstance(value, float) and value != int(value):
                raise ValueError
        except (ValueError, OverflowError):
            self.problem(line, field, f"{expected}, got {_shown(value)}")
            return None
        if not math.isfinite(number):
            self.problem(line, field, f"{expected}, got {_shown(value)}")
            return None
        if number < minimum:
            self.problem(line, field, f"{expected}, got {number}")
            return None
        return number

    def choice(self, value: Any, line: int, field: str, choices: tuple[str, ...]) -> str | None:
        text = self.text(value, line, field)
        if text is not None and text not in choices:
            self.problem(line, field, f"expected one of {' | '.join(choices)}, got {text!r}")
            return None
        return text

    def excludes(self, value: Any, line: int, field: str = "exclude") -> tuple[str, ...] | None:
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.problem(line, field, f"expected a URL substring or 're:<regex>', "
                                          f"got {_shown(item)}")
                return None
            item = item.strip()
            if item.startswith("re:"):
                try:
                    re.compile(item[3:])
                except re.error as exc:
                    self.problem(line, field, f"invalid regular expression {item[3:]!r}: {exc}")
                    return None
            out.append(item)
        return tuple(out)

    def schedule(self, value: Any, line: int) -> str | None:
        text = self.text(value, line, "schedule")
        if text is None:
            return None
        try:
            return normalise_schedule(text)
        except ValueError as exc:
            self.problem(line, "schedule", str(exc))
            return None

    def when(self, value: Any, line: int, field: str) -> Any:
        try:
            return parse_when(value, end_of_day=field == "schedule_end")
        except ValueError as exc:
            self.problem(line, field, str(exc))
            return None

    def limits(self, raw: Mapping[str, tuple[Any, int]]) -> Limits:
        values: dict[str, Any] = {}
        for name, (value, line) in raw.items():
            try:
                if name == "duration":
                    values[name] = parse_duration(value)
                elif name == "bytes":
                    values[name] = parse_size(value)
                else:
                    values[name] = self.number(value, line, f"limits.{name}", int, 1)
            except ValueError as exc:
                self.problem(line, f"limits.{name}", str(exc))
        return Limits(**{k: v for k, v in values.items() if v is not None})

    def rule(self, name: str, value: Any, line: int) -> Any:
        if name == "scope":
            return self.choice(value, line, name, SCOPES)
        if name == "robots":
            return self.choice(value, line, name, ROBOTS)
        if name == "browser":
            # YAML 1.1 reads a bare off/on as a boolean
            value = {False: "off", True: "on"}.get(value, value) if isinstance(value, bool) \
                else value
            return self.choice(value, line, name, BROWSER)
        if name == "exclude":
            return self.excludes(value, line, name)
        if name == "delay":
            return self.number(value, line, name, float, 0)
        if name == "depth":
            return self.number(value, line, name, int, 0)
        return self.number(value, line, name, int, 1)   # max_pages, concurrency


def _shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _rules(check: _Check, raw: Mapping[str, tuple[Any, int]]) -> dict[str, Any]:
    out = {}
    for name, (value, line) in raw.items():
        clean = check.rule(name, value, line)
        if clean is not None:
            out[name] = clean
    return out


def _build(check: _Check, *, collection: tuple[Any, int] | None, seeds_line: int | None,
           title: tuple[Any, int] | None,
           kind: tuple[Any, int] | None, schedule: tuple[Any, int] | None,
           description: tuple[Any, int] | None, list_defaults: dict[str, tuple[Any, int]],
           seeds: list[tuple[int, dict[str, tuple[Any, int]]]],
           defaults: Mapping[str, Any] | None,
           limits: Mapping[str, tuple[Any, int]] | None = None,
           start: tuple[Any, int] | None = None,
           end: tuple[Any, int] | None = None) -> SeedList:
    slug = check.text(*collection, "collection") if collection is not None else None
    if collection is not None and slug is not None and not SLUG.match(slug):
        check.problem(collection[1], "collection", "expected a slug of lowercase letters, "
                      f"digits, '-' and '_' (it names the pywb collection), got {slug!r}")
    base = dict(BUILTIN_DEFAULTS, **(defaults or {}))
    base.update(_rules(check, list_defaults))
    seen: dict[str, int] = {}
    built: list[Seed] = []
    for line, fields in seeds:
        if "url" not in fields:
            check.problem(line, "url", "expected every seed to have a url")
            continue
        url = check.url(*fields["url"])
        values = dict(base)
        own = _rules(check, {k: v for k, v in fields.items() if k in RULE_FIELDS})
        if "exclude" in own:
            own["exclude"] = tuple(base["exclude"]) + own["exclude"]
        values.update(own)
        extra: dict[str, Any] = {name: check.text(*fields[name], name) or None
                                 for name in ("title", "agency") if name in fields}
        if url is None:
            continue
        key = canonicalize_url(url)
        if key in seen:
            check.problem(fields["url"][1], "url", f"duplicate seed {url} (first given on "
                                                   f"line {seen[key]})")
            continue
        seen[key] = fields["url"][1]
        built.append(Seed(url=url, line=fields["url"][1], **values, **extra))
    if not seeds and seeds_line is not None:
        check.problem(seeds_line, "seeds", "expected at least one seed")
    start_at = check.when(*start, "schedule_start") if start else None
    end_at = check.when(*end, "schedule_end") if end else None
    if start_at and end_at and end_at <= start_at and end is not None:
        check.problem(end[1], "schedule_end", f"expected a time after schedule_start "
                      f"({start_at.isoformat()}), got {end_at.isoformat()}")
    result = SeedList(
        collection=slug or "",
        title=(check.text(*title, "title") if title else None) or slug or "",
        kind=(check.choice(*kind, "kind", KINDS) if kind else None) or "site",
        schedule=(check.schedule(*schedule) if schedule else None) or "once",
        description=(check.text(*description, "description") if description else None) or None,
        seeds=tuple(built), source=check.file, limits=check.limits(limits or {}),
        schedule_start=start_at, schedule_end=end_at)
    if check.problems:
        raise SeedListError(check.problems)
    return result


# ---- YAML -------------------------------------------------------------------------------

def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _value(node: yaml.Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _mapping(check: _Check, node: yaml.Node, allowed: tuple[str, ...],
             where: str) -> dict[str, tuple[Any, int]] | None:
    if not isinstance(node, yaml.MappingNode):
        check.problem(_line(node), where, "expected a mapping of field: value")
        return None
    out: dict[str, tuple[Any, int]] = {}
    for key_node, value_node in node.value:
        key = str(_value(key_node))
        if key not in allowed:
            check.problem(_line(key_node), key,
                          f"unknown field in {where}; expected one of {', '.join(allowed)}")
            continue
        if key in out:
            check.problem(_line(key_node), key, f"given twice in {where}")
            continue
        out[key] = (value_node if key in ("defaults", "seeds", "limits") else _value(value_node),
                    _line(value_node))
    return out


def _from_yaml(check: _Check, text: str, defaults: Mapping[str, Any] | None) -> SeedList:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        check.problem(mark.line + 1 if mark else 1, "yaml",
                      f"not valid YAML: {getattr(exc, 'problem', None) or exc}")
        raise SeedListError(check.problems) from None
    if root is None:
        check.problem(1, "collection", "expected a seed list, the file is empty")
        raise SeedListError(check.problems)
    top = _mapping(check, root, LIST_FIELDS, "the seed list")
    if top is None:
        raise SeedListError(check.problems)
    if "collection" not in top:
        check.problem(_line(root), "collection", "expected the collection's slug")
    list_defaults: dict[str, tuple[Any, int]] = {}
    if "defaults" in top:
        list_defaults = _mapping(check, top["defaults"][0], RULE_FIELDS, "defaults") or {}
    limits: dict[str, tuple[Any, int]] = {}
    if "limits" in top:
        limits = _mapping(check, top["limits"][0], LIMIT_FIELDS, "limits") or {}
    seeds: list[tuple[int, dict[str, tuple[Any, int]]]] = []
    seeds_line: int | None = None      # where to say "no seeds", unless already said
    if "seeds" not in top:
        check.problem(_line(root), "seeds", "expected a list of seeds")
    else:
        node = top["seeds"][0]
        if not isinstance(node, yaml.SequenceNode):
            check.problem(_line(node), "seeds", "expected a list of seeds")
        else:
            seeds_line = _line(node)
            for item in node.value:
                if isinstance(item, yaml.ScalarNode):   # "- http://..." is a seed with defaults
                    seeds.append((_line(item), {"url": (_value(item), _line(item))}))
                    continue
                fields = _mapping(check, item, SEED_FIELDS, "a seed")
                if fields is not None:
                    seeds.append((_line(item), fields))
    return _build(check, collection=top.get("collection"), seeds_line=seeds_line,
                  title=top.get("title"), kind=top.get("kind"), schedule=top.get("schedule"),
                  description=top.get("description"), list_defaults=list_defaults,
                  seeds=seeds, defaults=defaults, limits=limits,
                  start=top.get("schedule_start"), end=top.get("schedule_end"))


# ---- CSV --------------------------------------------------------------------------------

def _from_csv(check: _Check, text: str, path: Path,
              defaults: Mapping[str, Any] | None) -> SeedList:
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
    return _build(check, collection=collection, seeds_line=1,
                  title=list_values.get("collection_title"),
                  kind=list_values.get("kind"), schedule=list_values.get("schedule"),
                  description=list_values.get("description"), list_defaults={},
                  seeds=seeds, defaults=defaults,
                  limits={name[len("limit_"):]: list_values[name] for name in
                          ("limit_duration", "limit_pages", "limit_bytes") if name in list_values},
                  start=list_values.get("schedule_start"), end=list_values.get("schedule_end"))


def _gb18030(raw: bytes) -> str | None:
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return None


def load_seed_list(path: str | Path, *, defaults: Mapping[str, Any] | None = None) -> SeedList:
    """Read and validate a seed list; raise ``SeedListError`` listing every problem.

    ``defaults`` (the archive's settings) fill what neither a seed nor the list's own
    ``defaults`` give; the built-in defaults fill the rest.
    """
    path = Path(path)
    check = _Check(str(path))
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
        return _from_csv(check, text, path, defaults)
    return _from_yaml(check, text, defaults)
