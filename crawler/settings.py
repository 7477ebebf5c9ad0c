"""Scrapy project settings (``scrapy.cfg`` points here): the wiring only.

Everything Diancang needs is set by its add-on; the crawl's own values (user agent,
politeness, robots, limits) come from its job, which the composition root builds from the
archive's settings: ``diancang crawl`` hands it over, and ``scrapy crawl site -a seeds=FILE
[-a home=DIR]`` asks ``DIANCANG_JOB_FACTORY`` for it.
"""

BOT_NAME = "diancang"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
ADDONS = {"crawler.addon.DiancangAddon": 0}
# (seed file, archive home) -> CrawlJob, built from that home's settings and layout
DIANCANG_JOB_FACTORY = "diancang.crawl_job.job_for_seed_file"
# Installed before any add-on runs, so it lives here: the plain epoll reactor costs less CPU
# per request than the asyncio one, and nothing in the crawl needs asyncio.
TWISTED_REACTOR = "twisted.internet.epollreactor.EPollReactor"
# Also read once per process, before any add-on: the resolver that refuses private, loopback
# and link-local addresses (crawler.addresses) unless DIANCANG_ALLOW_PRIVATE is on.
TWISTED_DNS_RESOLVER = "crawler.addresses.PublicOnlyResolver"
