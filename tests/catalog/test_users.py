"""Accounts on both backends: only hashes stored, one answer for any failed login, and the
last administrator kept."""

from __future__ import annotations

import pytest

from catalog.db import Catalog
from catalog.users import (
    UserError,
    add_user,
    authenticate,
    get_user,
    remove_user,
    set_password,
    set_role,
)
from tests.support import make_seed


def test_accounts_store_hashes_and_authenticate(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        user = add_user(s, "li.wei@library.cn", "长城长城长城长城", "curator")
        assert "长城" not in user.password_hash and user.password_hash.startswith("scrypt:")
    with catalog.session() as s:
        found = authenticate(s, "li.wei@library.cn", "长城长城长城长城")
        assert found is not None and found.last_login is not None
        assert authenticate(s, "li.wei@library.cn", "wrong password") is None
        assert authenticate(s, "nobody", "长城长城长城长城") is None
        user = get_user(s, "li.wei@library.cn")
        assert user is not None
        set_password(s, user, "a new password")
    with catalog.session() as s:
        assert authenticate(s, "li.wei@library.cn", "长城长城长城长城") is None
        assert authenticate(s, "li.wei@library.cn", "a new password") is not None
    catalog.dispose()


@pytest.mark.parametrize("name, password, role, field", [
    ("has space", "long enough", "curator", "name"),
    ("ok", "short", "curator", "password"),
    ("ok", "long enough", "owner", "role"),
])
def test_bad_accounts_name_their_field(tmp_path: object, name: str, password: str, role: str,
                                       field: str) -> None:
    catalog = Catalog(f"sqlite:///{tmp_path}/c.sqlite")
    with pytest.raises(UserError, match=f"^{field}: "), catalog.session() as s:
        add_user(s, name, password, role)


def test_the_last_administrator_stays(catalog_url: str) -> None:
    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        root = add_user(s, "root", "long enough", "admin")
        lin = add_user(s, "lin", "long enough", "curator")
        with pytest.raises(UserError, match="last administrator"):
            set_role(s, root, "curator")
        with pytest.raises(UserError, match="last administrator"):
            remove_user(s, root)
        set_role(s, lin, "admin")
        set_role(s, root, "curator")
        remove_user(s, root)
    catalog.dispose()


def test_a_curator_may_be_limited_to_some_collections(catalog_url: str) -> None:
    from catalog.collections import import_seed_list
    from catalog.users import allowed_collections, set_collections
    from seeds.model import SeedList

    catalog = Catalog(catalog_url)
    with catalog.session() as s:
        for slug in ("a", "b"):
            import_seed_list(s, SeedList(collection=slug, title=slug, kind="site",
                                         schedule="once", seeds=(make_seed(url="http://x.cn/"),)))
        curator = add_user(s, "lin", "password123", "curator")
        admin = add_user(s, "root", "password123", "admin")
        assert allowed_collections(s, curator) is None          # not limited
        set_collections(s, curator, ["a", "a"])
        assert allowed_collections(s, curator) == frozenset({"a"})
        set_collections(s, admin, ["b"])
        assert allowed_collections(s, admin) is None            # administrators see all
        with pytest.raises(UserError, match="collections: no collection 'zz'"):
            set_collections(s, curator, ["b", "zz"])
        assert allowed_collections(s, curator) == frozenset({"a"})
        set_collections(s, curator, [])
        assert allowed_collections(s, curator) is None
