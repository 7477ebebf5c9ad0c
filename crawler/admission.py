"""Admission: which discovered URLs become requests.

This is the crawl's per-link hot path, so the cheap checks come first: an exact-string
seen-set (most links on a page were seen on the page before), then the SURT (computed once
per distinct URL), then the scope's decide rules, then the seed's and crawl's page budgets.
A linked document (PDF, Office, WPS, OFD ...) refused as a link is decided again as a
requisite: attachments are captured wherever they are kept.
Refusals are counted by reason for the crawl's stats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from crawler.discovery import is_document
from seeds.model import Seed
from seeds.scope import Scope


@dataclass(frozen=True, slots=True)
class Admitted:
    url: str
    seed: int


# refusals that depend on how far from a page or seed the URL was found, not on the URL
HOP_REASONS = frozenset(("too-deep", "too-many-requisite-hops"))
# refusals a linked document (PDF, Office, WPS ...) passes as a requisite instead
DOCUMENT_REASONS = frozenset(("out-of-scope", "too-deep"))


class Admission:
    def __init__(self, scope: Scope, seeds: Sequence[Seed], *, max_pages: int | None = None):
        self.scope = scope
        self.budgets = [seed.max_pages for seed in seeds]
        self.counts = [0] * len(seeds)
        self.max_pages = max_pages
        self.total = 0
        self.seen: set[str] = set()           # exact URL strings already decided as admitted
        self.seen_keys: set[str] = set()      # canonical SURT keys admitted
        self.refused_links: set[str] = set()  # refused as a link (may still pass as a requisite)
        self.refused_embeds: set[str] = set()
        self.refused: Counter[str] = Counter()

    def admit(self, url: str, *, hops: int, embed_hops: int, seed: int) -> Admitted | None:
        if url in self.seen:
            return None
        refused_set = self.refused_embeds if embed_hops else self.refused_links
        if url in refused_set:
            return None
        if not url.startswith(("http://", "https://")) \
                and not url[:8].lower().startswith(("http://", "https://")):
            refused_set.add(url)
            self.refused["not-http"] += 1
            return None
        key = self.scope.surt(url)
        if key in self.seen_keys:
            self.seen.add(url)
            return None
        decision = self.scope.decide(url, key, hops=hops, embed_hops=embed_hops)
        if not decision.accepted and embed_hops == 0 and decision.reason in DOCUMENT_REASONS \
                and is_document(url):
            # an attachment linked from an in-scope page is captured wherever it is kept
            # (a file server on another host, or one hop past the depth limit)
            decision = self.scope.decide(url, key, hops=hops, embed_hops=1)
        if not decision.accepted:
            if decision.reason not in HOP_REASONS:   # those may pass when offered nearer
                refused_set.add(url)
            self.refused[decision.reason] += 1
            return None
        owner = self.scope.seed_for(key)
        if owner is None:
            owner = seed
        if self.counts[owner] >= self.budgets[owner]:
            self.refused["seed-budget"] += 1
            refused_set.add(url)
            return None
        if self.max_pages is not None and self.total >= self.max_pages:
            self.refused["crawl-budget"] += 1
            refused_set.add(url)
            return None
        self.counts[owner] += 1
        self.total += 1
        self.seen.add(url)
        self.seen_keys.add(key)
        return Admitted(url, owner)
