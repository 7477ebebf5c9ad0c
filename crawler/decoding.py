"""The spider's view of compressed responses: Scrapy's HttpCompressionMiddleware (at its own
place, 590: below capture, which archives the body still encoded), with ``br`` decoded by
``warc_store.decoding`` in steps up to DOWNLOAD_MAXSIZE.

Scrapy decodes ``br`` with whatever ``import brotli`` finds, and pywb's dependency
``brotlipy`` (another API under that module name) makes every ``br`` response fail to decode
there, and its links be lost.  Only the ``br`` step is ours; the rest is Scrapy's.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from warc_store.decoding import decode

UNBOUNDED = 1 << 62


class Decompression(HttpCompressionMiddleware):
    @staticmethod
    def _decode(body: bytes, encoding: bytes, max_size: int) -> bytes:
        if encoding != b"br":
            return HttpCompressionMiddleware._decode(body, encoding, max_size)
        decoded, more = decode(body, "br", max_size or UNBOUNDED)
        if more:
            raise _DecompressionMaxSizeExceeded(len(decoded) + 1, max_size)
        return decoded
