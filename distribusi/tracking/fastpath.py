"""The public tracking answer served in front of Flask's dispatch: the busiest public endpoint, asked by every
citizen with a label and by every complaint channel.

`GET /api/v1/public/track/<code>` without a query string is answered here when the code is found: the public rate
limit counted, the same read, view and written-out answer as the Flask view (api/tracking.py), the security
headers, the request id and the request metrics. Everything else, a refused or unknown code, a `?verify=` hint, a
database error, goes on to the Flask app, which answers it through the one error door (a hit counted here is not
counted twice). Flask's request and app contexts, URL matching and hooks cost twice what the answer itself costs
(docs/benchmarks.md, "Public tracking vs a bare Flask endpoint"); tests/test_tracking_fastpath.py checks that both
roads give the same answer.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from time import perf_counter
from typing import Any

from flask import Flask

from distribusi import ratelimit
from distribusi.monitoring.logs import REQUEST_ID_HEADER, request_id_from
from distribusi.security import security_headers
from distribusi.tracking.schemas import public_answer
from distribusi.tracking.services import public_view

PREFIX = "/api/v1/public/track/"
RULE = PREFIX + "<code>"  # the Flask view's URL rule, as the request metrics label it
MAX_CODE = 300  # as the Flask view cuts it


class PublicTrackFastPath:
    """WSGI middleware around the Flask app's own `wsgi_app` (inside ProxyFix, so REMOTE_ADDR is the client)."""

    def __init__(self, app: Flask, wsgi_app: Callable) -> None:
        self.app = app
        self.wsgi_app = wsgi_app
        self.headers = [("Content-Type", "application/json"), *security_headers(app)]

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ.get("REQUEST_METHOD") != "GET" or not path.startswith(PREFIX) or environ.get("QUERY_STRING"):
            return self.wsgi_app(environ, start_response)
        code = path[len(PREFIX):]
        if not code or "/" in code:
            return self.wsgi_app(environ, start_response)
        started = perf_counter()
        body = self._answer(environ, code[:MAX_CODE])
        if body is None:
            return self.wsgi_app(environ, start_response)
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID", ""))
        start_response("200 OK", [*self.headers, ("Content-Length", str(len(body))), (REQUEST_ID_HEADER, request_id)])
        metrics = self.app.extensions.get("distribusi_metrics")
        if metrics is not None:
            metrics.observe("GET", RULE, 200, perf_counter() - started)
        return [body]

    def _answer(self, environ: dict[str, Any], code: str) -> bytes | None:
        """The JSON answer for a found code, or None to let the Flask app answer."""
        with self.app.app_context():
            refused = ratelimit.hit(self.app.config["PUBLIC_RATE_LIMIT"], ratelimit.PUBLIC_SCOPE,
                                    environ.get("REMOTE_ADDR") or "127.0.0.1")
            if refused is not None:
                return None  # the Flask view counts again and answers 429 with its message
            environ[ratelimit.COUNTED] = True
            try:
                view = public_view(code, None)
            except Exception:  # noqa: BLE001 - the Flask app meets the same error and answers it (errors.py)
                return None
            if view is None:
                return None
            return (self.app.json.dumps(public_answer(view), **_layout(self.app)) + "\n").encode()


def _layout(app: Flask) -> dict[str, Any]:
    """Flask's JSON layout for a view's answer (DefaultJSONProvider.response): indented when debugging, else compact."""
    compact = app.json.compact  # type: ignore[attr-defined]
    if (compact is None and app.debug) or compact is False:
        return {"indent": 2}
    return {"separators": (",", ":")}


def register_fast_path(app: Flask) -> None:
    """Put the fast path in front of the Flask app (before ProxyFix wraps them both)."""
    app.wsgi_app = PublicTrackFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
