"""The archive home's layout, spelled in diancang.home and nowhere else."""

from __future__ import annotations

from pathlib import Path

import yaml

from diancang.home import Home


def test_the_layout(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert home.settings_file == tmp_path / "diancang.toml"
    assert home.catalog_file == tmp_path / "catalog.sqlite"
    assert home.replay_config == tmp_path / "config.yaml"
    assert home.collection("c").archive == tmp_path / "collections" / "c" / "archive"
    assert home.collection("c").indexes == tmp_path / "collections" / "c" / "indexes"
    crawl = home.crawl(7)
    assert (crawl.log, crawl.stats, crawl.failed) == (
        tmp_path / "crawls" / "7" / "crawl.log", tmp_path / "crawls" / "7" / "stats.json",
        tmp_path / "crawls" / "7" / "failed.jsonl")


def test_pywb_is_told_the_same_names(tmp_path: Path) -> None:
    config = yaml.safe_load(Home(tmp_path).write_replay_config().read_text(encoding="utf-8"))
    assert (config["collections_root"], config["archive_paths"], config["index_paths"]) == (
        "collections", "archive", "indexes")


def test_ensure_collection_creates_pywb_layout(tmp_path: Path) -> None:
    root = Home(tmp_path).ensure_collection("c").dir
    assert root == tmp_path / "collections" / "c"
    assert sorted(p.name for p in root.iterdir()) == ["archive", "indexes"]


def test_ensure_collection_is_idempotent_and_keeps_contents(tmp_path: Path) -> None:
    home = Home(tmp_path)
    paths = home.ensure_collection("c")
    (paths.archive / "a.warc.gz").write_bytes(b"warc")
    (paths.indexes / "a.warc.gz.cdxj").write_bytes(b"index")
    assert home.ensure_collection("c") == paths
    assert (paths.archive / "a.warc.gz").read_bytes() == b"warc"
    assert (paths.indexes / "a.warc.gz.cdxj").read_bytes() == b"index"
    home.ensure_collection("d")
    assert sorted(p.name for p in home.collections.iterdir()) == ["c", "d"]
