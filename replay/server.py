"""The replay application: pywb's own, over the archive home, sealed (``replay.seal``).

Around pywb: ``replay.language`` (the reader's language, remembered) and, outermost,
``replay.seal`` (one CSP on every response).  ``diancang serve`` runs it on gunicorn with
gevent workers (pywb is gevent-based and fetches from its own in-process index server over
HTTP); each worker calls ``make_app`` once.
"""

from __future__ import annotations

import os
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from replay.language import remember_language
from replay.seal import sealed
from replay.ui import DEFAULT_LOCALE, LOCALES


class _Quiet:
    """Where pywb's in-process index server writes its access log: nowhere."""

    def write(self, _text: str) -> None:
        pass


class _PywbChatter:
    """The worker's stdout: pywb prints ``Dir <dir> unchanged`` on every index lookup.  Those
    lines are dropped; anything else pywb prints (its errors) goes on to ``errors``.

    Printed as they were, a line a request filled whatever took the worker's stdout: a pipe
    nobody drains (bench/replay.py's read only the first line) blocked the whole gevent worker
    in ``write`` after ~1,300 requests, until gunicorn killed it 30 s later (issue 16's stall)."""

    def __init__(self, errors: TextIO):
        self.errors = errors

    def write(self, text: str) -> int:
        if not (text.startswith("Dir ") and text.rstrip().endswith(" unchanged")) \
                and text.strip():
            self.errors.write(text if text.endswith("\n") else text + "\n")
        return len(text)

    def flush(self) -> None:
        self.errors.flush()


@dataclass(frozen=True)
class Access:
    """What the access gate needs: the catalogue, the key grants are signed with, their
    lifetime, and how often the catalogue is re-read (replay.frontend, replay.gate)."""

    database_url: str
    grant_secret: str
    grant_seconds: int
    refresh: float


def make_app(config_file: Path, collections_dir: Path, web_url: str, access: Access) -> Any:
    """pywb's WSGI application for the archive home holding ``config_file`` (the process's
    directory becomes that home: pywb finds the collections relative to it), behind
    Diancang's access gate; ``web_url`` is the web app's public URL, which replay's pages
    link back to."""
    from replay.frontend import build

    os.chdir(config_file.parent)
    sys.stdout = _PywbChatter(sys.stderr)
    gate = build(config_file.name, collections_dir, database_url=access.database_url,
                 grant_secret=access.grant_secret, grant_seconds=access.grant_seconds,
                 refresh=access.refresh, locales=LOCALES)
    # Each replayed page and CDX query is a request to pywb's own index server on
    # localhost: without TCP_NODELAY (inherited by accepted sockets) its small writes wait
    # for the delayed ACK, ~40 ms a request.  Its access log is of no use to anyone.
    inner = gate.app.warcserver_server.server
    inner.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    inner.log = _Quiet()
    return sealed(remember_language(gate, locales=LOCALES, default=DEFAULT_LOCALE,
                                    web_url=web_url))
