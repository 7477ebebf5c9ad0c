"""Who may see what, over HTTP against the real ``diancang serve``: a public, a private and an
embargoed collection on every endpoint; a takedown; grants; changes without a restart.

The server re-reads the catalogue on every request here (``replay.access_refresh`` 0), so
each change is seen by the next request and nothing waits on a clock.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from catalog.grants import PARAM, make_grant
from tests.replay.access_site import SITE, build
from tests.support import replay_server, run_cli

pytestmark = pytest.mark.slow

ABOUT = f"{SITE}/about.html"
SECRET = f"{SITE}/news/secret.html"
MODES = ("", "mp_", "id_", "if_", "js_", "cs_", "im_", "oe_", "fr_")


def endpoints(coll: str, ts: str, url: str) -> list[str]:
    """Every way a collection's capture of ``url`` can be reached on the replay host."""
    return ([f"{coll}/", f"{coll}/cdx?url={url}", f"{coll}/cdx?url={SITE}/*&output=json",
             f"{coll}/timemap/link/{url}", f"{coll}/timemap/json/{url}", f"{coll}/{url}",
             f"{coll}/*/{url}", f"{coll}/*/{SITE}/*"]
            + [f"{coll}/{ts}{mode}/{url}" for mode in MODES])


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    home = tmp_path_factory.mktemp("home")
    stamps = build(home)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DIANCANG_REPLAY_ACCESS_REFRESH", "0")
        with replay_server(home) as base:
            secret = (home / "web-secret.key").read_text().strip()
            yield {"home": str(home), "base": base, "secret": secret, **stamps}


def get(site: dict[str, str], path: str, grant: str | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(site["base"] + path, headers=headers or {})
    if grant:
        request.add_header("Cookie", f"diancang_grant={grant}")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def grant(site: dict[str, str], coll: str) -> str:
    return make_grant(site["secret"], coll, "curator1")


def test_a_private_collection_is_a_plain_404_on_every_endpoint(site: dict[str, str]) -> None:
    for path in endpoints("priv", site["old"], ABOUT):
        status, _, body = get(site, path)
        missing = get(site, path.replace("priv", "nosuch", 1))
        # the same answer as a collection that does not exist, but for the name typed
        assert status == 404 == missing[0], path
        assert body.replace(b"priv", b"*") == missing[2].replace(b"nosuch", b"*"), path
    # pywb's ACL header is ours to set: a reader sending it opens nothing
    assert get(site, f"priv/cdx?url={ABOUT}", headers={"X-Pywb-ACL-User": "curator"})[0] == 404


def test_listings_name_only_public_collections(site: dict[str, str]) -> None:
    status, _, body = get(site, "collinfo.json")
    assert status == 200 and json.loads(body) == {"fixed": [], "dynamic": ["emb", "pub"]}
    status, _, home = get(site, "")
    assert status == 200 and b"/pub" in home and b"/priv" not in home


def test_a_public_collection_answers_on_every_endpoint(site: dict[str, str]) -> None:
    for path in endpoints("pub", site["old"], ABOUT):
        status, _, body = get(site, path)
        assert status == 200, path
        assert b"404 Not Found" not in body
    status, _, body = get(site, f"pub/{site['old']}id_/{ABOUT}")
    assert status == 200
    assert body == b"<html><body><h1>page /about.html of 2020-03-01</h1></body></html>"


def _timestamps(site: dict[str, str], coll: str, url: str, grant: str | None = None) -> set[str]:
    status, _, body = get(site, f"{coll}/cdx?url={url}&output=json", grant)
    assert status == 200
    return {json.loads(line)["timestamp"] for line in body.splitlines() if line.strip()}


def test_an_embargo_hides_recent_captures_from_readers_on_every_endpoint(
        site: dict[str, str]) -> None:
    recent, old = site["recent"], site["old"]
    assert _timestamps(site, "pub", ABOUT) == {old, recent}
    assert _timestamps(site, "emb", ABOUT) == {old}
    assert recent not in get(site, f"emb/timemap/link/{ABOUT}")[2].decode()
    assert recent not in get(site, f"emb/timemap/json/{ABOUT}")[2].decode()
    for mode in MODES:     # asking for the recent capture gets the old one
        status, headers, _ = get(site, f"emb/{recent}{mode}/{ABOUT}")
        if mode:
            assert headers["Memento-Datetime"] == "Sun, 01 Mar 2020 08:00:00 GMT", mode
    status, headers, _ = get(site, f"emb/{ABOUT}")         # TimeGate
    assert status == 200 and "20200301080000" in headers["Link"]
    assert recent not in headers["Link"]
    # a curator holding a grant for the collection sees through its embargo
    assert _timestamps(site, "emb", ABOUT, grant(site, "emb")) == {old, recent}


def test_a_grant_becomes_a_cookie_for_its_collection_only(site: dict[str, str]) -> None:
    token = grant(site, "priv")
    opener = urllib.request.build_opener(_NoRedirect)
    path = f"priv/{site['old']}/{ABOUT}?x=%D6%D0&{PARAM}={token}"     # a GBK query stays
    with pytest.raises(urllib.error.HTTPError) as caught:
        opener.open(site["base"] + path)
    redirect = caught.value
    assert redirect.code == 303
    assert redirect.headers["Location"] == f"/priv/{site['old']}/{ABOUT}?x=%D6%D0"
    cookie = redirect.headers["Set-Cookie"]
    assert cookie.startswith(f"diancang_grant={token};")
    assert "HttpOnly" in cookie and "Path=/priv/" in cookie and "SameSite=Lax" in cookie
    for path in endpoints("priv", site["old"], ABOUT):
        assert get(site, path, token)[0] == 200, path
    # a grant for priv opens nothing else, and emb's does not open priv
    run_cli(Path(site["home"]), "collections", "set", "emb", "--private")
    try:
        assert get(site, f"emb/cdx?url={ABOUT}", token)[0] == 404
        assert get(site, f"emb/?{PARAM}={token}")[0] == 404
        assert get(site, f"priv/cdx?url={ABOUT}", grant(site, "emb"))[0] == 404
    finally:
        run_cli(Path(site["home"]), "collections", "set", "emb", "--public")


def test_grants_expire_and_cannot_be_forged(site: dict[str, str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - 3601)   # signed over an hour ago
    stale = grant(site, "priv")
    monkeypatch.setattr(time, "time", real)
    forged = make_grant("not the archive's key", "priv", "curator1")
    for token in (stale, forged):
        assert get(site, f"priv/cdx?url={ABOUT}", token)[0] == 404
        assert get(site, f"priv/?{PARAM}={token}")[0] == 404
    # on a public collection a stale link still leads to the page, without a grant
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(_NoRedirect).open(f"{site['base']}pub/?{PARAM}={stale}")
    assert caught.value.code == 303 and caught.value.headers["Location"] == "/pub/"
    assert "Set-Cookie" not in caught.value.headers


def test_visibility_changes_hold_without_a_restart(site: dict[str, str]) -> None:
    home = Path(site["home"])
    run_cli(home, "collections", "set", "priv", "--public")
    try:
        assert get(site, f"priv/cdx?url={ABOUT}")[0] == 200
        assert "priv" in json.loads(get(site, "collinfo.json")[2])["dynamic"]
    finally:
        run_cli(home, "collections", "set", "priv", "--private")
    assert get(site, f"priv/cdx?url={ABOUT}")[0] == 404


def test_a_takedown_is_451_in_replay_and_absent_everywhere_else(site: dict[str, str]) -> None:
    home = Path(site["home"])
    old = site["old"]
    assert get(site, f"pub/{old}id_/{SECRET}")[0] == 200
    out = run_cli(home, "access", "exclude", "pub", f"{SITE}/news/", "--reason", "court order")
    rule_id = out.stdout.split()[1].rstrip(":")
    try:
        for mode in MODES:
            status, _, body = get(site, f"pub/{old}{mode}/{SECRET}")
            assert status == 451 and b"taken down" in body, mode
        assert get(site, f"pub/{SECRET}")[0] == 451                     # TimeGate
        assert _timestamps(site, "pub", SECRET) == set()                 # CDX API
        assert b"secret" not in get(site, f"pub/cdx?url={SITE}/*")[2]
        assert b"secret" not in get(site, f"pub/timemap/link/{SECRET}")[2]
        # the same URL in another collection, and other URLs, are untouched
        assert get(site, f"priv/{old}id_/{SECRET}", grant(site, "priv"))[0] == 200
        assert get(site, f"pub/{old}id_/{ABOUT}")[0] == 200
        listed = json.loads(run_cli(home, "access", "list", "pub", "--json").stdout)
        assert [(r["kind"], r["surt"], r["reason"]) for r in listed] == [
            ("exclude", "com,example)/news", "court order")]
        assert listed[0]["who"].startswith("os:")
    finally:
        run_cli(home, "access", "remove", rule_id)
    assert get(site, f"pub/{old}id_/{SECRET}")[0] == 200


def test_a_dated_takedown_hides_only_the_captures_of_its_days(site: dict[str, str]) -> None:
    home, old, recent = Path(site["home"]), site["old"], site["recent"]
    out = run_cli(home, "access", "exclude", "pub", ABOUT, "--from", "2020-03-01",
                  "--to", "2020-03-01")
    rule_id = out.stdout.split()[1].rstrip(":")
    try:
        assert _timestamps(site, "pub", ABOUT) == {recent}
        assert old not in get(site, f"pub/timemap/link/{ABOUT}")[2].decode()
        status, headers, _ = get(site, f"pub/{old}id_/{ABOUT}")     # the closest one left
        assert status == 200 and headers["Memento-Datetime"] != "Sun, 01 Mar 2020 08:00:00 GMT"
        assert _timestamps(site, "emb", ABOUT) == {old}              # another collection
    finally:
        run_cli(home, "access", "remove", rule_id)
    assert _timestamps(site, "pub", ABOUT) == {old, recent}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None
