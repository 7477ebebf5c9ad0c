"""A small, fast HTTP server for fixture sites: the demo, the tests and the benchmarks.

It serves a directory (``root``) or a generated site of N pages, on a loopback address only,
with an optional latency per response.  Written on asyncio streams so that one thread
answers thousands of requests a second with keep-alive: the crawl benchmark must measure the
crawler, not the server.

A site's quirks are data, in ``root/_site.json``::

    {"redirects": {"/old": [301, "/new.html"]},
     "headers":   {"/gbk-header.html": {"Content-Type": "text/html; charset=gbk"}},
     "status":    {"/gone.html": 410},
     "chunked":   ["/chunked.html"],
     "gzip":      ["/news/gzip.html"]}

With ``validators`` (``--validators``) every 200 answer carries an ``ETag`` (a hash of its body)
and a ``Last-Modified`` (one fixed date), and a request whose ``If-None-Match`` names the body's
ETag, or (without If-None-Match) whose ``If-Modified-Since`` is not before that date, is
answered ``304 Not Modified``, as nginx answers for static files.

Text files may say ``{{ORIGIN}}`` (``http://127.0.0.1:<port>``) and ``{{ALT_ORIGIN}}``
(``http://localhost:<port>``, the same server under another host name, for off-host cases).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gzip
import hashlib
import ipaddress
import json
import mimetypes
import random
import re
import struct
import threading
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from diancang.fixture_text import page as fixture_page

TEXT_SUFFIXES = {".html", ".htm", ".css", ".js", ".json", ".txt", ".xml", ".yaml", ".svg"}
REASONS = {200: "OK", 301: "Moved Permanently", 302: "Found", 303: "See Other",
           304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect",
           400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 410: "Gone",
           500: "Internal Server Error", 503: "Service Unavailable"}
_COLUMN = re.compile(r'href="/c/(\d+)/"')     # a realistic page's navigation columns
NOT_FOUND = b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
LAST_MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"     # of every body, with ``validators``


def png(width: int = 1, height: int = 1, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG of one colour (generated sites link one as a page requisite)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


PIXEL_PNG = png()


@dataclass(frozen=True, slots=True)
class Hit:
    """One request as the server saw it (tests check politeness and headers with these)."""
    at: float                  # time.monotonic() when it arrived
    method: str
    target: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    chunked: bool = False


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# words of a portal's articles, drawn at random for ``--page-bytes`` of article text
WORDS = ("政府", "信息", "公开", "通知", "公告", "政策", "解读", "办公厅", "关于", "印发",
         "实施", "意见", "工作", "方案", "年度", "报告", "市场", "监管", "发展", "改革",
         "委员会", "财政", "预算", "决算", "人民", "群众", "服务", "事项", "办理", "指南",
         "建设", "项目", "招标", "公示", "统计", "数据", "规划", "环境", "保护", "安全")


class GeneratedSite:
    """N linked pages (/, /p/<i>.html) with a shared stylesheet and image: a tree with a
    fan-out of ``fanout`` plus a navigation bar repeated on every page, like a portal.
    ``page_bytes`` adds that much article text to each page (different on every page,
    the same on every request); ``image_bytes`` gives each page a photo of its own of that
    size (incompressible, as JPEG is).  ``realistic`` pages are ``diancang.fixture_text``'s
    (about 10 kB of varied article text, portal navigation, news lists, a gov metadata table
    on some, a third GBK) with the tree's links and the image added."""

    def __init__(self, pages: int, fanout: int = 10, page_bytes: int = 0, image_bytes: int = 0,
                 realistic: bool = False):
        self.pages = pages
        self.realistic = realistic
        self._made: dict[int, tuple[bytes, str]] = {}     # realistic pages, made once each
        self.fanout = fanout
        self.page_bytes = page_bytes
        self.image_bytes = image_bytes
        self.css = b"body{font-family:sans-serif}.logo{background:url(/s/logo.png)}\n"
        self.text = ("政府信息公开 通知公告 政策解读 " * 40).encode("utf-8")

    def article(self, i: int) -> bytes:
        rng = random.Random(i)
        out: list[str] = []
        size = 0
        while size < self.page_bytes:
            sentence = "".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14))) + "。"
            out.append(sentence)
            size += len(sentence.encode("utf-8"))
        return "".join(out).encode("utf-8")[:self.page_bytes].decode("utf-8", "ignore")\
            .encode("utf-8")

    def realistic_page(self, i: int) -> tuple[bytes, str]:
        """Page ``i`` as a portal serves it, and its Content-Type (a GBK page declares its
        charset in a ``<meta>`` only, as many do)."""
        if i in self._made:
            return self._made[i]
        made = fixture_page(i, self.pages)
        children = range(i * self.fanout + 1, min(i * self.fanout + self.fanout,
                                                  self.pages - 1) + 1)
        links = "".join(f'<li><a href="/p/{j}.html">文章 {j}</a></li>' for j in children)
        html = _COLUMN.sub(lambda m: f'href="/p/{int(m[1]) + 1}.html"', made.html)  # nav
        html = html.replace("</body>", f'<img src="/s/logo.png" alt="logo"><ul>{links}</ul>'
                            "</body>")
        kind = "text/html" if made.encoding == "gbk" else "text/html; charset=utf-8"
        self._made[i] = html.encode(made.encoding, "replace"), kind
        return self._made[i]

    def page(self, i: int) -> bytes:
        last_child = min(i * self.fanout + self.fanout, self.pages - 1)
        children = range(i * self.fanout + 1, last_child + 1)
        nav = "".join(f'<a href="/p/{j}.html">栏目{j}</a> ' for j in range(1, min(10, self.pages)))
        links = "".join(f'<li><a href="/p/{j}.html">文章 {j}</a></li>' for j in children)
        html = (f'<!doctype html><html><head><meta charset="utf-8"><title>页面 {i}</title>'
                f'<link rel="stylesheet" href="/s/site.css"></head><body>'
                f'<img src="/s/logo.png" alt="logo"><nav>{nav}</nav><ul>{links}</ul><p>')
        article = self.article(i) if self.page_bytes else b""
        photo = f'<img src="/i/{i}.jpg" alt="图片 {i}">'.encode() if self.image_bytes else b""
        return html.encode("utf-8") + self.text + article + b"</p>" + photo + b"</body></html>"

    def photo(self, i: int) -> bytes:
        """A JPEG-sized run of incompressible bytes behind a JPEG signature."""
        return b"\xff\xd8\xff\xe0" + random.Random(-1 - i).randbytes(self.image_bytes - 4)

    def reply(self, path: str) -> Reply:
        if self.realistic and (path in ("/", "/index.html") or (
                path.startswith("/p/") and path.endswith(".html") and path[3:-5].isdigit()
                and int(path[3:-5]) < self.pages)):
            body, kind = self.realistic_page(0 if path[:3] != "/p/" else int(path[3:-5]))
            return Reply(200, body, {"Content-Type": kind})
        if path in ("/", "/index.html"):
            return Reply(200, self.page(0), {"Content-Type": "text/html; charset=utf-8"})
        if path == "/robots.txt":
            return Reply(200, b"User-agent: *\nDisallow: /private/\n",
                         {"Content-Type": "text/plain"})
        if path == "/s/site.css":
            return Reply(200, self.css, {"Content-Type": "text/css"})
        if path == "/s/logo.png":
            return Reply(200, PIXEL_PNG, {"Content-Type": "image/png"})
        if self.image_bytes and path.startswith("/i/") and path.endswith(".jpg") \
                and path[3:-4].isdigit() and int(path[3:-4]) < self.pages:
            return Reply(200, self.photo(int(path[3:-4])), {"Content-Type": "image/jpeg"})
        if path.startswith("/p/") and path.endswith(".html"):
            number = path[3:-5]
            if number.isdigit() and 0 < int(number) < self.pages:
                return Reply(200, self.page(int(number)),
                             {"Content-Type": "text/html; charset=utf-8"})
        return Reply(404, NOT_FOUND, {"Content-Type": "text/html"})


class DirectorySite:
    """Files under ``root``, with the quirks of ``root/_site.json``."""

    def __init__(self, root: Path, origin: str, alt_origin: str):
        self.root = root.resolve()
        self.origin, self.alt_origin = origin.encode(), alt_origin.encode()
        quirks_file = self.root / "_site.json"
        self.quirks: dict[str, Any] = (json.loads(quirks_file.read_text(encoding="utf-8"))
                                       if quirks_file.exists() else {})

    def reply(self, path: str, accepts_gzip: bool) -> Reply:
        quirks = self.quirks
        if path in quirks.get("redirects", {}):
            status, target = quirks["redirects"][path]
            return Reply(status, b"", {"Location": target, "Content-Type": "text/html"})
        file = (self.root / path.lstrip("/")).resolve()
        if file.is_dir():
            file = file / "index.html"
        if not file.is_relative_to(self.root) or not file.is_file() or file.name == "_site.json":
            return Reply(404, NOT_FOUND, {"Content-Type": "text/html"})
        body = file.read_bytes()
        if file.suffix in TEXT_SUFFIXES:
            body = body.replace(b"{{ORIGIN}}", self.origin).replace(b"{{ALT_ORIGIN}}",
                                                                    self.alt_origin)
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        headers = {"Content-Type": kind}
        headers.update(quirks.get("headers", {}).get(path, {}))
        if path in quirks.get("gzip", ()) and accepts_gzip:
            body = gzip.compress(body, mtime=0)
            headers["Content-Encoding"] = "gzip"
        return Reply(int(quirks.get("status", {}).get(path, 200)), body, headers,
                     chunked=path in quirks.get("chunked", ()))


class FixtureServer:
    def __init__(self, root: Path | str | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, latency: float = 0.0, generate_pages: int | None = None,
                 page_bytes: int = 0, image_bytes: int = 0, validators: bool = False,
                 realistic: bool = False):
        if not _loopback(host):
            raise ValueError(f"fixture servers listen on loopback addresses only, not {host!r}")
        if (root is None) == (generate_pages is None):
            raise ValueError("give either a root directory or generate_pages")
        self.root = Path(root) if root is not None else None
        self.host = host
        self.port = port
        self.latency = latency
        self.generate_pages = generate_pages
        self.page_bytes = page_bytes
        self.image_bytes = image_bytes
        self.validators = validators
        self.not_modified = 0                  # 304 answers (with ``validators``)
        self.realistic = realistic
        self.requests = 0
        self.connections = 0                   # TCP connections accepted (keep-alive shows)
        # requests being answered at once, the most there were, and each target's count:
        # what a site owner sees of a crawl's politeness (and of duplicate fetches)
        self.active = 0
        self.most_active = 0
        self.targets: Counter[str] = Counter()
        self.hits: list[Hit] = []
        self.record_hits = root is not None    # generated sites are for benchmarks: no log
        self._loop: asyncio.AbstractEventLoop | None = None
        self._server: asyncio.Server | None = None
        self._thread: threading.Thread | None = None
        self._site: GeneratedSite | DirectorySite | None = None

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def alt_origin(self) -> str:
        return f"http://localhost:{self.port}"

    # -- HTTP -------------------------------------------------------------------------------
    def _reply(self, target: str, headers: dict[str, str]) -> Reply:
        path = unquote(urlsplit(target).path) or "/"
        assert self._site is not None
        if isinstance(self._site, GeneratedSite):
            reply = self._site.reply(path)
        else:
            reply = self._site.reply(path, "gzip" in headers.get("accept-encoding", ""))
        return self._validate(reply, headers) if self.validators else reply

    def _validate(self, reply: Reply, headers: dict[str, str]) -> Reply:
        """A 200 with its validators, or 304 when the request's validator still holds."""
        if reply.status != 200:
            return reply
        etag = '"' + hashlib.sha1(reply.body).hexdigest()[:16] + '"'
        reply.headers.update({"ETag": etag, "Last-Modified": LAST_MODIFIED})
        asked = headers.get("if-none-match")
        since = headers.get("if-modified-since")
        if asked is not None:
            fresh = etag in [tag.strip() for tag in asked.split(",")] or asked.strip() == "*"
        elif since is not None:
            try:
                fresh = parsedate_to_datetime(since) >= parsedate_to_datetime(LAST_MODIFIED)
            except (TypeError, ValueError):
                fresh = False
        else:
            fresh = False
        if not fresh:
            return reply
        self.not_modified += 1
        return Reply(304, b"", {"ETag": etag, "Last-Modified": LAST_MODIFIED})

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = [*lines[0].split(" ", 2), "", ""][:3]
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length", "0") or 0)
                if length:
                    await reader.readexactly(length)
                self.requests += 1
                self.targets[target] += 1
                self.active += 1
                self.most_active = max(self.most_active, self.active)
                if self.record_hits:
                    self.hits.append(Hit(time.monotonic(), method, target, headers))
                reply = (self._reply(target, headers) if method in ("GET", "HEAD")
                         else Reply(405, b"", {"Allow": "GET, HEAD"}))
                try:
                    if self.latency:
                        await asyncio.sleep(self.latency)
                    writer.write(self._encode(reply, send_body=method != "HEAD"))
                    await writer.drain()
                finally:
                    self.active -= 1
                if headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    @staticmethod
    def _encode(reply: Reply, *, send_body: bool) -> bytes:
        head = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Unknown')}",
                "Server: diancang-fixture"]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        body = reply.body
        if reply.chunked:
            head.append("Transfer-Encoding: chunked")
            third = max(1, len(body) // 3)
            pieces = [body[i:i + third] for i in range(0, len(body), third)]
            body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"
        elif reply.status != 304:
            head.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1")
        return raw + body if send_body else raw

    # -- lifecycle ------------------------------------------------------------------------
    async def _start(self) -> None:
        self._server = await asyncio.start_server(self._handle, self.host, self.port,
                                                  backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]

    def _make_site(self) -> None:
        if self.generate_pages is not None:
            self._site = GeneratedSite(self.generate_pages, page_bytes=self.page_bytes,
                                       image_bytes=self.image_bytes, realistic=self.realistic)
        else:
            assert self.root is not None
            self._site = DirectorySite(self.root, self.origin, self.alt_origin)

    def start(self) -> FixtureServer:
        """Start serving in a background thread; returns once the port is listening."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._start())
                self._make_site()
            except BaseException as exc:  # noqa: BLE001 - re-raised by the starting thread
                failure.append(exc)
                ready.set()
                return
            ready.set()
            loop.run_forever()
            assert self._server is not None
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            loop.close()

        self._thread = threading.Thread(target=run, name="fixture-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
            self._loop = self._thread = None

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (``python -m diancang.demo.server``)."""
        loop = asyncio.new_event_loop()
        loop.run_until_complete(self._start())
        self._make_site()
        print(f"serving {self.origin}/", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            loop.run_forever()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve a fixture site on a loopback address.")
    parser.add_argument("root", nargs="?", type=Path, help="directory to serve")
    parser.add_argument("--generate", type=int, metavar="N", help="serve a generated N-page site")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per response")
    parser.add_argument("--page-bytes", type=int, default=0, metavar="N",
                        help="with --generate: N bytes of article text more on every page")
    parser.add_argument("--image-bytes", type=int, default=0, metavar="N",
                        help="with --generate: a photo of N bytes of its own on every page")
    parser.add_argument("--validators", action="store_true",
                        help="send ETag and Last-Modified, answer conditional requests 304")
    parser.add_argument("--realistic", action="store_true",
                        help="with --generate: pages of realistic Chinese text (about 10 kB "
                        "each, a third GBK: diancang.fixture_text)")
    args = parser.parse_args(argv)
    FixtureServer(args.root, host=args.host, port=args.port, latency=args.latency,
                  generate_pages=args.generate, page_bytes=args.page_bytes,
                  image_bytes=args.image_bytes, validators=args.validators,
                  realistic=args.realistic).serve_forever()


if __name__ == "__main__":
    main()
