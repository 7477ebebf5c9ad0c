"""A seed's ``browser: off | auto | on``: read from YAML (where a bare off/on is a boolean),
defaulted to auto, refused with a clear problem otherwise, and written back by export."""

from __future__ import annotations

from pathlib import Path

import pytest

from seeds.model import seed_list_to_yaml
from seeds.parse import load_seed_list
from tests.seeds.parse_helpers import problems, write
from tests.support import SEED_DEFAULTS


@pytest.mark.parametrize(("written", "read"), [("off", "off"), ("on", "on"), ("auto", "auto"),
                                               ("'off'", "off"), ("false", "off")])
def test_browser_is_read_as_the_curator_means_it(tmp_path: Path, written: str,
                                                  read: str) -> None:
    path = write(tmp_path, "s.yaml", f"collection: c\nseeds:\n  - url: http://a.example/\n"
                                     f"    browser: {written}\n")
    assert load_seed_list(path, defaults=SEED_DEFAULTS).seeds[0].browser == read


def test_browser_defaults_to_auto_and_list_defaults_apply(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "collection: c\ndefaults: {browser: off}\nseeds:\n"
                                     "  - url: http://a.example/\n  - url: http://b.example/\n"
                                     "    browser: on\n")
    assert [s.browser for s in load_seed_list(path, defaults=SEED_DEFAULTS).seeds] == ["off", "on"]
    plain = write(tmp_path, "p.yaml", "collection: c\nseeds:\n  - url: http://a.example/\n")
    seed_list = load_seed_list(plain, defaults=SEED_DEFAULTS)
    assert seed_list.seeds[0].browser == "auto"
    again = write(tmp_path, "again.yaml", seed_list_to_yaml(seed_list))
    assert load_seed_list(again, defaults=SEED_DEFAULTS).seeds[0].browser == "auto"


def test_an_unknown_browser_mode_is_a_problem_on_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "collection: c\nseeds:\n  - url: http://a.example/\n"
                                     "    browser: always\n")
    assert problems(path) == [(4, "browser", "expected one of off | auto | on, got 'always'")]
