"""crawler.progress: Scrapy's stats as the crawl's figures, the live line, stats.json, and the
duration limit, on a real crawler's stats collector (the engine is a stand-in)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from twisted.internet import reactor

from crawler.capture import STOPPING
from crawler.progress import Progress, crawl_stats
from seeds.model import Limits
from tests.support import crawl_job

RAW = {"diancang/captures": 12, "diancang/bytes": 3_500_000, "diancang/errors": 2,
       "diancang/revisits": 4, "diancang/dedup_bytes": 90_000,
       "diancang/status/200": 10, "diancang/status/404": 2,
       "diancang/refused/robots-disallowed": 3, "diancang/refused/out-of-scope": 40,
       "diancang/errors/TimeoutError": 2, "diancang/truncated/length": 1,
       "downloader/request_count": 99, "finish_reason": "finished"}


def test_scrapy_stats_become_the_crawl_s_figures() -> None:
    assert crawl_stats(RAW, elapsed=4.0) == {
        "pages": 12, "bytes": 3_500_000, "errors": 2, "elapsed": 4.0, "requests": 14,
        "rate": 3.0, "revisits": 4, "dedup_bytes": 90_000,
        "status": {"200": 10, "404": 2},
        "refused": {"robots-disallowed": 3, "out-of-scope": 40},
        "error_types": {"TimeoutError": 2}, "truncated": {"length": 1}, "browser": {},
        "finish_reason": "finished"}


def test_a_crawl_that_has_not_begun_has_zero_figures() -> None:
    stats = crawl_stats({}, elapsed=0.0)
    assert (stats["pages"], stats["rate"], stats["status"]) == (0, 0.0, {})
    assert "finish_reason" not in stats


class Engine:
    def __init__(self, queued: int, in_flight: int):
        self._slot = SimpleNamespace(scheduler=[object()] * queued)
        self.downloader = SimpleNamespace(active={object() for _ in range(in_flight)})
        self.closed: list[str] = []

    async def close_spider_async(self, reason: str) -> None:
        self.closed.append(reason)


def progress(tmp_path: Path, **job: object) -> tuple[Progress, Crawler, Engine]:
    crawler = get_crawler(Spider)
    spider = Spider("site")
    spider.job = crawl_job(tmp_path, **job)  # type: ignore[attr-defined]
    crawler.spider = spider
    engine = Engine(queued=5, in_flight=2)
    crawler.engine = engine  # type: ignore[assignment]
    assert crawler.stats is not None
    for key, value in RAW.items():
        if key != "finish_reason":
            crawler.stats.set_value(key, value)
    return Progress.from_crawler(crawler), crawler, engine


def test_without_a_diancang_job_progress_is_off() -> None:
    crawler = get_crawler(Spider)
    crawler.spider = Spider("other")
    with pytest.raises(NotConfigured):
        Progress.from_crawler(crawler)


def test_the_live_line_and_stats_json_every_fifth_second(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prog, _, _ = progress(tmp_path, progress=True)
    prog.job.stats_file.parent.mkdir(parents=True)
    stats_file = prog.job.stats_file
    for _ in range(4):
        prog.update()
    assert not stats_file.exists()
    assert capsys.readouterr().err.count("\r\x1b[Kgd-gov: 12 pages, ") == 4
    prog.update()
    written = json.loads(stats_file.read_text(encoding="utf-8"))
    assert (written["pages"], written["queued"], written["in_flight"]) == (12, 5, 2)
    line = capsys.readouterr().err.rsplit("\r\x1b[K", 1)[1]
    assert line.startswith("gd-gov: 12 pages, 3.5 MB, ")   # then the rate: it is the clock's
    assert line.endswith(" pages/s, queue 5, in flight 2, errors 2")


def test_the_end_writes_stats_json_with_the_reason(tmp_path: Path) -> None:
    prog, _, _ = progress(tmp_path)
    prog.opened(Spider("site"))          # makes the crawl directory, starts the 1 s loop
    prog.closed(Spider("site"), "finished")
    assert prog.loop is not None and not prog.loop.running
    written = json.loads((tmp_path / "crawl" / "stats.json").read_text(encoding="utf-8"))
    assert written["finish_reason"] == "finished"
    assert (written["pages"], written["requests"], written["status"]) == (12, 14,
                                                                          {"200": 10, "404": 2})
    assert not (tmp_path / "crawl" / "stats.tmp").exists()


def test_the_duration_limit_stops_the_crawl_once(tmp_path: Path) -> None:
    assert reactor is not None       # installed: Scrapy runs the engine's coroutine on it
    prog, crawler, engine = progress(tmp_path, limits=Limits(duration=60.0))
    prog.job.stats_file.parent.mkdir(parents=True)
    prog.update()
    assert engine.closed == []                    # just begun: under the limit
    prog.started -= 61.0                          # as if the crawl began 61 s ago
    prog.update()
    prog.update()
    assert engine.closed == ["limit: duration"]
    assert crawler.stats is not None
    assert crawler.stats.get_value(STOPPING) == "limit: duration"
