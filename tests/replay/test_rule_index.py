"""replay.rule_index answers as pywb's own AccessChecker does over the same .aclj file."""

from __future__ import annotations

import json
import random
from pathlib import Path

from pywb.utils.canonicalize import canonicalize
from pywb.warcserver.access_checker import AccessChecker

from replay.rule_index import RuleIndex


def test_the_index_picks_the_rule_pywb_picks(tmp_path: Path) -> None:
    rng = random.Random(14)
    hosts = ["http://www.gd.gov.cn/", "http://sub.gd.gov.cn/", "https://sz.gov.cn/",
             "http://example.com/", "http://example.org/"]
    paths = ["", "news", "news/", "news/2024", "a_b", "about.html", "x?y=1"]
    urls = [h + p for h in hosts for p in paths]
    keys = [canonicalize(url) for url in urls]
    lines = set()
    for _ in range(60):
        entry: dict[str, str] = {"access": rng.choice(["exclude", "allow", "block"])}
        if rng.random() < 0.3:
            entry["user"] = rng.choice(["curator", "staff"])
        key = rng.choice([*keys, "cn,gov,", "cn,", "com,example"])
        lines.add(f"{key} - {json.dumps(entry)}")
    ordered = sorted(lines, reverse=True)
    acl = tmp_path / "rules.aclj"
    acl.write_text("".join(line + "\n" for line in ordered), encoding="utf-8")
    pywb = AccessChecker(str(acl), "allow")
    index = RuleIndex(ordered)
    for url in [*urls, "http://www.gd.gov.cn/news/2024/1.html", "http://other.net/"]:
        for user in (None, "curator", "staff"):
            theirs = pywb.find_access_rule(url, acl_user=user)
            ours = index.find(canonicalize(url), user)
            expected = None if theirs.get("default") else str(theirs)
            assert (str(ours) if ours is not None else None) == expected, (url, user)
