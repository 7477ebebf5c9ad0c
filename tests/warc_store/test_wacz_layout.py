"""The ZIP layout of a WACZ as ReplayWeb.page reads it: its reader (wabac.js) finds an entry's
data at ``30 + name length + local extra length`` past the local header, but when the central
record has no extra field it takes the local extra length to be 0 without reading the local
header.  Every entry of our packages must be found where that reader looks (it was not: entries
of unknown size carry a ZIP64 field in the local header only, and pages.jsonl was read from 20
bytes too early, so the package opened without its pages and could not replay)."""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

from tests.warc_store.writer_helpers import make_exchange, make_writer
from warc_store.wacz import Page, WaczWriter, file_chunks


def as_replaywebpage_reads(package: Path, info: zipfile.ZipInfo) -> bytes:
    data = package.read_bytes()
    start = info.header_offset
    name_length, local_extra = struct.unpack("<HH", data[start + 26:start + 30])
    offset = start + 30 + name_length + (local_extra if info.extra else 0)
    raw = data[offset:offset + info.compress_size]
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw)
    return raw


def test_every_entry_is_where_replaywebpage_looks(tmp_path: Path) -> None:
    writer = make_writer(tmp_path / "w")
    writer.write_exchange(make_exchange("http://example.com/"))
    closed = writer.close()
    assert closed is not None
    package = tmp_path / "c.wacz"
    wacz = WaczWriter(package, title="C", description=None, software="test")
    wacz.add_warc(closed.filename, file_chunks(closed.path))
    wacz.add_index(["com,example)/ 20240506070809 {}\n"])
    wacz.add_pages([Page("http://example.com/", "20240506070809", "首页")])
    wacz.close()
    with zipfile.ZipFile(package) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos][:3] == [f"archive/{closed.filename}",
                                                   "indexes/index.cdxj", "pages/pages.jsonl"]
        for info in infos:
            assert as_replaywebpage_reads(package, info) == zf.read(info), info.filename
