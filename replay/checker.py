"""pywb's AccessChecker, taught what Diancang's rules say beyond pywb's own.

Every capture pywb finds, for any endpoint (replay in every mode, calendar and query pages,
TimeGate and TimeMap, the CDX API), passes through its index handler's access checker.
Ours is pywb's, reading the generated ``.aclj`` files as pywb does, with two additions:

- a collection's embargo, read live from ``replay.acl.AccessState``: captures younger than
  its days are dropped unless the request's ACL user is a granted curator (pywb's own
  embargo setting is per configured collection and fixed at start);
- a dated exclusion's ``from``/``to`` bounds, both at once (pywb's rule dates take one).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from pywb.utils.canonicalize import canonicalize
from pywb.warcserver.access_checker import AccessChecker

from catalog.access import embargo_cutoff
from replay.acl import AccessState

CURATOR = "curator"     # the ACL user replay's gate sets for a request carrying a valid grant


class DiancangAccessChecker(AccessChecker):  # type: ignore[misc]  # pywb ships no types
    def __init__(self, access_source: Any, default_access: str, state: AccessState):
        super().__init__(access_source, default_access)
        self.state = state

    def find_access_rule(self, url: str, ts: str | None = None, urlkey: str | None = None,
                         collection: str | None = None, acl_user: str | None = None) -> Any:
        """pywb's answer from the collection's in-memory index (replay.rule_index), or pywb's
        own search of the files for a lookup without a collection."""
        index = self.state.snapshot.index.get(collection) if collection else None
        if collection is None:
            return super().find_access_rule(url, ts, urlkey, collection, acl_user)
        if index is None:
            return self.default_rule
        found = index.find(canonicalize(url), acl_user)      # pywb's key, from the URL
        return found if found is not None else self.default_rule

    def check_date_access(self, ts: str, access: str, default_access: str,
                          rule: Any) -> str:
        if rule and (rule.get("from") or rule.get("to")):
            inside = (ts >= rule.get("from", "") and ts <= rule.get("to", "99999999999999"))
            return access if inside else default_access
        return str(super().check_date_access(ts, access, default_access, rule))

    def wrap_iter(self, cdx_iter: Iterator[Any], acl_user: str | None) -> Iterator[Any]:
        if acl_user != CURATOR:
            cdx_iter = self._embargoed_out(cdx_iter)
        wrapped: Iterator[Any] = super().wrap_iter(cdx_iter, acl_user)
        return wrapped

    def _embargoed_out(self, cdx_iter: Iterator[Any]) -> Iterator[Any]:
        embargo = self.state.snapshot.embargo
        now = datetime.now(UTC)
        cutoffs: dict[str, str | None] = {}
        for cdx in cdx_iter:
            coll = cdx.get("source-coll")
            if coll not in cutoffs:
                days = embargo.get(coll) if isinstance(coll, str) else None
                cutoffs[coll] = embargo_cutoff(days, now) if days else None
            cutoff = cutoffs[coll]
            if cutoff is None or not cdx.get("url") or cdx.get("timestamp", "") <= cutoff:
                yield cdx
