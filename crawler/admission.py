"""Admission: which discovered URLs become requests.

This is the crawl's per-link hot path, so the cheap checks come first: an exact-string
seen-set (most links on a page were seen on the page before), then the SURT (computed once
per distinct URL), then the scope's decide rules, then the seed's and crawl's page budgets.
A linked document (PDF, Office, WPS, OFD ...) refused as a link is decided again as a
requisite: attachments are captured wherever they are kept.
Then the counting trap guards (limits in ``seeds.traps.TrapLimits``): distinct query strings
per path and directories found to answer "soft 404s", for links (a trap is walked by its
links; requisites are bounded by the pages that need them), and URLs per host, for all.
They cost a dict lookup or two per new URL; the soft-404 check runs only once some
directory is blocked.
Refusals are counted by reason for the crawl's stats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

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


def directory_of(url: str) -> str:
    """scheme://host/parent/ of a URL: where the soft-404 guard counts its responses."""
    parts = urlsplit(url)
    path = parts.path
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path[:path.rfind('/') + 1] or '/'}"


class Admission:
    def __init__(self, scope: Scope, seeds: Sequence[Seed], *, max_pages: int | None = None):
        self.scope = scope
        self.traps = scope.traps
        self.host_counts: Counter[str] = Counter()     # by the SURT host (port included)
        self.query_variants: Counter[str] = Counter()  # by the SURT key up to its "?"
        self.page_digests: Counter[int] = Counter()    # by hash((directory, body))
        self.soft404: tuple[str, ...] = ()             # directories that answer soft 404s
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
        # links only: a page's requisites are as many as its pages, and replay needs them
        path, query_mark, _ = key.partition("?") if embed_hops == 0 else (key, "", "")
        if query_mark and self.query_variants.get(path, 0) >= self.traps.max_query_variants:
            return self._refuse(url, refused_set, "query-variants")
        if self.soft404 and embed_hops == 0 and directory_of(url).startswith(self.soft404):
            return self._refuse(url, refused_set, "soft-404")
        host = key.partition(")")[0]
        if self.host_counts.get(host, 0) >= self.traps.max_host_pages:
            return self._refuse(url, refused_set, "host-budget")
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
        self.host_counts[host] += 1
        if query_mark:
            self.query_variants[path] += 1
        self.seen.add(url)
        self.seen_keys.add(key)
        return Admitted(url, owner)

    def _refuse(self, url: str, refused_set: set[str], reason: str) -> Admitted | None:
        """Refuse ``url`` for good (remembered), counted under ``reason``."""
        refused_set.add(url)
        self.refused[reason] += 1
        return None

    def outlinks(self, links: list[str]) -> list[str]:
        """The links of one page that are followed: at most ``max_outlinks`` distinct ones,
        the first in the page; the rest counted as refused."""
        limit = self.traps.max_outlinks
        if len(links) <= limit:
            return links
        distinct = list(dict.fromkeys(links))
        if len(distinct) > limit:
            self.refused["too-many-outlinks"] += len(distinct) - limit
        return distinct[:limit]

    def page_response(self, url: str, body: bytes) -> bool:
        """Note a page's response; False when its links are not to be followed, because
        ``soft404_repeats`` pages with this same payload came from its directory (this one
        included).  From then on URLs under the directory are refused."""
        directory = directory_of(url)
        if self.soft404 and directory.startswith(self.soft404):
            return False
        digest = hash((directory, body))
        self.page_digests[digest] += 1
        if self.page_digests[digest] < self.traps.soft404_repeats:
            return True
        self.soft404 += (directory,)
        return False
