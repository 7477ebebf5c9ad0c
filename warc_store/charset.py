"""How a browser decodes an HTML page, shared by the crawler and the catalogue.

The order is the browser's: a byte-order mark, then the HTTP ``Content-Type`` charset, then
``<meta charset>`` / ``<meta http-equiv>``, then sniffing; labels resolve as the WHATWG
Encoding Standard says, so GB2312 and GBK read as GB18030 (their superset).  The decision is
w3lib's ``html_to_unicode``, the function Scrapy's ``response.encoding`` uses, so the crawler
(which follows links in ``response.encoding``) and the indexer (which extracts text) decode
every page the same way.
"""

from __future__ import annotations

import codecs
import contextlib

from w3lib.encoding import html_to_unicode


def decode_html(body: bytes, content_type: str | None) -> tuple[str, str]:
    """``(encoding, text)`` of an HTML body served with this ``Content-Type`` header; the
    encoding is Python's canonical codec name ("utf-8", "gb18030")."""
    encoding, text = html_to_unicode(content_type, body)
    with contextlib.suppress(LookupError):
        encoding = codecs.lookup(encoding).name
    return encoding, text
