"""A collection's ACL lines, looked up by SURT prefix in memory, as pywb's lookup decides.

pywb's ``AccessChecker.find_access_rule`` binary-searches the ``.aclj`` file and then walks
back line by line until the key's top-level domain ends: with thousands of takedowns under
``cn,`` every lookup of a URL no rule covers reads them all (bench/replay.py measured p50
1.8x with 10,000 rules).  This index holds the same lines (``replay.acl`` generates both from
one snapshot) and answers the same question with one dictionary lookup per rule-key length:
the longest rule key that is a prefix of the URL's key wins; among rules of one key a rule
for the request's ACL user first, else the last rule for anyone in pywb's (reverse) order;
then the ``*,`` rule; else none (pywb's default applies).
"""

from __future__ import annotations

from typing import Any

from pywb.warcserver.index.cdxobject import CDXObject

ANY_URL = "*,"


class RuleIndex:
    def __init__(self, lines: list[str]):
        self.rules: dict[str, list[Any]] = {}
        for line in lines:                       # reverse-sorted, as pywb reads them
            key = line.split(" ", 1)[0]
            self.rules.setdefault(key, []).append(CDXObject(line.encode("utf-8")))
        self.lengths = sorted({len(key) for key in self.rules if key != ANY_URL},
                              reverse=True)

    def find(self, key: str, acl_user: str | None) -> Any | None:
        for length in self.lengths:
            if length <= len(key):
                found = self._pick(self.rules.get(key[:length]), acl_user)
                if found is not None:
                    return found
        return self._pick(self.rules.get(ANY_URL), acl_user)

    @staticmethod
    def _pick(rules: list[Any] | None, acl_user: str | None) -> Any | None:
        last = None
        for rule in rules or ():
            user = rule.get("user")
            if user == acl_user:
                return rule
            if not user:
                last = rule
        return last
