"""Browser security headers on every answer; Secure cookies and HSTS when the site is served over HTTPS; the
signed-cookie session, opened only for a request that brings one."""
from __future__ import annotations

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

# Only the app's own files: no inline scripts or styles, no other site. blob: and data: for the camera preview
# and the images a QR scanner draws, blob: for the camera's media stream.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "font-src 'self'",
    "connect-src 'self'",
    "worker-src 'self' blob:",  # qr-scanner starts its decoder worker from a blob: URL
    "manifest-src 'self'",
    "media-src 'self' blob:",
    "frame-src 'self'",  # the secretary reads the letter PDF inside the signing page
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "X-Content-Type-Options": "nosniff",
    # tracking codes in our addresses never reach another site; our own forms keep the Referer that Flask-WTF's
    # CSRF check demands over HTTPS (so not no-referrer)
    "Referrer-Policy": "same-origin",
}
# No includeSubDomains: other sites of the office's domain may still be served over plain HTTP.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def allow_framing_by_own_pages(response: Response) -> Response:
    """Let our own pages show this answer (a PDF) in a frame; other sites still may not."""
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "frame-ancestors 'none'", "frame-ancestors 'self'")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


class SessionCookie(SecureCookieSessionInterface):
    """Flask's signed-cookie session, except that a request without cookies (the public pages, API calls with a
    token, health checks) gets an empty session without parsing cookies or building the cookie signer first. An
    empty session that nothing changed writes no cookie, as in Flask."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ:  # no cookie at all: nothing to parse or verify
            return self.session_class()
        return super().open_session(app, request)


def security_headers(app: Flask) -> list[tuple[str, str]]:
    """The headers every answer carries: HEADERS, and HSTS when the site is served over HTTPS."""
    https = [("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)] if app.config["HTTPS"] else []
    return [*HEADERS.items(), *https]


def register_security(app: Flask) -> None:
    """Send the security headers on every answer, and with HTTPS on, Secure cookies and HSTS."""
    https = bool(app.config["HTTPS"])
    app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = https
    app.session_interface = SessionCookie()
    lowered = [(name.lower(), name, value) for name, value in security_headers(app)]

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        headers = response.headers  # a view may have set its own (allow_framing_by_own_pages): those stay
        present = {name.lower() for name in headers.keys()}
        for low, name, value in lowered:
            if low not in present:
                headers.add(name, value)
        return response
