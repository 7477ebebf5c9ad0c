"""The replay server: pywb's own application over the archive home, on gevent.

``serve`` listens before it reports ready (port 0 picks a free port, and the callback gets
the real URL), and stops cleanly on SIGTERM or Ctrl-C.  Run it as ``diancang serve`` or
``python -m replay.server HOME``.
"""

from __future__ import annotations

import argparse
import os
import signal
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from replay.config import CONFIG_NAME, write_pywb_config


@dataclass(frozen=True)
class Access:
    """What the access gate needs: the catalogue, the key grants are signed with, their
    lifetime, and how often the catalogue is re-read (replay.frontend, replay.gate)."""

    database_url: str
    grant_secret: str
    grant_seconds: int
    refresh: float


def make_app(home: Path, access: Access) -> Any:
    """pywb's WSGI application for the archive home behind Diancang's access gate (the
    process's directory becomes HOME)."""
    from replay.frontend import build

    os.chdir(home)
    return build(CONFIG_NAME, Path(home) / "collections", database_url=access.database_url,
                 grant_secret=access.grant_secret, grant_seconds=access.grant_seconds,
                 refresh=access.refresh)


def serve(home: Path, host: str, port: int, access: Access,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve replay until SIGTERM or Ctrl-C."""
    # pywb's application module patches the process for gevent when imported (it fetches
    # from its own in-process index server over HTTP and needs cooperative sockets).
    import gevent
    import gevent.event
    from gevent.pywsgi import WSGIServer

    home = Path(home).resolve()
    if not (home / CONFIG_NAME).exists():
        write_pywb_config(home)
    app = make_app(home, access)
    server = WSGIServer((host, port), app, log=None)
    server.start()
    url = f"http://{host}:{server.server_port}/"
    if ready is not None:
        ready(url)
    stop = gevent.event.Event()
    gevent.signal_handler(signal.SIGTERM, stop.set)
    gevent.signal_handler(signal.SIGINT, stop.set)
    try:
        stop.wait()
    finally:
        server.stop(timeout=5)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Replay an archive home with pywb.")
    parser.add_argument("home", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--grant-secret-file", type=Path, required=True)
    parser.add_argument("--grant-seconds", type=int, default=3600)
    parser.add_argument("--refresh", type=float, default=2.0)
    args = parser.parse_args(argv)
    access = Access(args.database_url, args.grant_secret_file.read_text().strip(),
                    args.grant_seconds, args.refresh)
    serve(args.home, args.host, args.port, access,
          ready=lambda url: print(f"replay at {url}", flush=True))


if __name__ == "__main__":
    main()
