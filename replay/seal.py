"""The sealed replay: every response leaves the replay origin only for ``data:`` and ``blob:``.

pywb sends its ``csp-header`` only in the default framed mode (``mp_``); ``id_``, ``if_``,
``js_``, ``oe_`` ... responses carry none, so an archived page opening a same-origin ``id_``
frame could reach the live web from there.  This middleware sets one policy on *every*
response of the replay server, whatever pywb or the archived page said: an archived
``Content-Security-Policy`` (a ``report-uri`` could itself call out) is dropped, ours goes on.

``'self'`` is the replay origin, WebSockets to it included (CSP Level 3); ``ws:`` and ``wss:``
elsewhere, other hosts, ``navigator.sendBeacon``, workers, frames and form posts are refused
by the browser before any request is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

CSP = ("default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; "
       "form-action 'self'; base-uri 'self'")

# the archived page's own policies (and their reporting endpoints) never reach the browser
_DROPPED = frozenset({"content-security-policy", "content-security-policy-report-only",
                      "report-to", "reporting-endpoints", "nel"})

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


def sealed(app: WSGIApp, csp: str = CSP) -> WSGIApp:
    """``app`` with ``csp`` as the one Content-Security-Policy of each of its responses."""

    def sealed_app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        def start(status: str, headers: list[tuple[str, str]],
                  exc_info: Any = None) -> Any:
            kept = [(name, value) for name, value in headers
                    if name.lower() not in _DROPPED]
            kept.append(("Content-Security-Policy", csp))
            return start_response(status, kept, exc_info)

        return app(environ, start)

    return sealed_app
