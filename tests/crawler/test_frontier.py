"""The frontier on disk: batched changes survive a reopening in the order they were made,
and the URLs a crawl wrote are read back from its own WARCs (the truth on resume)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from crawler.frontier import DONE, INFLIGHT, PENDING, Frontier
from crawler.frontier_scheduler import written_urls
from warc_store.records import HttpExchange
from warc_store.writer import WarcWriter


def test_committed_changes_survive_and_uncommitted_ones_do_not(tmp_path: Path) -> None:
    path = tmp_path / "crawls" / "7" / "frontier.sqlite"
    frontier = Frontier(path)
    frontier.add("a", "http://h/a", "h", 100, {"url": "http://h/a", "meta": {"hops": 0}})
    frontier.add("b", "http://h/b", "h", 98, {"url": "http://h/b"})
    frontier.set_state(["a"], INFLIGHT)
    frontier.set_state(["a"], DONE)
    frontier.add("b", "http://h/b", "h", 98, {"url": "http://h/b", "meta": {"retry_times": 1}})
    frontier.commit()
    frontier.add("c", "http://h/c", "h", 96, {"url": "http://h/c"})   # never committed
    # a process killed here: nothing closed, nothing flushed
    reopened = Frontier(path)
    rows = {row.fp: row for row in reopened.rows()}
    assert sorted(rows) == ["a", "b"]
    assert (rows["a"].state, rows["a"].request["meta"]) == (DONE, {"hops": 0})
    assert (rows["b"].state, rows["b"].request["meta"]) == (PENDING, {"retry_times": 1})
    assert reopened.counts() == {DONE: 1, PENDING: 1}
    reopened.close()
    frontier.close()                # its buffered change is written at a clean close
    assert Frontier(path).counts() == {DONE: 1, PENDING: 2}


def exchange(url: str) -> HttpExchange:
    return HttpExchange(url=url, method="GET", request_headers=[("Accept", "*/*")],
                        request_body=b"", status=200, reason="OK", protocol="HTTP/1.1",
                        response_headers=[("Content-Type", "text/plain")], body=url.encode(),
                        ip_address="127.0.0.1", date=datetime.now(UTC), truncated=None)


def test_written_urls_are_the_crawls_own(tmp_path: Path) -> None:
    for crawl, urls in (("3", ["http://h/1", "http://h/2"]), ("4", ["http://h/3"])):
        writer = WarcWriter(tmp_path, prefix="c", warcinfo={"crawl": crawl},
                            hostname=f"host{crawl}")
        for url in urls:
            writer.write_exchange(exchange(url))
        writer.close()
    assert written_urls(tmp_path, 3) == {"http://h/1", "http://h/2"}
    assert written_urls(tmp_path, 4) == {"http://h/3"}
    assert written_urls(tmp_path, 5) == set()
