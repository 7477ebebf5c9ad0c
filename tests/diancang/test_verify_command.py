"""``diancang verify``: every held file re-checked against its fixity row, on both catalogue
backends; each bad file named with its offset and reason, the outcome kept per file, nothing
rewritten; the curators' pages show when each collection was last verified."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalog.crawls import record_warc_file
from catalog.fixity import collection_fixity, due_collections
from catalog.holdings import record_file
from catalog.models import Collection, WarcFile
from diancang.cli import main
from diancang.home import Home
from tests.support import run_cli
from tests.warc_store.writer_helpers import make_exchange, make_writer


def cli(home: Path, url: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args],
                              env={"DIANCANG_DATABASE_URL": url}, catch_exceptions=False)


def hold(home: Path, url: str, slug: str, files: int) -> list[Path]:
    """A collection holding ``files`` closed WARC files with their fixity rows."""
    h = Home(home, overrides={"database.url": url})
    archive = h.ensure_collection(slug).archive
    paths = []
    with h.catalog.session() as session:
        coll = Collection(slug=slug, title=slug, created=datetime.now(UTC),
                          updated=datetime.now(UTC))
        session.add(coll)
        session.flush()
        for n in range(files):
            writer = make_writer(archive, prefix=f"{slug}{n}")
            for i in range(3):
                writer.write_exchange(make_exchange(f"http://example.com/{n}/{i}"))
            closed = writer.close()
            assert closed is not None
            record_warc_file(session, collection_id=coll.id, crawl_id=None, closed=closed)
            paths.append(closed.path)
    h.catalog.dispose()
    return paths


@pytest.fixture
def home(tmp_path: Path, catalog_url: str) -> Path:
    home = tmp_path / "home"
    assert cli(home, catalog_url, "init").exit_code == 0
    return home


def rows(home: Path, url: str) -> dict[str, WarcFile]:
    h = Home(home, overrides={"database.url": url})
    with h.catalog.session() as session:
        found = {row.filename: row for row in session.query(WarcFile)}
    h.catalog.dispose()
    return found


def test_all_files_hold(home: Path, catalog_url: str) -> None:
    hold(home, catalog_url, "c1", 2)
    hold(home, catalog_url, "c2", 1)
    result = cli(home, catalog_url, "verify")
    assert result.exit_code == 0, result.output
    assert "c1: 2 WARC files" in result.output and "all hold" in result.output
    held = rows(home, catalog_url)
    assert {row.verify_outcome for row in held.values()} == {"ok"}
    assert all(row.verified_at is not None and row.verify_detail is None
               for row in held.values())
    h = Home(home, overrides={"database.url": catalog_url})
    with h.catalog.session() as session:
        standing = collection_fixity(session)
        assert all(s.last_verified is not None and s.failed == 0 for s in standing.values())
        assert due_collections(session, interval=timedelta(days=30)) == []
        assert due_collections(session, interval=timedelta(0),
                               now=datetime.now(UTC) + timedelta(seconds=1)) == ["c1", "c2"]
    h.catalog.dispose()


def test_each_bad_file_is_named_with_offset_and_reason(home: Path, catalog_url: str) -> None:
    rotten, gone = hold(home, catalog_url, "c1", 2)
    [cut] = hold(home, catalog_url, "c2", 1)
    data = bytearray(rotten.read_bytes())
    data[-6] ^= 0x40      # bit rot in the last gzip member's CRC-32: it no longer inflates
    rotten.write_bytes(bytes(data))
    gone.unlink()
    cut.write_bytes(cut.read_bytes()[:-3])        # a copy that lost its last bytes
    stray = cut.with_name("stray.warc.gz")
    stray.write_bytes(cut.read_bytes())
    (cut.parent / "being-written.warc.gz.open").write_bytes(b"")
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (rotten, cut, stray)}

    result = cli(home, catalog_url, "verify")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith(f"c1/{rotten.name}: failed: offset ") and "inflate" in line
               for line in lines), result.output
    assert f"c1/{gone.name}: missing: offset 0: file missing from disk" in result.output
    assert any(line.startswith(f"c2/{cut.name}: failed: offset 0: SHA-256 is ")
               for line in lines)
    assert any(line.startswith(f"c2/{cut.name}: failed: offset ")
               and line.endswith("the file ends inside this gzip member (truncated)")
               for line in lines)
    assert "c2/stray.warc.gz: unknown: offset 0: not in the catalogue" in result.output
    assert "(1 .open file(s) being written, not checked)" in result.output
    # nothing was repaired, renamed or rewritten
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before} == before
    held = rows(home, catalog_url)
    assert held[rotten.name].verify_outcome == "failed"
    assert held[gone.name].verify_outcome == "missing"
    assert held[cut.name].verify_detail.startswith("offset 0: SHA-256 is ")

    as_json = json.loads(cli(home, catalog_url, "verify", "c2", "--json").output)
    assert [(f["file"], f["outcome"]) for f in as_json] == [(cut.name, "failed"),
                                                            ("stray.warc.gz", "unknown")]
    assert as_json[0]["findings"][-1]["reason"].endswith("(truncated)")
    h = Home(home, overrides={"database.url": catalog_url})
    with h.catalog.session() as session:
        standing = {session.get_one(Collection, cid).slug: s
                    for cid, s in collection_fixity(session).items()}
    h.catalog.dispose()
    assert (standing["c1"].files, standing["c1"].failed) == (2, 2)
    assert standing["c2"].failed == 1


def verify_json(home: Path, url: str, *args: str) -> dict[str, dict[str, object]]:
    result = cli(home, url, "verify", *args, "--json")
    return {f["file"]: f for f in json.loads(result.output)}


def test_a_routine_check_of_proven_bytes_is_their_sha256(home: Path, catalog_url: str) -> None:
    paths = hold(home, catalog_url, "c1", 2)
    first = verify_json(home, catalog_url)           # never deep-checked: read whole
    assert {(f["outcome"], f["deep"]) for f in first.values()} == {("ok", True)}
    assert all(f["records"] == 7 and f["digests"] for f in first.values())
    held = rows(home, catalog_url)
    assert all(row.deep_sha256 == row.sha256 and row.deep_verified_at == row.verified_at
               for row in held.values())

    again = verify_json(home, catalog_url)
    assert {(f["outcome"], f["deep"], f["records"]) for f in again.values()} == {
        ("ok", False, None)}
    assert [f["sha256"] for f in again.values()] == [held[p.name].sha256 for p in paths]
    result = cli(home, catalog_url, "verify", "c1")
    assert "c1: 2 WARC files" in result.output and "(2 by SHA-256 against a deep check's)" \
        in result.output and result.exit_code == 0
    deep = verify_json(home, catalog_url, "--deep")
    assert {(f["outcome"], f["deep"], f["records"]) for f in deep.values()} == {("ok", True, 7)}
    later = rows(home, catalog_url)
    assert all(later[n].deep_verified_at > held[n].deep_verified_at for n in held)


def test_proven_bytes_that_change_get_a_deep_check_naming_the_fault(home: Path,
                                                                   catalog_url: str) -> None:
    [path] = hold(home, catalog_url, "c1", 1)
    assert cli(home, catalog_url, "verify").exit_code == 0      # proven whole
    data = bytearray(path.read_bytes())
    data[-6] ^= 0x40      # the last gzip member's CRC-32: it no longer inflates
    path.write_bytes(bytes(data))
    result = cli(home, catalog_url, "verify")
    assert result.exit_code == 1
    assert f"c1/{path.name}: failed: offset 0: SHA-256 is " in result.output
    assert any(line.startswith(f"c1/{path.name}: failed: offset ") and "inflate" in line
               for line in result.output.splitlines()), result.output
    [found] = verify_json(home, catalog_url).values()
    assert found["deep"] is True and found["outcome"] == "failed"
    row = rows(home, catalog_url)[path.name]
    assert row.verify_outcome == "failed" and row.deep_sha256 == row.sha256   # still the proof


def recompressed_with(path: Path, old: bytes, new: bytes) -> None:
    """Each gzip member of ``path`` inflated, ``old`` replaced by ``new``, deflated again: the
    records' digests no longer match their blocks."""
    pieces, rest = [], path.read_bytes()
    while rest:
        inflater = zlib.decompressobj(zlib.MAX_WBITS + 16)
        pieces.append(inflater.decompress(rest).replace(old, new))
        rest = inflater.unused_data
    path.write_bytes(b"".join(gzip.compress(piece) for piece in pieces))


def test_a_proof_holds_only_for_the_bytes_it_read(home: Path, catalog_url: str) -> None:
    """A file whose own digests are wrong is read whole at every check (nothing proven); a row
    whose SHA-256 is not the proven one (recorded anew, as a rebuild does) is read whole."""
    [path] = hold(home, catalog_url, "c1", 1)
    writer = make_writer(path.parent, prefix="bad")
    writer.write_exchange(make_exchange("http://example.com/x", body=b"<html>a</html>"))
    bad = writer.close()
    assert bad is not None
    recompressed_with(bad.path, b"<html>a</html>", b"<html>b</html>")
    h = Home(home, overrides={"database.url": catalog_url})
    with h.catalog.session() as session:       # the fixity row has the SHA-256 of these bytes
        coll = session.query(Collection).filter_by(slug="c1").one()
        record_file(session, collection_id=coll.id, crawl_id=None, filename=bad.filename,
                    size=bad.path.stat().st_size,
                    sha256=hashlib.sha256(bad.path.read_bytes()).hexdigest(), records=3)
    h.catalog.dispose()
    for _ in range(2):
        found = verify_json(home, catalog_url)
        assert found[bad.filename]["outcome"] == "failed" and found[bad.filename]["deep"]
        assert "block digest differs" in str(found[bad.filename]["findings"])
    assert found[path.name]["outcome"] == "ok" and found[path.name]["deep"] is False
    assert rows(home, catalog_url)[bad.filename].deep_sha256 is None

    h = Home(home, overrides={"database.url": catalog_url})
    with h.catalog.session() as session:
        session.query(WarcFile).filter_by(filename=path.name).one().sha256 = "0" * 64
    h.catalog.dispose()
    found = verify_json(home, catalog_url)
    assert found[path.name]["deep"] is True and found[path.name]["outcome"] == "failed"
    assert found[path.name]["findings"][0]["reason"].startswith("SHA-256 is ")


def test_unknown_collection_is_a_usage_error(home: Path, catalog_url: str) -> None:
    result = cli(home, catalog_url, "verify", "nope")
    assert result.exit_code == 2 and "no collection 'nope'" in result.output


@pytest.mark.slow
def test_the_real_command_exits_1_on_a_bad_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "init")
    url = f"sqlite:///{home / 'catalog.sqlite'}"
    [path] = hold(home, url, "c1", 1)
    assert "all hold" in run_cli(home, "verify").stdout
    path.write_bytes(path.read_bytes() + b"junk")
    proc = run_cli(home, "verify", "c1", check=False)
    assert proc.returncode == 1 and "bytes that are not a gzip member" in proc.stdout
