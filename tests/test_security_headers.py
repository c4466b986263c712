"""Browser security headers on every kind of answer; Secure cookies and HSTS only with HTTPS on (issue 14.4)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from distribusi import create_app
from distribusi.extensions import db
from distribusi.security import CONTENT_SECURITY_POLICY

from conftest import test_config as config_for

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
EXPECTED = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _read(response):
    """The response with its body read and its file closed (a static file is streamed from disk)."""
    response.get_data()
    response.close()
    return response


def _answers(client, login_as, app):
    """One answer of every kind the app gives: name -> response."""
    clerk = login_as("clerk")
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "1 per 15 minutes"
    client.post("/api/v1/auth/token", json={"username": "tidak.ada", "password": "salah-sekali"})
    answers = {
        "login page": client.get("/login"),
        "public page": client.get("/lacak"),
        "stylesheet": _read(client.get("/static/css/staff.css")),
        "api json": clerk.get("/api/v1/documents"),
        "api 401": client.get("/api/v1/documents"),
        "pdf": clerk.get("/api/v1/undelivered.pdf"),
        "page 404": client.get("/tidak-ada"),
        "api 404": clerk.get("/api/v1/recaps/999999"),
        "api 405": client.delete("/api/v1/auth/token"),
        "api 429": client.post("/api/v1/auth/token", json={"username": "tidak.ada", "password": "salah-sekali"}),
        "page 429": client.post("/login", data={"username": "tidak.ada", "password": "salah-sekali"}),
        "redirect": client.get("/"),
    }
    app.config["PUBLIC_RATE_LIMIT"] = "1 per minute"
    client.get("/api/v1/public/track/ABCDEFGHJK")
    answers["public 429"] = client.get("/api/v1/public/track/ABCDEFGHJK")
    return answers


def test_every_kind_of_answer_carries_the_headers(app, client, login_as, subtests):
    answers = _answers(client, login_as, app)
    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {"login page": 200, "public page": 200, "stylesheet": 200, "api json": 200, "api 401": 401,
                        "pdf": 200, "page 404": 404, "api 404": 404, "api 405": 405, "api 429": 429,
                        "page 429": 429, "redirect": 302, "public 429": 429}
    assert answers["pdf"].mimetype == "application/pdf" and answers["stylesheet"].mimetype == "text/css"
    for name, response in answers.items():
        with subtests.test(name):
            assert {header: response.headers.get(header) for header in EXPECTED} == EXPECTED
            assert "Strict-Transport-Security" not in response.headers, "plain HTTP: no HSTS"


def test_a_server_error_carries_the_headers(app, client):
    app.add_url_rule("/boom", "boom", lambda: 1 / 0)
    response = client.get("/boom")
    assert response.status_code == 500
    assert {header: response.headers.get(header) for header in EXPECTED} == EXPECTED


def test_the_policy_allows_only_the_apps_own_files():
    directives = dict(part.split(" ", 1) for part in CONTENT_SECURITY_POLICY.split("; "))
    assert directives == {
        "default-src": "'none'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self' blob: data:",
        "font-src": "'self'", "connect-src": "'self'", "worker-src": "'self' blob:", "manifest-src": "'self'",
        "media-src": "'self' blob:", "frame-src": "'self'", "object-src": "'none'", "base-uri": "'self'", "form-action": "'self'",
        "frame-ancestors": "'none'",
    }


def test_plain_http_cookies_are_not_secure(client, make_user):
    make_user("clerk", username="ani.fo")
    response = client.post("/login", data={"username": "ani.fo", "password": "rahasia-sekali-123"})
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "HttpOnly" in cookie and "Secure" not in cookie


def test_with_https_cookies_are_secure_and_hsts_is_sent(database_url, make_user):
    make_user("clerk", username="ani.fo")
    app = create_app(config_for(database_url, HTTPS=True))
    assert app.config["SESSION_COOKIE_SECURE"] is app.config["REMEMBER_COOKIE_SECURE"] is True
    client = app.test_client()
    try:
        response = client.post("/login", data={"username": "ani.fo", "password": "rahasia-sekali-123"},
                               base_url="https://localhost")
        assert response.status_code == 302
        assert "; Secure" in response.headers["Set-Cookie"]
        for answer in (response, client.get("/tidak-ada"), client.get("/api/v1/documents")):
            assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
            assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize(("environment", "https"), [
    ({}, True), ({"DISTRIBUSI_ENV": "development"}, False), ({"HTTPS": "0"}, False), ({"HTTPS": "off"}, False),
    ({"HTTPS": "1", "DISTRIBUSI_ENV": "development"}, True),
], ids=["production-by-default", "development", "https-0", "https-off", "https-1-in-development"])
def test_https_is_on_unless_turned_off_or_in_development(environment, https):
    env = {name: value for name, value in os.environ.items() if name not in ("HTTPS", "DISTRIBUSI_ENV")}
    shown = subprocess.run([sys.executable, "-c", "from distribusi.config import Config; print(Config.HTTPS)"],
                           env={**env, **environment}, capture_output=True, text=True, check=True).stdout
    assert shown.strip() == str(https)


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


@pytest.mark.parametrize("template", sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html")))
def test_templates_have_no_inline_scripts_or_styles(template):
    """The policy refuses inline code and styles, so a page that had any would break in the browser."""
    assert INLINE.findall((TEMPLATES / template).read_text()) == []


def test_pages_load_their_stylesheet_from_the_app(client, subtests):
    for path, sheet in (("/login", "/static/css/staff.css"), ("/lacak", "/static/css/public.css")):
        with subtests.test(path):
            page = client.get(path).get_data(as_text=True)
            assert f'<link rel="stylesheet" href="{sheet}">' in page
            assert "body {" in _read(client.get(sheet)).get_data(as_text=True)


def test_only_our_own_pages_may_frame_a_paper(app):
    from flask import Response

    from distribusi.security import allow_framing_by_own_pages

    framed = allow_framing_by_own_pages(Response(b"%PDF-", mimetype="application/pdf"))
    assert "frame-ancestors 'self'" in framed.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in framed.headers["Content-Security-Policy"]
    assert framed.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_a_request_without_cookies_gets_no_session_cookie_but_a_login_still_does(client, make_user):
    health = client.get("/health")
    assert health.status_code == 200
    assert "Set-Cookie" not in health.headers

    make_user("clerk", username="ani.fo")
    login = client.post("/login", data={"username": "ani.fo", "password": "rahasia-sekali-123"})
    assert login.status_code == 302
    assert "session=" in login.headers.get("Set-Cookie", "")
    assert client.get("/dokumen").status_code == 200  # the cookie is read back on the next request
