"""Scope: which URLs a crawl fetches, as an ordered list of pure decide rules.

As in Heritrix, each rule looks at one candidate and says accept, reject or nothing; the last
rule that says something wins.  The rules see only strings (the URL and its SURT key) and the
hop counts, so they are tested without a network:

1. seed scope      accept when the SURT falls under a seed's page/prefix/host/domain prefix,
                   reject everything else
2. transclusion    accept page requisites (images, stylesheets, scripts ...) from anywhere, up
                   to ``max_transclusion_hops`` requisite hops from a page
3. link hops       reject links more hops from their seed than the seed's ``depth``
4. excludes        reject URLs matching the owning seed's exclude patterns
5. trap guards     reject over-long URLs, too-deep paths and repeating path segments
                   (limits in ``seeds.traps.TrapLimits``)

The SURT key is pywb's, with session ids also taken out of path parameters (see
``surt_key``), so a URL seen under two session ids is one URL to the crawl.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import surt
from surt import DefaultIAURLCanonicalizer
from surt.handyurl import handyurl

from seeds.model import Seed
from seeds.traps import TrapLimits


@dataclass(frozen=True, slots=True)
class Decision:
    accepted: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Candidate:
    url: str
    key: str               # SURT
    hops: int              # link hops from the seed
    embed_hops: int        # requisite hops from the last page (0 for a page)
    owner: int | None      # index of the seed whose scope holds the URL


Rule = Callable[["Scope", Candidate], Decision | None]

ACCEPT_SEED = Decision(True, "in-scope")
ACCEPT_REQUISITE = Decision(True, "requisite")
REJECT_SCOPE = Decision(False, "out-of-scope")


def seed_scope(scope: Scope, c: Candidate) -> Decision:
    return ACCEPT_SEED if c.owner is not None else REJECT_SCOPE


def transclusion(scope: Scope, c: Candidate) -> Decision | None:
    if c.embed_hops == 0:
        return None
    if c.embed_hops > scope.max_transclusion_hops:
        return Decision(False, "too-many-requisite-hops")
    return ACCEPT_REQUISITE


def link_hops(scope: Scope, c: Candidate) -> Decision | None:
    if c.embed_hops == 0 and c.owner is not None and c.hops > scope.seeds[c.owner].depth:
        return Decision(False, "too-deep")
    return None


def excludes(scope: Scope, c: Candidate) -> Decision | None:
    excluded = scope.excluders[c.owner] if c.owner is not None else None
    if excluded is not None and excluded(c.url):
        return Decision(False, "excluded")
    return None


def trap_guards(scope: Scope, c: Candidate) -> Decision | None:
    limits = scope.traps
    if len(c.url) > limits.max_url_length:
        return Decision(False, "url-too-long")
    path = urlsplit(c.url).path
    segments = [s for s in path.split("/") if s]
    if len(segments) > limits.max_path_depth:
        return Decision(False, "path-too-deep")
    if len(segments) > limits.max_path_repeats:
        counts: dict[str, int] = {}
        for segment in segments:
            counts[segment] = counts.get(segment, 0) + 1
            if counts[segment] > limits.max_path_repeats:
                return Decision(False, "path-repeats")
    return None


RULES: tuple[Rule, ...] = (seed_scope, transclusion, link_hops, excludes, trap_guards)


# surt already drops session ids from the query when they look like one (jsessionid,
# PHPSESSID and sid of 32 characters, ASPSESSIONIDxxxxxxxx, CFID followed by CFTOKEN) and
# ASP.NET's (S(...)) path segments; not Java's ";jsessionid=" path parameter, nor the names
# that are never anything but a session (jsessionid, PHPSESSID, ASPSESSIONID..., CFID,
# CFTOKEN) when their value has another length or they come in another order.  A short
# "sid" stays: on many sites it is a section id.
_PATH_SESSION = re.compile(rb";(?:jsessionid|phpsessid)=[^/;?]*", re.IGNORECASE)
_QUERY_SESSION = re.compile(rb"(?:^|&)(?:jsessionid|phpsessid|aspsessionid[a-z]{8}|cfid|cftoken)"
                            rb"=[^&]*", re.IGNORECASE)


def _strip_session_ids(url: handyurl, **options: object) -> handyurl:
    """A canonicaliser step run before surt's own, so its normalisation applies after."""
    if url.path and b";" in url.path:
        url.path = _PATH_SESSION.sub(b"", url.path)
    if url.query and _QUERY_SESSION.search(url.query):
        url.query = _QUERY_SESSION.sub(b"", url.query).lstrip(b"&") or None
    return url


def _canonicalize(url: handyurl, **options: object) -> handyurl:
    return DefaultIAURLCanonicalizer.canonicalize(_strip_session_ids(url), **options)


def surt_key(url: str) -> str:
    """The canonical SURT key: pywb's, with session ids also dropped from path parameters."""
    key: str = surt.surt(url, canonicalizer=_canonicalize)
    return key


def _excluder(patterns: Sequence[str]) -> Callable[[str], bool] | None:
    if not patterns:
        return None
    plain = tuple(p for p in patterns if not p.startswith("re:"))
    # compiled one by one: each pattern keeps its own flags, groups and backreferences
    compiled = [re.compile(p[3:]) for p in patterns if p.startswith("re:")]

    def excluded(url: str) -> bool:
        return any(p in url for p in plain) or any(r.search(url) for r in compiled)
    return excluded


def _seed_prefix(seed: Seed) -> tuple[str, str]:
    """(host part, SURT prefix) of a seed for its scope type."""
    key = surt_key(seed.url)
    host = key.partition(")")[0]
    if seed.scope == "page":
        return host, key
    if seed.scope == "prefix":
        parts = urlsplit(seed.url)
        directory = parts.path.rpartition("/")[0] + "/"
        prefix = surt_key(parts._replace(path=directory, query="", fragment="").geturl())
        return host, prefix if prefix.endswith("/") else prefix + "/"
    return host, host + ")/"


class SeedPrefixes:
    """Which seed's scope holds a SURT key: the seed prefixes alone, without the crawl's rules
    (the indexer files each capture under its seed with it)."""

    def __init__(self, seeds: Sequence[Seed]):
        self.seeds = list(seeds)
        self._by_host: dict[str, list[tuple[str, str, int]]] = {}
        self._domains: dict[str, int] = {}
        for index, seed in enumerate(self.seeds):
            if seed.scope == "domain":
                domain = surt_key(seed.url).partition(")")[0].partition(":")[0]
                self._domains.setdefault(domain, index)
                continue
            host, prefix = _seed_prefix(seed)
            self._by_host.setdefault(host, []).append((seed.scope, prefix, index))
        for entries in self._by_host.values():
            entries.sort(key=lambda e: -len(e[1]))   # the most specific seed first

    def seed_for(self, key: str) -> int | None:
        """The seed whose scope holds this SURT key (the most specific one), if any."""
        host = key.partition(")")[0]
        for kind, prefix, index in self._by_host.get(host, ()):
            if kind == "page":
                if key == prefix:
                    return index
            elif kind == "host" or key == prefix[:-1] \
                    or key.startswith((prefix, prefix[:-1] + "?")):
                return index
        if self._domains:
            labels = host.partition(":")[0]
            while labels:
                if labels in self._domains:
                    return self._domains[labels]
                labels = labels.rpartition(",")[0]
        return None


class Scope:
    """The crawl's scope over its seeds; ``decide`` is the per-URL entry point."""

    def __init__(self, seeds: Sequence[Seed], *, traps: TrapLimits,
                 max_transclusion_hops: int = 3, rules: Sequence[Rule] = RULES):
        self.seeds = list(seeds)
        self.traps = traps
        self.max_transclusion_hops = max_transclusion_hops
        self.rules = tuple(rules)
        self.excluders = [_excluder(seed.exclude) for seed in self.seeds]
        self.seed_for = SeedPrefixes(self.seeds).seed_for

    surt = staticmethod(surt_key)

    def decide(self, url: str, key: str | None = None, *, hops: int = 0,
               embed_hops: int = 0) -> Decision:
        key = key if key is not None else surt_key(url)
        candidate = Candidate(url, key, hops, embed_hops, self.seed_for(key))
        decision = REJECT_SCOPE
        for rule in self.rules:
            verdict = rule(self, candidate)
            if verdict is not None:
                decision = verdict
        return decision
