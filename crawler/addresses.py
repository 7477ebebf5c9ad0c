"""Private addresses: a crawl fetches from the public internet only, unless told otherwise.

A seed list, a redirect or a link could name a host inside the library's own network
(``localhost``, ``10.x``, ``192.168.x``, a cloud metadata address at ``169.254.169.254``).  The
check sits in the DNS resolver the HTTP client connects through, so it judges the very address
the connection will use (a name that resolves differently a second time gains nothing) and it
covers names and IP literals alike.  ``crawl.allow_private`` turns it off; the tests and the
demo do so for their own sites on 127.0.0.1.

Refused names are remembered so the spider can count "private-address" refusals apart from
ordinary DNS failures (Twisted reports both as ``DNSLookupError``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from typing import Any, ClassVar

from scrapy.crawler import Crawler
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not private, loopback, link-local,
    multicast, reserved or unspecified; IPv4-mapped IPv6 judged as the IPv4 it maps)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class PrivateAddressRefused(DNSLookupError):
    pass


class PublicOnlyResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, refusing non-public addresses unless ``allow_private``."""

    # host names refused in this process (one crawl per process: Twisted's reactor runs once)
    refused: ClassVar[set[str]] = set()

    def __init__(self, reactor: Any, cache_size: int, timeout: float, allow_private: bool):
        super().__init__(reactor, cache_size, timeout)
        self.allow_private = allow_private

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> PublicOnlyResolver:
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") \
            else 0
        return cls(reactor, cache_size, settings.getfloat("DNS_TIMEOUT"),
                   settings.getbool("DIANCANG_ALLOW_PRIVATE"))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        result = super().getHostByName(name, timeout)
        if not self.allow_private:
            result.addCallback(self._check, name)
        return result

    def _check(self, address: str, name: str) -> str:
        if not is_public(address):
            PublicOnlyResolver.refused.add(name)
            raise PrivateAddressRefused(
                f"{name} resolves to {address}, not a public address "
                f"(set crawl.allow_private to crawl it)")
        return address
