"""Access rules and visibility in the catalogue, on both backends (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from catalog.access import (
    ANONYMOUS,
    AccessRuleError,
    Viewer,
    add_exclusion,
    list_rules,
    remove_rule,
    rule_key,
    set_embargo,
    timestamp14,
    visible_captures,
)
from catalog.collections import get_collection, import_seed_list, set_public
from catalog.db import Catalog
from catalog.models import Capture, WarcFile
from seeds.model import SeedList
from tests.support import make_seed

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def seed_list(slug: str, public: bool | None = None) -> SeedList:
    return SeedList(collection=slug, title=slug, kind="site", schedule="once", public=public,
                    seeds=(make_seed(url="http://www.example.com/"),))


def add_captures(catalog: Catalog, slug: str, rows: list[tuple[str, datetime]]) -> None:
    with catalog.session() as s:
        coll = get_collection(s, slug)
        assert coll is not None
        warc = WarcFile(collection_id=coll.id, filename=f"{slug}.warc.gz", size=1, sha256="0",
                        records=len(rows), closed=NOW)
        s.add(warc)
        s.flush()
        for offset, (url, when) in enumerate(rows):
            s.add(Capture(collection_id=coll.id, warc_file_id=warc.id, url=url,
                          surt=rule_key(url), timestamp=timestamp14(when), offset=offset,
                          length=1))


def visible(catalog: Catalog, viewer: Viewer = ANONYMOUS) -> list[str]:
    with catalog.session() as s:
        stmt = visible_captures(s, select(Capture.url, Capture.timestamp), viewer, now=NOW)
        return sorted(f"{url} {ts[:8]}" for url, ts in s.execute(stmt))


def test_a_seed_list_says_whether_its_collection_is_public(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, seed_list("quiet"))
        import_seed_list(s, seed_list("open", public=True))
    with catalog.session() as s:
        assert [get_collection(s, c).public for c in ("quiet", "open")] == [False, True]  # type: ignore[union-attr]
        set_public(s, "quiet", True)
        import_seed_list(s, seed_list("quiet"))        # a list that does not say keeps it
        assert get_collection(s, "quiet").public is True  # type: ignore[union-attr]
        import_seed_list(s, seed_list("quiet", public=False))
        assert get_collection(s, "quiet").public is False  # type: ignore[union-attr]
        assert set_public(s, "nowhere", True) is None


def test_rules_hide_captures_from_anonymous_readers(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, seed_list("a"))
        import_seed_list(s, seed_list("b"))
    old, recent = NOW - timedelta(days=400), NOW - timedelta(days=3)
    add_captures(catalog, "a", [("http://www.example.com/", old),
                                ("http://www.example.com/", recent),
                                ("http://www.example.com/news/1", old),
                                ("http://www.example.com/news/keep", old),
                                ("http://www.example.com/a_b", old),
                                ("http://www.example.com/axb", old)])
    add_captures(catalog, "b", [("http://www.example.com/news/1", old)])
    with catalog.session() as s:
        takedown = add_exclusion(s, "a", "http://example.com/news/", reason="court order",
                                 who="curator1")
        add_exclusion(s, "a", "http://example.com/news/keep", kind="allow", who="curator1")
        add_exclusion(s, "a", "com,example)/a_b", who="curator1")   # '_' is no wildcard
        set_embargo(s, "a", 30, who="curator1")
    assert visible(catalog) == ["http://www.example.com/ 20250427",
                                "http://www.example.com/axb 20250427",
                                "http://www.example.com/news/1 20250427",   # collection b
                                "http://www.example.com/news/keep 20250427"]
    granted = visible(catalog, Viewer(frozenset({"a"})))
    assert "http://www.example.com/ 20260529" in granted
    assert "http://www.example.com/news/1 20250427" in granted   # b's; a's stays taken down
    assert len(granted) == 5

    with catalog.session() as s:
        rules = list_rules(s, "a")
        assert [(r.kind, r.who) for r, _ in rules] == [("exclude", "curator1"),
                                                       ("allow", "curator1"),
                                                       ("exclude", "curator1"),
                                                       ("embargo", "curator1")]
        assert rules[0][0].reason == "court order" and rules[0][0].surt == "com,example)/news"
        remove_rule(s, takedown.id)
        set_embargo(s, "a", 0, who="curator1")
        assert [r.kind for r, _ in list_rules(s)] == ["allow", "exclude"]
    assert len(visible(catalog)) == 6     # a_b stays excluded


def test_a_dated_exclusion_hides_only_captures_of_those_days(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, seed_list("a"))
    add_captures(catalog, "a", [("http://www.example.com/", datetime(2025, 1, d, 23, tzinfo=UTC))
                                for d in (1, 2, 3, 4)])
    with catalog.session() as s:
        add_exclusion(s, "a", "http://www.example.com/", date_from=date(2025, 1, 2),
                      date_to=date(2025, 1, 3), who="x")
    assert visible(catalog) == ["http://www.example.com/ 20250101",
                                "http://www.example.com/ 20250104"]


@pytest.mark.parametrize(("call", "message"), [
    (lambda s: add_exclusion(s, "nowhere", "http://a.example/", who="x"), "collection:"),
    (lambda s: add_exclusion(s, "a", "just words", who="x"), "url:"),
    (lambda s: add_exclusion(s, "a", "com,example)/a b", who="x"), "url:"),
    (lambda s: add_exclusion(s, "a", "http://a.example/", date_from=date(2025, 2, 1),
                             date_to=date(2025, 1, 1), who="x"), "to:"),
    (lambda s: set_embargo(s, "a", -1, who="x"), "days:"),
])
def test_bad_rules_name_their_field(catalog_url: str, call: object, message: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        import_seed_list(s, seed_list("a"))
    with catalog.session() as s, pytest.raises(AccessRuleError, match=message):
        call(s)  # type: ignore[operator]
