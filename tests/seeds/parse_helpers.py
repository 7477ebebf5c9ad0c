"""Helpers of the seed-list tests: write a list, collect the problems it raises."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from seeds.errors import SeedListError
from seeds.model import Seed
from seeds.parse import load_seed_list
from tests.support import SEED_DEFAULTS

SEED_KEYS = ("url, title, agency, scope, depth, max_pages, delay, concurrency, exclude, robots, "
             "browser")
URL_EXPECTED = "expected an absolute http:// or https:// URL, got "
SLUG_EXPECTED = ("expected a slug of lowercase letters, digits, '-' and '_' "
                 "(it names the pywb collection), got ")


def write(tmp_path: Path, name: str, text: str | bytes, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def problems(path: Path, **kwargs: object) -> list[tuple[int, str, str]]:
    """(line, field, message) of every problem ``load_seed_list`` raises for ``path``."""
    with pytest.raises(SeedListError) as info:
        load_seed_list(path, **{"defaults": SEED_DEFAULTS, **kwargs})  # type: ignore[arg-type]
    assert all(p.file == str(path) for p in info.value.problems)
    return [(p.line, p.field, p.message) for p in info.value.problems]


def one_problem(path: Path) -> tuple[int, str, str]:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


def without_lines(seeds: tuple[Seed, ...]) -> list[Seed]:
    return [dataclasses.replace(seed, line=0) for seed in seeds]




VALID_CSV = (
    "collection,url,title,agency,scope,depth,exclude\r\n"
    "gd-gov,http://www.gd.gov.cn,广东省人民政府,广东省人民政府办公厅,domain,3,"
    "logout|re:\\?page=\\d+\r\n"
    "\r\n"
    "# 以下为部门网站,,,,,,\r\n"
    "gd-gov,https://www.gz.gov.cn/zwgk/index.html,\"广州市, 政务公开\",,prefix,,\r\n"
    "  ,  ,,,,,\r\n"
    "gd-gov,http://127.0.0.1:8000/政务/,,,page,0, print | |calendar \r\n"
)

