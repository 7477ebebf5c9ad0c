"""The holdings commands through the real CLI: ``import`` (lines and exit statuses),
``collections --json``, ``index`` going on past a bad file, ``export`` checked by the
``wacz validate`` of the WACZ project."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.holdings.variants import cut, write_arc, write_warc
from tests.support import run_cli

pytestmark = pytest.mark.slow


def _wacz_validate(package: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("wacz")
    command = str(script) if script.exists() else (shutil.which("wacz") or "wacz")
    return subprocess.run([command, "validate", "-f", str(package)], capture_output=True,
                          text=True, check=False, timeout=120)


def test_import_collections_export(tmp_path: Path) -> None:
    home, src = tmp_path / "home", tmp_path / "src"
    run_cli(home, "init")
    good = write_warc(src / "example.warc.gz", "heritrix")
    write_arc(src / "old" / "IA-2008.arc.gz", compressed=True)
    write_warc(src / "old" / "wget.warc", "wget", compression="none")
    whole = write_warc(src / "whole.warc.gz", "basic", compression="file")
    (src / "notes.txt").write_text("not picked up from a folder", encoding="utf-8")

    usage = run_cli(home, "import", "gd", str(src / "missing.warc"), check=False)
    assert usage.returncode == 2 and "missing.warc: no such file or folder" in usage.stderr
    bad_name = run_cli(home, "import", "GD Gov", str(good), check=False)
    assert bad_name.returncode == 2 and "Traceback" not in bad_name.stderr

    proc = run_cli(home, "import", "gd", str(src), "--title", "广东 旧档", "--kind", "event",
                   check=False)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout.splitlines() == [
        "created collection gd (private)",
        f"{good}: 4 captures",
        f"{src / 'old' / 'IA-2008.arc.gz'}: 2 captures",
        f"{src / 'old' / 'wget.warc'}: 4 captures",
        f"{whole}: rejected: whole-file gzip"]
    again = run_cli(home, "import", "gd", str(good))
    assert again.stdout == f"{good}: already held as example.warc.gz; skipped\n"

    listed = json.loads(run_cli(home, "collections", "--json").stdout)
    sizes = sum(p.stat().st_size for p in (home / "collections" / "gd" / "archive").iterdir())
    assert listed == [{"slug": "gd", "title": "广东 旧档", "kind": "event", "public": False,
                       "seeds": 0, "captures": 10, "warc_files": 3, "warc_bytes": sizes,
                       "first_capture": "2008-04-30T20:48:26Z",
                       "last_capture": "2020-06-01T09:30:00Z",
                       "last_verified": None, "failed_files": 0}]   # never verified yet
    assert "gd " in run_cli(home, "collections").stdout

    package = tmp_path / "gd.wacz"
    out = run_cli(home, "export", "gd", "--wacz", str(package))
    assert out.stdout.startswith(f"wrote {package}: 3 WARC files, 10 captures")
    check = _wacz_validate(package)
    assert check.returncode == 0 and "passed WACZ is valid" in check.stdout, check.stdout
    exists = run_cli(home, "export", "gd", "--wacz", str(package), check=False)
    assert exists.returncode == 2 and "not overwritten" in exists.stderr
    part = tmp_path / "part.wacz"
    run_cli(home, "export", "gd", "--wacz", str(part), "--from", "2019-01-01", "--to",
            "2019-12-31", "--url-prefix", "http://www.example.gov.cn/")
    assert _wacz_validate(part).returncode == 0
    back = run_cli(home, "import", "back", str(package))
    assert back.stdout.splitlines()[-1] == f"{package}: 3 WARC files, 10 captures"
    lines = {coll: sorted(line for f in (home / "collections" / coll / "indexes").iterdir()
                          for line in f.read_text(encoding="utf-8").splitlines())
             for coll in ("gd", "back")}
    assert lines["gd"] == lines["back"] and len(lines["gd"]) == 10


def test_index_names_what_it_skips_and_goes_on(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "init")
    run_cli(home, "import", "a", str(write_warc(tmp_path / "a.warc.gz", "basic")))
    run_cli(home, "import", "b", str(write_arc(tmp_path / "b.arc", compressed=False)))
    archive_a = home / "collections" / "a" / "archive"
    whole = write_warc(archive_a / "0-whole.warc.gz", "wget", compression="file")
    good = write_warc(tmp_path / "c.warc.gz", "heritrix")
    cut(good, good.stat().st_size - 10, archive_a / "1-cut.warc.gz")
    write_arc(home / "collections" / "b" / "archive" / "more.arc.gz", compressed=True)
    proc = run_cli(home, "index", check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert (f"{whole}: file skipped: whole-file gzip: its records are not each their own "
            "gzip member, so none can be read alone") in proc.stderr
    assert "1-cut.warc.gz: offset " in proc.stderr and "offset -" not in proc.stderr
    assert "a: indexed 1 WARC files, 1 skipped, 3 captures" in proc.stdout
    assert "b: indexed 1 WARC files, 2 captures" in proc.stdout
    assert not list(home.rglob("*.tmp"))


def test_a_taken_down_capture_stays_out_of_the_package(tmp_path: Path) -> None:
    home = tmp_path / "home"
    run_cli(home, "init")
    run_cli(home, "import", "gd", str(write_warc(tmp_path / "example.warc.gz", "heritrix")))
    indexed = [line for f in (home / "collections" / "gd" / "indexes").iterdir()
               for line in f.read_text(encoding="utf-8").splitlines()]
    urls = sorted({json.loads(line.split(" ", 2)[2])["url"] for line in indexed})
    gone = max((url for url in urls if url.startswith("http")), key=len)   # a prefix rule
    run_cli(home, "access", "exclude", "gd", gone, "--reason", "takedown")
    package = tmp_path / "gd.wacz"
    run_cli(home, "export", "gd", "--wacz", str(package))
    assert _wacz_validate(package).returncode == 0
    with zipfile.ZipFile(package) as wacz:
        index = wacz.read("indexes/index.cdxj").decode("utf-8").splitlines()
        pages = wacz.read("pages/pages.jsonl").decode("utf-8")
    kept = {json.loads(line.split(" ", 2)[2])["url"] for line in index}
    assert kept == {url for url in urls if not url.startswith(gone)} and gone not in kept
    assert gone not in pages
