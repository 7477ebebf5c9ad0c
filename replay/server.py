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
from pathlib import Path
from typing import Any

from errors import CannotListen
from replay.config import CONFIG_NAME, write_pywb_config


def make_app(home: Path) -> Any:
    """pywb's WSGI application for the archive home (the process's directory becomes HOME)."""
    from pywb.apps.frontendapp import FrontEndApp

    os.chdir(home)
    return FrontEndApp(config_file=CONFIG_NAME)


def serve(home: Path, host: str, port: int,
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
    app = make_app(home)
    server = WSGIServer((host, port), app, log=None)
    try:
        server.start()
    except OSError as exc:
        raise CannotListen(host, port, exc) from None
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
    args = parser.parse_args(argv)
    serve(args.home, args.host, args.port, ready=lambda url: print(f"replay at {url}",
                                                                  flush=True))


if __name__ == "__main__":
    main()
