"""The Redis frontier's scripts on the real Redis server: each URL queued once, a host held by
one worker at a time, a dead worker's hosts and in-flight URLs taken back after its lease."""

from __future__ import annotations

import time

import pytest

from crawler.redis_frontier import RedisFrontier

LEASE_MS = 60_000


@pytest.fixture
def frontier(redis_frontier: tuple[str, str]) -> RedisFrontier:
    url, prefix = redis_frontier
    return RedisFrontier(url, prefix, 1)


def requests(host: str, *names: str, priority: int = 0) -> list[tuple[str, str, int, bytes]]:
    return [(f"{host}/{n}", host, priority, f"request {host}/{n}".encode()) for n in names]


def test_each_url_is_queued_once_and_taken_in_priority_order(frontier: RedisFrontier) -> None:
    assert frontier.add(requests("a", "1", "2") + requests("a", "top", priority=10)) == 3
    assert frontier.add(requests("a", "1", "3")) == 1          # "1" was seen
    taken = frontier.take("w1", lease_ms=LEASE_MS, new_hosts=5, per_new=0, more=[])
    assert taken.leased == ["a"] and taken.requests == []
    taken = frontier.take("w1", lease_ms=LEASE_MS, new_hosts=0, per_new=0, more=[("a", 3)])
    assert [fp for _, fp, _ in taken.requests] == ["a/top", "a/1", "a/2"]
    assert taken.requests[0][2] == b"request a/top"
    assert (taken.pending, taken.inflight, taken.done) == (1, 3, 0)
    assert not taken.finished       # no worker has said its seeds are in


def test_a_host_is_held_by_one_worker_and_let_go_after_its_delay(
        frontier: RedisFrontier) -> None:
    frontier.add(requests("a", "1", "2") + requests("b", "1"))
    first = frontier.take("w1", lease_ms=LEASE_MS, new_hosts=1, per_new=0, more=[])
    second = frontier.take("w2", lease_ms=LEASE_MS, new_hosts=5, per_new=0, more=[])
    assert len(first.leased) == 1 and len(second.leased) == 1
    assert set(first.leased + second.leased) == {"a", "b"}
    # w2 cannot pop from w1's host: it is told the host is not its own
    stolen = frontier.take("w2", lease_ms=LEASE_MS, new_hosts=0, per_new=0,
                           more=[(first.leased[0], 5)])
    assert stolen.requests == [] and stolen.lost == first.leased
    # let go with work left and a long delay: nobody may take it yet
    frontier.release("w1", [(first.leased[0], 3600.0)])
    later = frontier.take("w2", lease_ms=LEASE_MS, new_hosts=5, per_new=0, more=[])
    assert later.leased == []


def test_a_dead_workers_in_flight_urls_go_back_after_its_lease(frontier: RedisFrontier) -> None:
    frontier.add(requests("a", "1", "2", "3"))
    frontier.take("dead", lease_ms=200, new_hosts=1, per_new=0, more=[])
    taken = frontier.take("dead", lease_ms=200, new_hosts=0, per_new=0, more=[("a", 2)])
    assert [fp for _, fp, _ in taken.requests] == ["a/1", "a/2"]
    frontier.done([("a", "a/1")])           # handled: done for good
    time.sleep(0.5)                          # its lease runs out (no renewal)
    alive = frontier.take("alive", lease_ms=LEASE_MS, new_hosts=1, per_new=0, more=[])
    assert alive.leased == ["a"]
    back = frontier.take("alive", lease_ms=LEASE_MS, new_hosts=0, per_new=0, more=[("a", 5)])
    assert [fp for _, fp, _ in back.requests] == ["a/2", "a/3"]
    assert frontier.done([("a", "a/1")]) == 0      # not twice
    assert frontier.done([("a", "a/2"), ("a", "a/3")]) == 2
    frontier.mark_started()
    counts = frontier.counts()
    assert (counts.pending, counts.inflight, counts.done, counts.reclaimed) == (0, 0, 3, 1)
    assert counts.finished


def test_what_is_written_is_remembered_and_the_crawl_is_listed(
        frontier: RedisFrontier) -> None:
    from crawler.redis_frontier import active_crawls

    frontier.publish({"collection": "c", "depth": None})
    assert active_crawls("", frontier.prefix, frontier.redis) == [1]
    assert frontier.spec() == {"collection": "c", "depth": None}
    assert not frontier.written("x")
    frontier.mark_written("x")
    assert frontier.written("x")
    frontier.delete()
    assert active_crawls("", frontier.prefix, frontier.redis) == []
    assert frontier.spec() is None
