"""``diancang verify``: every held file re-checked against its fixity row, on both catalogue
backends; each bad file named with its offset and reason, the outcome kept per file, nothing
rewritten; the curators' pages show when each collection was last verified."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from catalog.crawls import record_warc_file
from catalog.fixity import collection_fixity, due_collections
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
    data[-30] ^= 0x40                      # bit rot in the last record's gzip member
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
