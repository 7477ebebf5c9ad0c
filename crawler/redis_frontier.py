"""A crawl's frontier in Redis, shared by the workers of a distributed crawl.

Every key of crawl ``C`` begins ``<prefix>:crawl:C:`` (``P`` below); it all survives the death
of any process, workers and coordinator alike:

- ``P:seen``: the fingerprints ever enqueued, a set (scrapy-redis's ``RFPDupeFilter`` does the
  same with SADD: each URL is queued once across workers);
- ``P:req`` / ``P:score``: each pending or in-flight request (Scrapy's ``request_to_dict``,
  pickled, as scrapy-redis's queues store it) and its queue score;
- ``P:q:<host>``: a host's pending fingerprints, a sorted set ordered by priority then arrival
  (scrapy-redis keeps one such set per spider; here one per host, as Heritrix keeps a queue
  per host);
- ``P:f:<host>``: the host's fingerprints in flight, taken by the host's lease holder;
- ``P:hosts``: hosts with pending URLs that no worker holds, scored by when they may be taken
  (the host's delay after the last holder let it go);
- ``P:owner`` / ``P:leases`` / ``P:w:<worker>``: which worker holds each host and until when.
  A host is held by one worker at a time, so its delay and concurrency (Scrapy's download slot
  in that worker) hold across all workers.  A lease not renewed for ``lease_timeout`` seconds
  (its worker died or froze) is reclaimed by the next worker that asks: the host's in-flight
  URLs go back to its queue and the host to ``P:hosts``;
- ``P:workers``: workers seen, scored by when they count as gone (for the fair share of hosts);
- ``P:counts``: pending, inflight, done and reclaimed, kept exact by the scripts;
- ``P:written``: fingerprints whose response is in a WARC file, so that a reclaimed request
  that had been written already is not written twice;
- ``P:started`` (the seeds are in), ``P:stop`` (stop requested), ``P:spec`` (the crawl's
  parameters for workers that join).

``<prefix>:crawls`` is the set of crawls that workers may join.  Every change is one Lua script
run atomically by Redis, on Redis's own clock (workers' clocks may differ).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import redis

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# Puts a host's in-flight URLs back in its queue and frees the host (ready at ``ready``).
_RECLAIM = """
local function reclaim(P, host, ready)
  local owner = redis.call('HGET', P..':owner', host)
  local fps = redis.call('SMEMBERS', P..':f:'..host)
  for _, fp in ipairs(fps) do
    local score = redis.call('HGET', P..':score', fp)
    if score then redis.call('ZADD', P..':q:'..host, score, fp) end
  end
  redis.call('DEL', P..':f:'..host)
  if #fps > 0 then
    redis.call('HINCRBY', P..':counts', 'pending', #fps)
    redis.call('HINCRBY', P..':counts', 'inflight', -#fps)
    redis.call('HINCRBY', P..':counts', 'reclaimed', #fps)
  end
  redis.call('HDEL', P..':owner', host)
  redis.call('ZREM', P..':leases', host)
  if owner then redis.call('SREM', P..':w:'..owner, host) end
  if redis.call('ZCARD', P..':q:'..host) > 0 then
    redis.call('ZADD', P..':hosts', ready, host)
  end
  return #fps
end
"""

ADD = _NOW + """
local P = ARGV[1]
local added = 0
for i = 2, #ARGV, 4 do
  local fp, host, score, blob = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3]
  if redis.call('SADD', P..':seen', fp) == 1 then
    local s = score * 1000000000 + redis.call('INCR', P..':seq')
    redis.call('HSET', P..':req', fp, blob)
    redis.call('HSET', P..':score', fp, s)
    redis.call('ZADD', P..':q:'..host, s, fp)
    if redis.call('HEXISTS', P..':owner', host) == 0
        and not redis.call('ZSCORE', P..':hosts', host) then
      redis.call('ZADD', P..':hosts', now, host)
    end
    added = added + 1
  end
end
if added > 0 then redis.call('HINCRBY', P..':counts', 'pending', added) end
return added
"""

TAKE = _NOW + _RECLAIM + """
local P, worker = ARGV[1], ARGV[2]
local lease, new_hosts, per_new = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
redis.call('ZADD', P..':workers', now + lease, worker)
for _, host in ipairs(redis.call('ZRANGEBYSCORE', P..':leases', '-inf', now)) do
  reclaim(P, host, now)
end
local out = {}
local function pop(host, n)
  if n <= 0 then return end
  local fps = redis.call('ZRANGE', P..':q:'..host, 0, n - 1)
  for _, fp in ipairs(fps) do
    redis.call('ZREM', P..':q:'..host, fp)
    redis.call('SADD', P..':f:'..host, fp)
    out[#out + 1] = host
    out[#out + 1] = fp
    out[#out + 1] = redis.call('HGET', P..':req', fp)
  end
  if #fps > 0 then
    redis.call('HINCRBY', P..':counts', 'pending', -#fps)
    redis.call('HINCRBY', P..':counts', 'inflight', #fps)
  end
end
local lost = {}
for i = 6, #ARGV, 2 do
  local host = ARGV[i]
  if redis.call('HGET', P..':owner', host) == worker then
    redis.call('ZADD', P..':leases', now + lease, host)
    pop(host, tonumber(ARGV[i + 1]))
  else
    lost[#lost + 1] = host
  end
end
local got = {}
if new_hosts > 0 then
  for _, host in ipairs(redis.call('ZRANGEBYSCORE', P..':hosts', '-inf', now,
                                   'LIMIT', 0, new_hosts)) do
    redis.call('ZREM', P..':hosts', host)
    redis.call('HSET', P..':owner', host, worker)
    redis.call('ZADD', P..':leases', now + lease, host)
    redis.call('SADD', P..':w:'..worker, host)
    got[#got + 1] = host
    pop(host, per_new)
  end
end
local c = redis.call('HMGET', P..':counts', 'pending', 'inflight', 'done')
local hosts = redis.call('ZCARD', P..':hosts') + redis.call('HLEN', P..':owner')
return {out, got, lost, redis.call('ZCOUNT', P..':workers', now, '+inf'), hosts,
        tonumber(c[1]) or 0, tonumber(c[2]) or 0, tonumber(c[3]) or 0,
        redis.call('EXISTS', P..':stop'), redis.call('EXISTS', P..':started')}
"""

DONE = """
local P = ARGV[1]
local n = 0
for i = 2, #ARGV, 2 do
  local host, fp = ARGV[i], ARGV[i + 1]
  if redis.call('SREM', P..':f:'..host, fp) == 1 then
    redis.call('HDEL', P..':req', fp)
    redis.call('HDEL', P..':score', fp)
    n = n + 1
  end
end
if n > 0 then
  redis.call('HINCRBY', P..':counts', 'inflight', -n)
  redis.call('HINCRBY', P..':counts', 'done', n)
end
return n
"""

RELEASE = _NOW + _RECLAIM + """
local P, worker = ARGV[1], ARGV[2]
local n = 0
for i = 3, #ARGV, 2 do
  local host = ARGV[i]
  if redis.call('HGET', P..':owner', host) == worker then
    reclaim(P, host, now + tonumber(ARGV[i + 1]))
    n = n + 1
  end
end
return n
"""

LEAVE = _NOW + _RECLAIM + """
local P, worker = ARGV[1], ARGV[2]
for _, host in ipairs(redis.call('SMEMBERS', P..':w:'..worker)) do
  if redis.call('HGET', P..':owner', host) == worker then reclaim(P, host, now) end
end
redis.call('DEL', P..':w:'..worker)
redis.call('ZREM', P..':workers', worker)
return 1
"""


@dataclass(frozen=True, slots=True)
class Taken:
    """What one ``take`` brought: requests (host, fingerprint, pickled request), the hosts
    newly leased and those lost, and the crawl's figures."""
    requests: list[tuple[str, str, bytes]]
    leased: list[str]
    lost: list[str]
    workers: int
    hosts: int
    pending: int
    inflight: int
    done: int
    stop: bool
    started: bool

    @property
    def finished(self) -> bool:
        """Nothing pending and nothing in flight anywhere, once the seeds were in."""
        return self.started and self.pending == 0 and self.inflight == 0


@dataclass(frozen=True, slots=True)
class Counts:
    pending: int
    inflight: int
    done: int
    reclaimed: int
    hosts: int
    workers: int
    started: bool
    stop: bool

    @property
    def finished(self) -> bool:
        return self.started and self.pending == 0 and self.inflight == 0


def _text(value: Any) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)


def connect(url: str) -> redis.StrictRedis:
    return redis.StrictRedis.from_url(url, socket_timeout=30, socket_connect_timeout=10)


class RedisFrontier:
    """One crawl's frontier in Redis (the scripts above, from Python)."""

    def __init__(self, url: str, prefix: str, crawl_id: int, *, client: Any = None):
        self.redis = client if client is not None else connect(url)
        self.prefix = prefix
        self.crawl_id = crawl_id
        self.key = f"{prefix}:crawl:{crawl_id}"
        self._add = self.redis.register_script(ADD)
        self._take = self.redis.register_script(TAKE)
        self._done = self.redis.register_script(DONE)
        self._release = self.redis.register_script(RELEASE)
        self._leave = self.redis.register_script(LEAVE)

    # -- the crawl as a whole (the coordinator) ------------------------------------------
    def publish(self, spec: dict[str, Any]) -> None:
        """Make the crawl one that workers join, with the parameters they need."""
        self.redis.set(f"{self.key}:spec", json.dumps(spec, ensure_ascii=False))
        self.redis.sadd(f"{self.prefix}:crawls", str(self.crawl_id))

    def withdraw(self) -> None:
        """No more workers join the crawl (it ended; its frontier stays for a resume)."""
        self.redis.srem(f"{self.prefix}:crawls", str(self.crawl_id))

    def spec(self) -> dict[str, Any] | None:
        raw = self.redis.get(f"{self.key}:spec")
        return None if raw is None else dict(json.loads(_text(raw)))

    def request_stop(self) -> None:
        self.redis.set(f"{self.key}:stop", "1")

    def clear_stop(self) -> None:
        self.redis.delete(f"{self.key}:stop")

    def mark_started(self) -> None:
        self.redis.set(f"{self.key}:started", "1")

    def counts(self) -> Counts:
        pipe = self.redis.pipeline(transaction=False)
        pipe.hmget(f"{self.key}:counts", "pending", "inflight", "done", "reclaimed")
        pipe.zcard(f"{self.key}:hosts")
        pipe.hlen(f"{self.key}:owner")
        pipe.zcard(f"{self.key}:workers")
        pipe.exists(f"{self.key}:started")
        pipe.exists(f"{self.key}:stop")
        raw, free, held, workers, started, stop = pipe.execute()
        pending, inflight, done, reclaimed = (int(v or 0) for v in raw)
        return Counts(pending, inflight, done, reclaimed, int(free) + int(held), int(workers),
                      bool(started), bool(stop))

    def delete(self) -> None:
        """Remove every key of the crawl (a crawl that ran to its end)."""
        self.withdraw()
        keys = list(self.redis.scan_iter(match=f"{self.key}:*", count=1000))
        for start in range(0, len(keys), 500):
            self.redis.delete(*keys[start:start + 500])

    # -- a worker's side -------------------------------------------------------------------
    def add(self, requests: Sequence[tuple[str, str, int, bytes]]) -> int:
        """Queue (fingerprint, host, priority, pickled request) unless seen; returns how many
        were new."""
        if not requests:
            return 0
        args: list[Any] = [self.key]
        for fp, host, priority, blob in requests:
            args += [fp, host, -priority, blob]
        return int(self._add(args=args))

    def take(self, worker: str, *, lease_ms: int, new_hosts: int, per_new: int,
             more: Iterable[tuple[str, int]]) -> Taken:
        """Renew ``worker``'s leases, reclaim expired ones, pop up to n requests from each
        held host in ``more`` and lease up to ``new_hosts`` free hosts (``per_new`` each)."""
        args: list[Any] = [self.key, worker, lease_ms, new_hosts, per_new]
        for host, n in more:
            args += [host, n]
        out, got, lost, workers, hosts, pending, inflight, done, stop, started = \
            self._take(args=args)
        requests = [(_text(out[i]), _text(out[i + 1]), out[i + 2])
                    for i in range(0, len(out), 3) if out[i + 2] is not None]
        return Taken(requests, [_text(h) for h in got], [_text(h) for h in lost],
                     int(workers), int(hosts), int(pending), int(inflight), int(done),
                     bool(stop), bool(started))

    def done(self, finished: Sequence[tuple[str, str]]) -> int:
        """(host, fingerprint) of requests handled: out of flight for good."""
        if not finished:
            return 0
        args: list[Any] = [self.key]
        for host, fp in finished:
            args += [host, fp]
        return int(self._done(args=args))

    def release(self, worker: str, hosts: Sequence[tuple[str, float]]) -> int:
        """Let go of hosts (host, seconds before another worker may take it)."""
        if not hosts:
            return 0
        args: list[Any] = [self.key, worker]
        for host, delay in hosts:
            args += [host, int(delay * 1000)]
        return int(self._release(args=args))

    def leave(self, worker: str) -> None:
        """The worker stops: its hosts (and anything it still had in flight) go back."""
        self._leave(args=[self.key, worker])

    def written(self, fp: str) -> bool:
        return bool(self.redis.sismember(f"{self.key}:written", fp))

    def mark_written(self, fp: str) -> None:
        self.redis.sadd(f"{self.key}:written", fp)


def active_crawls(url: str, prefix: str, client: Any = None) -> list[int]:
    """The crawls workers may join now."""
    conn = client if client is not None else connect(url)
    return sorted(int(_text(v)) for v in conn.smembers(f"{prefix}:crawls"))
