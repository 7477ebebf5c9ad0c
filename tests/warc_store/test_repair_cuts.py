"""Repair never raises and never loses a whole record: a real file of our writer (warcinfo,
request/response pairs, a revisit, a POST) is cut at every byte offset, and each cut is
repaired to exactly its longest whole-record prefix, which warcio reads with every digest
verified.  Neither repair nor rotation ever replaces a closed file of the same name."""

from __future__ import annotations

from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.support import warcio_check
from tests.warc_store.writer_helpers import make_exchange, make_writer, sha1_b32
from warc_store.records import Original
from warc_store.repair import repair_open_files
from warc_store.writer import ClosedWarc

SAME = b"<html><body>unchanged since last time</body></html>"


def written(directory: Path) -> tuple[str, bytes, list[int]]:
    """(final name, bytes, end offset of each record) of a closed file of our writer."""
    url = "http://example.com/same"
    writer = make_writer(directory, previous={
        url: Original(sha1_b32(SAME), url, "2024-01-01T00:00:00Z")})
    writer.write_exchange(make_exchange("http://example.com/", body=b"<a href=/a>a</a>" * 9))
    writer.write_exchange(make_exchange(url, body=SAME))                 # a revisit
    writer.write_exchange(make_exchange("http://example.com/form", method="POST",
                                        request_body=b"q=%E5%85%B8"))
    writer.write_exchange(make_exchange("http://example.com/404", status=404,
                                        reason="Not Found", body=b"gone"))
    closed = writer.close()
    assert closed is not None
    ends = []
    with closed.path.open("rb") as fh:
        iterator = ArchiveIterator(fh)
        for rec in iterator:
            iterator.read_to_end(rec)
            ends.append(iterator.get_record_offset() + iterator.get_record_length())
    assert len(ends) == 9 and ends[-1] == closed.size
    return closed.filename, closed.path.read_bytes(), ends


def read_back(path: Path) -> int:
    """Records warcio reads from the file, every digest verified (raises on any fault)."""
    with path.open("rb") as fh:
        iterator = ArchiveIterator(fh, check_digests="raise")
        count = 0
        for rec in iterator:
            rec.content_stream().read()
            count += 1
    return count


def test_every_cut_is_repaired_to_its_longest_whole_record_prefix(tmp_path: Path) -> None:
    name, data, ends = written(tmp_path / "w")
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    final = crashed / name
    for cut in range(len(data) + 1):
        (crashed / (name + ".open")).write_bytes(data[:cut])
        keep = max((end for end in ends if end <= cut), default=0)
        records = sum(1 for end in ends if end <= cut)
        calls: list[ClosedWarc] = []
        result = repair_open_files(crashed, calls.append)
        assert calls == result
        if records <= 1:      # nothing but the warcinfo: nothing to keep
            assert result == [] and list(crashed.iterdir()) == [], cut
            continue
        assert [(c.filename, c.size, c.records) for c in result] == [(name, keep, records)], cut
        assert final.read_bytes() == data[:keep], cut
        assert read_back(final) == records, cut
        assert sorted(p.name for p in crashed.iterdir()) == [name], cut
        final.unlink()


@pytest.mark.slow
def test_repaired_cuts_pass_warcio_check(tmp_path: Path) -> None:
    name, data, ends = written(tmp_path / "w")
    for i, cut in enumerate((ends[2] + 7, ends[5] + 1, ends[-1] - 1, ends[-1])):
        crashed = tmp_path / f"crashed{i}"
        crashed.mkdir()
        (crashed / (name + ".open")).write_bytes(data[:cut])
        [closed] = repair_open_files(crashed)
        proc = warcio_check(closed.path)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "fail" not in proc.stdout
        # every record's digests pass, but the revisit's (which names the original's payload)
        assert proc.stdout.count("digest pass") == closed.records - (closed.records >= 5)


def test_repair_never_replaces_a_closed_file_of_the_same_name(tmp_path: Path) -> None:
    name, data, ends = written(tmp_path / "w")
    directory = tmp_path / "crashed"
    directory.mkdir()
    closed_before = b"a closed file that happens to carry this name"
    (directory / name).write_bytes(closed_before)
    (directory / (name + ".open")).write_bytes(data[:ends[4] + 10])
    [repaired] = repair_open_files(directory)
    assert repaired.filename != name and repaired.filename.endswith(".warc.gz")
    assert (directory / name).read_bytes() == closed_before
    assert repaired.path.read_bytes() == data[:ends[4]]
    assert sorted(p.name for p in directory.iterdir()) == sorted([name, repaired.filename])


def test_a_file_closed_but_not_unnamed_is_reported_untouched(tmp_path: Path) -> None:
    """The writer died between giving the file its final name (a hard link) and removing
    the ``.open`` one: the closed file is kept whole, only the old name goes."""
    name, data, _ = written(tmp_path / "w")
    directory = tmp_path / "crashed"
    directory.mkdir()
    (directory / name).write_bytes(data)
    (directory / (name + ".open")).hardlink_to(directory / name)
    [closed] = repair_open_files(directory)
    assert (closed.filename, closed.size, closed.records) == (name, len(data), 9)
    assert [p.name for p in directory.iterdir()] == [name]
    assert (directory / name).read_bytes() == data


def test_rotation_never_replaces_a_closed_file_of_the_same_name(tmp_path: Path) -> None:
    writer = make_writer(tmp_path)
    writer.write_exchange(make_exchange())
    live = writer.current_path
    assert live is not None
    taken = live.with_name(live.name.removesuffix(".open"))
    taken.write_bytes(b"put there while the file was being written")
    closed = writer.close()
    assert closed is not None and closed.path != taken
    assert taken.read_bytes() == b"put there while the file was being written"
    assert read_back(closed.path) == 3 and not live.exists()
