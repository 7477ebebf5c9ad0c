"""The check a file from another tool passes before it is taken in: whole gzip members,
records that parse and hold every byte they announce, one record per gzip member."""

from __future__ import annotations

import hashlib
import zlib
from pathlib import Path

import pytest

from tests.holdings.variants import KINDS, cut, write_arc, write_warc
from warc_store.check import Rejected, check_archive


def _member_starts(path: Path) -> list[int]:
    data, starts, pos = path.read_bytes(), [], 0
    while pos < len(data):
        starts.append(pos)
        inflater = zlib.decompressobj(31)
        inflater.decompress(data[pos:])
        pos = len(data) - len(inflater.unused_data)
    return starts


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("version", ["1.0", "1.1"])
@pytest.mark.parametrize("compression", ["record", "none"])
def test_variants_pass(tmp_path: Path, kind: str, version: str, compression: str) -> None:
    warc = write_warc(tmp_path / ("x.warc" + (".gz" if compression == "record" else "")), kind,
                      version=version, compression=compression)
    checked = check_archive(warc)
    assert checked.sha256 == hashlib.sha256(warc.read_bytes()).hexdigest()
    assert (checked.size, checked.format) == (warc.stat().st_size, "warc")
    assert checked.records >= 4


@pytest.mark.parametrize("compressed", [False, True])
def test_arc_passes(tmp_path: Path, compressed: bool) -> None:
    arc = write_arc(tmp_path / ("x.arc" + (".gz" if compressed else "")), compressed=compressed)
    assert (check_archive(arc).records, check_archive(arc).format) == (3, "arc")


def test_whole_file_gzip_is_rejected(tmp_path: Path) -> None:
    warc = write_warc(tmp_path / "x.warc.gz", "heritrix", compression="file")
    with pytest.raises(Rejected, match=r"^whole-file gzip$"):
        check_archive(warc)


@pytest.mark.parametrize("name", ["x.warc.gz", "x.arc.gz"])
def test_a_cut_anywhere_in_a_member_is_named(tmp_path: Path, name: str) -> None:
    """Cut at every byte: rejected as truncated at the start of the member cut, unless the
    cut falls between members (a shorter, whole file)."""
    whole = (write_warc(tmp_path / name, "basic") if name.startswith("x.warc")
             else write_arc(tmp_path / name, compressed=True))
    starts = _member_starts(whole)
    for keep in range(1, whole.stat().st_size):
        part = cut(whole, keep, tmp_path / ("cut-" + name))
        if keep in starts:
            assert check_archive(part).size == keep
            continue
        member = max(s for s in starts if s < keep)
        with pytest.raises(Rejected, match=f"^truncated at offset {member}$"):
            check_archive(part)


def test_uncompressed_cut_inside_a_record(tmp_path: Path) -> None:
    whole = write_warc(tmp_path / "x.warc", "basic", compression="none")
    data = whole.read_bytes()
    last = data.rindex(b"WARC/1.1\r\n")
    for keep in (last + 5, last + 200, len(data) - 6):
        with pytest.raises(Rejected, match=f"^truncated at offset {last}$"):
            check_archive(cut(whole, keep, tmp_path / "cut.warc"))


def test_what_is_not_a_warc(tmp_path: Path) -> None:
    cases = {"notes.txt": b"hello", "empty.warc": b"", "html.warc": b"<html></html>\n"}
    reasons = {}
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(Rejected) as err:
            check_archive(tmp_path / name)
        reasons[name] = str(err.value)
    assert reasons["notes.txt"] == "not a .warc, .warc.gz, .arc, .arc.gz or .wacz file"
    assert reasons["empty.warc"] == "empty file"
    assert reasons["html.warc"].startswith("unreadable record at offset 0: Unknown archive")
    gzipped = write_warc(tmp_path / "g.warc.gz", "basic")
    misnamed = tmp_path / "g.warc"          # as in WACZ packages: the bytes tell
    misnamed.write_bytes(gzipped.read_bytes())
    assert check_archive(misnamed).records == check_archive(gzipped).records
