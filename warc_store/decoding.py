"""Content-Encoding undone in steps, up to a cap: a small body that expands to gigabytes (a
decompression bomb) costs at most ``limit`` bytes of output and the time to make them.

``gzip`` (several members too), ``deflate`` (zlib-wrapped or raw, as servers send it) and
``br``.  Brotli comes from ``brotlicffi``, imported by that name: the module name ``brotli``
is claimed by two distributions (Google's ``Brotli`` and pywb's dependency ``brotlipy``, whose
API differs), so which one ``import brotli`` finds depends on the install; this one is ours.
"""

from __future__ import annotations

import zlib
from typing import Any

import brotlicffi

STEP = 64 * 1024              # output bytes made per call
ENCODINGS = ("gzip", "x-gzip", "deflate", "br")


class DecodeError(ValueError):
    """The body is not valid in its Content-Encoding."""


def _zlib_steps(body: bytes, wbits: int, limit: int) -> tuple[list[bytes], int, bool]:
    inflater: Any = zlib.decompressobj(wbits)
    parts: list[bytes] = []
    size = 0
    data = body
    while True:
        try:
            chunk = inflater.decompress(data, min(STEP, limit - size + 1))
        except zlib.error as exc:
            raise DecodeError(str(exc)) from None
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return parts, size, True
        if inflater.eof:
            rest = inflater.unused_data
            if wbits & 16 and rest[:2] == b"\x1f\x8b":     # another gzip member
                inflater, data = zlib.decompressobj(wbits), rest
                continue
            return parts, size, False
        data = inflater.unconsumed_tail
        if not data and not chunk:
            return parts, size, False                # the stream ends early: what came out


def _brotli_steps(body: bytes, limit: int) -> tuple[list[bytes], int, bool]:
    decompressor = brotlicffi.Decompressor()
    parts: list[bytes] = []
    size = 0
    data = body
    try:
        while not decompressor.is_finished():
            chunk = decompressor.decompress(data, output_buffer_limit=min(STEP, limit - size + 1))
            data = b""
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return parts, size, True
            if not chunk and decompressor.can_accept_more_data():
                break                                    # the stream ends early
    except brotlicffi.error as exc:
        raise DecodeError(str(exc)) from None
    return parts, size, False


def decode(body: bytes, encoding: str, limit: int) -> tuple[bytes, bool]:
    """(at most ``limit`` bytes of ``body`` decoded, whether there was more)."""
    encoding = encoding.strip().lower()
    if encoding in ("gzip", "x-gzip"):
        parts, _, more = _zlib_steps(body, zlib.MAX_WBITS | 16, limit)
    elif encoding == "deflate":
        try:
            parts, _, more = _zlib_steps(body, zlib.MAX_WBITS, limit)
        except DecodeError:
            parts, _, more = _zlib_steps(body, -zlib.MAX_WBITS, limit)
    elif encoding == "br":
        parts, _, more = _brotli_steps(body, limit)
    else:
        raise DecodeError(f"unsupported Content-Encoding {encoding!r}")
    return b"".join(parts)[:limit], more
