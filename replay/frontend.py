"""pywb's front end with Diancang's access control: the gate in front, our checker inside.

``build`` returns the WSGI application ``diancang serve`` runs: pywb's FrontEndApp for the
archive home, its auto-collection index handler checking access with
``DiancangAccessChecker`` over the generated ``.aclj`` files, behind ``AccessGate``; the front
end reaches its index server in the same process (``replay.upstream``), not over HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pywb.apps.frontendapp import FrontEndApp
from pywb.apps.rewriterapp import RewriterApp
from pywb.apps.wbrequestresponse import WbResponse
from pywb.rewrite.templateview import BaseInsertView
from pywb.utils.io import StreamIter

from catalog.db import Catalog
from replay import upstream
from replay.acl import AccessState
from replay.checker import DiancangAccessChecker
from replay.gate import AccessGate

if TYPE_CHECKING:
    import requests


class DiancangRewriterApp(RewriterApp):  # type: ignore[misc]  # pywb ships no types
    """pywb's RewriterApp whose two requests to the index server go through ``session``
    (set by DiancangFrontEnd): ``_do_req`` and ``do_query`` are pywb 2.10's, with
    ``requests.post``/``requests.get`` made ``self.session.post``/``.get``."""

    session: requests.Session

    def _do_req(self, inputreq: Any, wb_url: Any, kwargs: Any, skip_record: bool) -> Any:
        req_data = inputreq.reconstruct_request(wb_url.url)
        headers = {"Content-Length": str(len(req_data)), "Content-Type": "application/request"}
        headers.update(inputreq.warcserver_headers)
        if skip_record:
            headers["Recorder-Skip"] = "1"
        closest = "now" if wb_url.is_latest_replay() else wb_url.timestamp
        params = {"url": wb_url.url, "closest": closest, "matchType": "exact"}
        if wb_url.mod == "vi_":
            params["content_type"] = self.VIDEO_INFO_CONTENT_TYPE
        upstream_url = self.get_upstream_url(wb_url, kwargs, params)
        return self.session.post(upstream_url, data=BytesIO(req_data), headers=headers,
                                 stream=True)

    def do_query(self, wb_url: Any, kwargs: Any) -> Any:
        params = {"url": wb_url.url, "output": kwargs.get("output", "json"),
                  "from": wb_url.timestamp, "to": wb_url.end_timestamp}
        if "memento_format" in kwargs:
            params["memento_format"] = kwargs["memento_format"]
        if "limit" in kwargs:
            params["limit"] = kwargs["limit"]
        upstream_url = self.get_upstream_url(wb_url, kwargs, params)
        upstream_url = upstream_url.replace("/resource/postreq", "/index")
        return self.session.get(upstream_url)


class DiancangFrontEnd(FrontEndApp):  # type: ignore[misc]  # pywb ships no types
    """pywb's front end whose home page lists only the collections the reader may see, and
    whose requests to its own index server stay in the process."""

    REWRITER_APP_CLS = DiancangRewriterApp

    def __init__(self, config_file: str):
        super().__init__(config_file=config_file)
        base = self.rewriterapp.paths["replay"].split("{coll}", 1)[0]   # localhost:<port>/
        self.session = upstream.session(self.warcserver, base)
        self.rewriterapp.session = self.session
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

    def serve_cdx(self, environ: dict[str, Any], coll: str = "$root") -> Any:
        """pywb 2.10's, with ``requests.get`` made ``self.session.get``: the query string as
        sent, pywb's ``query_limit``, the request's ``X-*`` headers (the gate's ACL user)."""
        cdx_url = self.rewriterapp.paths["cdx-server"].format(coll=coll)
        is_live = self.warcserver.get_coll_config(coll).get("index") == "$live"
        cache_control = "no-store, no-cache" if is_live else "max-age=86400, must-revalidate"
        if environ.get("QUERY_STRING"):
            cdx_url += ("&" if "?" in cdx_url else "?") + environ["QUERY_STRING"]
        if self.query_limit:
            cdx_url += ("&" if "?" in cdx_url else "?") + "limit=" + str(self.query_limit)
        try:
            headers = {key[5:].replace("_", "-"): value for key, value in environ.items()
                       if key.startswith("HTTP_X_")}
            res = self.session.get(cdx_url, stream=True, headers=headers)
            return WbResponse.bin_stream(StreamIter(res.raw),
                                         content_type=res.headers.get("Content-Type"),
                                         status=f"{res.status_code} {res.reason}",
                                         headers=[("Cache-Control", cache_control)])
        except Exception as exc:  # noqa: BLE001 - pywb's own answer to a failed query
            return WbResponse.text_response("Error: " + str(exc), status="400 Bad Request")


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
