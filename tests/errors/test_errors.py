"""One root for every error a user can cause, each with its exit status."""

from __future__ import annotations

import errno

import pytest

from catalog.crawl_requests import UnknownCollection
from catalog.curation import CurationError
from catalog.db import Catalog, CatalogUnavailable
from catalog.locks import CollectionLocked
from catalog.schedules import ScheduleError
from catalog.users import UserError
from diancang.errors import ConfigError, UnknownSetting
from errors import CannotListen, DiancangError
from reports.crawl_report import UnknownCrawl
from scheduler.daemon import LOCKED_EXIT
from seeds.errors import Problem, SeedListError


@pytest.mark.parametrize("cls", [SeedListError, UserError, CurationError, ScheduleError,
                                 UnknownCollection, UnknownCrawl, CatalogUnavailable,
                                 ConfigError, UnknownSetting, CannotListen])
def test_each_is_a_usage_error(cls: type[DiancangError]) -> None:
    assert issubclass(cls, DiancangError)
    assert cls.exit_code == 2


def test_a_locked_collection_exits_3_and_the_scheduler_knows_it_by_the_class() -> None:
    assert issubclass(CollectionLocked, DiancangError)
    assert LOCKED_EXIT == CollectionLocked.exit_code == 3


def test_a_seed_list_error_prints_every_problem_then_what_became_of_the_list() -> None:
    exc = SeedListError([Problem("s.yaml", 4, "url", "expected a URL"),
                         Problem("s.yaml", 2, "scope", "expected host")])
    assert exc.lines() == ["s.yaml:2: scope: expected host", "s.yaml:4: url: expected a URL",
                           "2 problem(s); nothing was written."]


def test_others_print_one_line() -> None:
    exc = CannotListen("127.0.0.1", 8080, OSError(errno.EADDRINUSE, "in use: ('x', 1)"))
    assert exc.lines() == ["error: cannot listen on 127.0.0.1:8080: Address already in use"]


def test_a_database_url_sqlalchemy_does_not_know() -> None:
    with pytest.raises(CatalogUnavailable, match=r"^cannot open the catalogue database "
                       r"nosuchdb://u:\*\*\*@x/y: Can't load plugin"):
        Catalog("nosuchdb://u:secret@x/y")
