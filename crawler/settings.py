"""Scrapy project settings (``scrapy.cfg`` points here).

Everything Diancang needs is set by its add-on; ``diancang crawl`` layers the crawl's own
values (user agent, politeness, robots) on top from the archive's settings.
"""

BOT_NAME = "diancang"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
ADDONS = {"crawler.addon.DiancangAddon": 0}
ROBOTSTXT_OBEY = True
USER_AGENT = "Diancang (+https://example.org/webarchive/contact)"
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
# Installed before any add-on runs, so it lives here: the plain epoll reactor costs less CPU
# per request than the asyncio one, and nothing in the crawl needs asyncio.
TWISTED_REACTOR = "twisted.internet.epollreactor.EPollReactor"
# Also read once per process, before any add-on: the resolver that refuses private, loopback
# and link-local addresses (crawler.addresses) unless DIANCANG_ALLOW_PRIVATE is on.
TWISTED_DNS_RESOLVER = "crawler.addresses.PublicOnlyResolver"
DIANCANG_ALLOW_PRIVATE = False
