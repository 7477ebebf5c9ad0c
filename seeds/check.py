"""Checking a seed list's values and building the ``SeedList``: every problem is collected,
each with its file, line and field, and raised together as one ``SeedListError``, so a curator
fixes the whole file in one pass and nothing downstream ever sees a half-valid list.  The
readers of each format (``seeds.yaml_list``, ``seeds.csv_list``) hand their fields, each with
its line, to ``build``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, safe_url_string

from seeds.errors import Problem, SeedListError
from seeds.limits import parse_duration, parse_size, parse_when
from seeds.model import (
    BROWSER,
    KINDS,
    NO_OVERRIDES,
    ROBOTS,
    SCOPES,
    Limits,
    Seed,
    SeedList,
)
from seeds.schedule import normalise_schedule

LIST_FIELDS = ("collection", "title", "kind", "schedule", "schedule_start", "schedule_end",
               "description", "public", "limits", "defaults", "seeds")
RULE_FIELDS = ("scope", "depth", "max_pages", "delay", "concurrency", "exclude", "robots",
               "browser")
SEED_FIELDS = ("url", "title", "agency", *RULE_FIELDS)
LIMIT_FIELDS = ("duration", "pages", "bytes")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
# first path segments replay answers itself: pywb's static files and its language prefixes
# (replay.ui.LOCALES); a collection of that name could never be replayed
RESERVED_SLUGS = frozenset({"static", "zh", "en"})


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a collection (it names the pywb collection), or None."""
    if not SLUG.match(slug):
        return ("expected a slug of lowercase letters, digits, '-' and '_' (it names the pywb "
                f"collection), got {slug!r}")
    if slug in RESERVED_SLUGS:
        return (f"expected a slug other than {', '.join(sorted(RESERVED_SLUGS))} (replay's own "
                f"paths), got {slug!r}")
    return None


class Check:
    """Collects problems; each validator returns the clean value, or None after a problem."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def problem(self, line: int, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, line, field, message))

    def text(self, value: Any, line: int, field: str) -> str | None:
        if value is None or isinstance(value, (dict, list)):
            self.problem(line, field, f"expected text, got {shown(value)}")
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
            self.problem(line, field, f"{expected}, got {shown(value)}")
            return None
        try:
            number = kind(value) if not isinstance(value, str) else kind(value.strip())
            if kind is int and isinstance(value, float) and value != int(value):
                raise ValueError
        except (ValueError, OverflowError):
            self.problem(line, field, f"{expected}, got {shown(value)}")
            return None
        if not math.isfinite(number):
            self.problem(line, field, f"{expected}, got {shown(value)}")
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

    def flag(self, value: Any, line: int, field: str) -> bool | None:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower() if isinstance(value, (str, int)) else None
        if text in ("true", "yes", "1"):
            return True
        if text in ("false", "no", "0"):
            return False
        self.problem(line, field, f"expected true or false, got {shown(value)}")
        return None

    def excludes(self, value: Any, line: int, field: str = "exclude") -> tuple[str, ...] | None:
        items = value if isinstance(value, list) else [value]
        out = []
        for item in items:
            if not isinstance(item, str) or not item.strip():
                self.problem(line, field, f"expected a URL substring or 're:<regex>', "
                                          f"got {shown(item)}")
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


def shown(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def rules(check: Check, raw: Mapping[str, tuple[Any, int]]) -> dict[str, Any]:
    out = {}
    for name, (value, line) in raw.items():
        clean = check.rule(name, value, line)
        if clean is not None:
            out[name] = clean
    return out


def build(check: Check, *, collection: tuple[Any, int] | None, seeds_line: int | None,
           title: tuple[Any, int] | None,
           kind: tuple[Any, int] | None, schedule: tuple[Any, int] | None,
           description: tuple[Any, int] | None, list_defaults: dict[str, tuple[Any, int]],
           seeds: list[tuple[int, dict[str, tuple[Any, int]]]],
           defaults: Mapping[str, Any],
           limits: Mapping[str, tuple[Any, int]] | None = None,
           start: tuple[Any, int] | None = None,
           end: tuple[Any, int] | None = None,
           public: tuple[Any, int] | None = None) -> SeedList:
    slug = check.text(*collection, "collection") if collection is not None else None
    wrong = slug_problem(slug) if collection is not None and slug is not None else None
    if collection is not None and wrong is not None:
        check.problem(collection[1], "collection", wrong)
    base = dict(NO_OVERRIDES, **defaults)
    base.update(rules(check, list_defaults))
    seen: dict[str, int] = {}
    built: list[Seed] = []
    for line, fields in seeds:
        if "url" not in fields:
            check.problem(line, "url", "expected every seed to have a url")
            continue
        url = check.url(*fields["url"])
        values = dict(base)
        own = rules(check, {k: v for k, v in fields.items() if k in RULE_FIELDS})
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
        schedule_start=start_at, schedule_end=end_at,
        public=check.flag(*public, "public") if public else None)
    if check.problems:
        raise SeedListError(check.problems)
    return result
