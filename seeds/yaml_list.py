"""Walking a YAML seed list: each field with its line, handed to ``seeds.check.build``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from seeds.check import LIMIT_FIELDS, LIST_FIELDS, RULE_FIELDS, SEED_FIELDS, Check, build
from seeds.errors import SeedListError
from seeds.model import SeedList


def _line(node: yaml.Node) -> int:
    line: int = node.start_mark.line
    return line + 1


def _value(node: yaml.Node) -> Any:
    return yaml.constructor.SafeConstructor().construct_object(node, deep=True)


def _mapping(check: Check, node: yaml.Node, allowed: tuple[str, ...],
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


def from_yaml(check: Check, text: str, defaults: Mapping[str, Any]) -> SeedList:
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
    return build(check, collection=top.get("collection"), seeds_line=seeds_line,
                  title=top.get("title"), kind=top.get("kind"), schedule=top.get("schedule"),
                  description=top.get("description"), list_defaults=list_defaults,
                  seeds=seeds, defaults=defaults, limits=limits,
                  start=top.get("schedule_start"), end=top.get("schedule_end"),
                  public=top.get("public"))
