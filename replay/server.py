"""The replay application: pywb's own, over the archive home, sealed (``replay.seal``).

``diancang serve`` runs it on gunicorn with gevent workers (pywb is gevent-based and fetches
from its own in-process index server over HTTP); each worker calls ``make_app`` once.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from replay.config import CONFIG_NAME
from replay.seal import sealed


def make_app(home: Path) -> Any:
    """pywb's WSGI application for the archive home (the process's directory becomes HOME)."""
    from pywb.apps.frontendapp import FrontEndApp

    os.chdir(home)
    return sealed(FrontEndApp(config_file=CONFIG_NAME))
