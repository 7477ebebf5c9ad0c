"""The replay server: pywb's own application over the archive home, on gevent.

``serve`` listens before it reports ready (port 0 picks a free port, and the callback gets
the real URL), and stops cleanly on SIGTERM or Ctrl-C.  Run it as ``diancang serve``.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from errors import CannotListen


def make_app(config_file: Path) -> Any:
    """pywb's WSGI application for the archive home holding ``config_file`` (the process's
    directory becomes that home: pywb finds the collections relative to it)."""
    from pywb.apps.frontendapp import FrontEndApp

    os.chdir(config_file.parent)
    return FrontEndApp(config_file=config_file.name)


def serve(config_file: Path, host: str, port: int,
          ready: Callable[[str], None] | None = None) -> None:
    """Serve replay of the archive home whose pywb config is ``config_file`` until SIGTERM or
    Ctrl-C."""
    # pywb's application module patches the process for gevent when imported (it fetches
    # from its own in-process index server over HTTP and needs cooperative sockets).
    import gevent
    import gevent.event
    from gevent.pywsgi import WSGIServer

    app = make_app(Path(config_file).resolve())
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

