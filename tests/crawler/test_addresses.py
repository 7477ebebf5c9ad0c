"""crawler.addresses: only public addresses are fetched unless private ones are allowed, judged
on the address the resolver hands the HTTP client (no DNS traffic: names come from Scrapy's
own DNS cache, as a second lookup of a name does)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from scrapy import Spider
from scrapy.resolver import dnscache
from scrapy.utils.test import get_crawler
from twisted.internet import reactor
from twisted.python.failure import Failure

from crawler.addresses import PrivateAddressRefused, PublicOnlyResolver, is_public


@pytest.mark.parametrize(("address", "public"), [
    ("202.96.128.86", True), ("2400:da00::6666", True), ("8.8.8.8", True),
    ("127.0.0.1", False), ("10.1.2.3", False), ("172.16.0.1", False), ("192.168.1.1", False),
    ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False), ("224.0.0.1", False),
    ("::1", False), ("fe80::1", False), ("fc00::1", False), ("ff02::1", False),
    ("::ffff:10.0.0.1", False), ("::ffff:202.96.128.86", True),
    ("www.gd.gov.cn", False), ("", False),
])
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public(address) is public


@pytest.fixture
def cached() -> Iterator[dict[str, str]]:
    """Names put in Scrapy's DNS cache for one test, and the names refused, cleared after."""
    names: dict[str, str] = {}
    yield names
    for name in names:
        dnscache.pop(name, None)
        PublicOnlyResolver.refused.discard(name)


def resolve(resolver: PublicOnlyResolver, name: str) -> str | Failure:
    outcome: list[str | Failure] = []
    resolver.getHostByName(name).addBoth(outcome.append)
    (result,) = outcome               # the cache answers at once: no reactor turn needed
    return result


def resolver(allow_private: bool) -> PublicOnlyResolver:
    crawler = get_crawler(Spider, {"DIANCANG_ALLOW_PRIVATE": allow_private,
                                   "DNSCACHE_ENABLED": True, "DNSCACHE_SIZE": 100})
    return PublicOnlyResolver.from_crawler(crawler, reactor)


def test_a_name_resolving_to_a_private_address_is_refused_and_remembered(
        cached: dict[str, str]) -> None:
    cached.update({"intranet.lib.example": "10.1.2.3", "www.gd.gov.cn": "202.104.64.10"})
    dnscache.update(cached)
    strict = resolver(allow_private=False)
    assert resolve(strict, "www.gd.gov.cn") == "202.104.64.10"
    refused = resolve(strict, "intranet.lib.example")
    assert isinstance(refused, Failure) and refused.check(PrivateAddressRefused)
    assert str(refused.value) == ("DNS lookup failed: intranet.lib.example resolves to "
                                  "10.1.2.3, not a public address (set crawl.allow_private "
                                  "to crawl it).")
    assert "intranet.lib.example" in PublicOnlyResolver.refused
    assert "www.gd.gov.cn" not in PublicOnlyResolver.refused


def test_allow_private_lets_every_address_through(cached: dict[str, str]) -> None:
    cached["fixture.test"] = "127.0.0.1"
    dnscache.update(cached)
    assert resolve(resolver(allow_private=True), "fixture.test") == "127.0.0.1"
    assert "fixture.test" not in PublicOnlyResolver.refused
