"""Production serving: gunicorn with several workers, for ``diancang serve`` and ``diancang web``.

The master binds the socket (port 0 picks a free one) and reports the real URL once every
worker can be forked; each worker builds its own application (``load`` runs after the fork,
so pywb's gevent hub, its in-process index server and the catalogue's connection pool are
never shared between processes).  gunicorn sets ``TCP_NODELAY`` on its listening socket, so
a kept-alive response is not held back by Nagle's algorithm waiting for a delayed ACK.
SIGTERM stops gracefully (workers finish their requests), Ctrl-C quickly.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from diancang.home import Home
from errors import CannotListen

GRACEFUL_TIMEOUT = 5      # seconds workers get to finish their requests on SIGTERM


def default_workers() -> int:
    """One worker per core this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:              # not on Linux
        return max(1, os.cpu_count() or 1)


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    def __init__(self, load: Callable[[], Any], options: dict[str, Any]):
        self._load = load
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load()


def run(load: Callable[[], Any], *, host: str, port: int, workers: int, worker_class: str,
        ready: Callable[[str], None], threads: int = 1, name: str = "diancang") -> None:
    """Serve the WSGI application that ``load()`` builds (in each worker) until stopped.

    ``worker_class`` is gunicorn's: ``gevent_pywsgi`` for pywb (gevent's own WSGI server,
    the one pywb runs on by itself; gunicorn's plain ``gevent`` worker costs the same CPU a
    request; the 30 s stalls once blamed on it were pywb's stdout filling a pipe, see
    replay.server), ``gthread`` for a threaded Flask app.  ``ready`` gets the base URL
    actually bound.
    """

    if port:        # a busy port is one line of ours (gunicorn would retry, then print its own)
        probe = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        except OSError as exc:
            raise CannotListen(host, port, exc) from None
        finally:
            probe.close()

    def when_ready(arbiter: Any) -> None:
        bound_host, bound_port = arbiter.LISTENERS[0].sock.getsockname()[:2]
        shown = f"[{bound_host}]" if ":" in bound_host else bound_host
        ready(f"http://{shown}:{bound_port}/")

    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": worker_class,
        "threads": threads,
        "graceful_timeout": GRACEFUL_TIMEOUT,
        "keepalive": 75,
        "proc_name": name,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "when_ready": when_ready,
        "preload_app": False,
    }
    _Server(load, options).run()


def workers_or_default(workers: int) -> int:
    """A ``*.workers`` setting: 0 means one per core."""
    return workers if workers > 0 else default_workers()


def serve_replay(home: Home, host: str, port: int, *, workers: int,
                 ready: Callable[[str], None]) -> None:
    """``diancang serve``: pywb behind the access gate, on gevent (pywsgi) workers."""
    from diancang.access_command import replay_access
    from replay.server import make_app

    config, collections = home.replay_config.resolve(), home.collections.resolve()
    web_url, access = home.settings["web.public_url"], replay_access(home)
    run(lambda: make_app(config, collections, web_url, access), host=host, port=port,
        workers=workers_or_default(workers), worker_class="gevent_pywsgi", ready=ready,
        name="diancang-replay")
