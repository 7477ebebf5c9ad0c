"""pywb's front end with Diancang's access control: the gate in front, our checker inside.

``build`` returns the WSGI application ``diancang serve`` runs: pywb's FrontEndApp for the
archive home, its auto-collection index handler checking access with
``DiancangAccessChecker`` over the generated ``.aclj`` files, behind ``AccessGate``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pywb.apps.frontendapp import FrontEndApp
from pywb.apps.wbrequestresponse import WbResponse
from pywb.rewrite.templateview import BaseInsertView

from catalog.db import Catalog
from replay.acl import AccessState
from replay.checker import DiancangAccessChecker
from replay.gate import AccessGate


class DiancangFrontEnd(FrontEndApp):  # type: ignore[misc]  # pywb ships no types
    """pywb's front end whose home page lists only the collections the reader may see."""

    def __init__(self, config_file: str):
        super().__init__(config_file=config_file)
        # The templates are Diancang's, installed in HOME before the server starts
        # (replay.ui) and never changed under it: no look at their files each request.
        self.rewriterapp.jinja_env.jinja_env.auto_reload = False

    def setup_paths(self, environ: dict[str, Any], coll: str, record: bool = False) -> None:
        """pywb's, without a per-collection template directory: Diancang has none (its
        templates are the home's), and pywb looked for each template there first on every
        request, a miss jinja does not remember (~5% of a page's CPU, py-spy)."""
        super().setup_paths(environ, coll, record)
        environ.pop("pywb.templates_dir", None)

    def serve_home(self, environ: dict[str, Any]) -> Any:
        visible = environ.get("diancang.visible", lambda _coll: False)
        routes = [c for c in self.warcserver.list_dynamic_routes() if visible(c)]
        view = BaseInsertView(self.rewriterapp.jinja_env, "index.html")
        content = view.render_to_string(environ, routes=routes,
                                        all_metadata=self.metadata_cache.get_all(routes))
        return WbResponse.text_response(content, content_type='text/html; charset="utf-8"')


def build(config_file: str, collections_root: Path, *, database_url: str, grant_secret: str,
          grant_seconds: int, refresh: float, locales: Sequence[str]) -> Any:
    """The gated application (the process's directory must be the archive home)."""
    state = AccessState(Catalog(database_url, migrate=False), collections_root, refresh)
    app = DiancangFrontEnd(config_file=config_file)
    handler = app.warcserver.auto_handler
    checker = DiancangAccessChecker(handler.access_checker.aggregator,
                                    handler.access_checker.default_rule["access"], state)
    handler.access_checker = checker
    return AccessGate(app, state, checker, grant_secret, grant_seconds, locales)
