"""Scrapy's downloader, with a host's concurrency kept on the asyncio reactor too.

Scrapy 2.19's ``Downloader._process_queue`` starts each download as a task and counts it as
transferring only when the task first runs; on the asyncio reactor (which a crawl that renders
pages runs on, for Playwright) tasks run later, so with no delay one pass of the loop starts a
slot's whole queue at once, whatever its concurrency: a seed's ``concurrency: 1`` became 9
requests in flight to one host.  Here the request is counted as transferring before its task
is scheduled (``_download`` adds it again to the set, and removes it when done).
"""

from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader, Slot
from scrapy.utils.defer import _schedule_coro


class PoliteDownloader(Downloader):
    def _process_queue(self, slot: Slot) -> None:
        if slot.latercall or slot.download_delay():
            super()._process_queue(slot)     # a delay releases one request at a time
            return
        while slot.queue and slot.free_transfer_slots() > 0:
            request, queue_dfd = slot.queue.popleft()
            slot.transferring.add(request)
            slot.lastseen = monotonic()
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
