"""Logging in: bearer tokens (hashed, expiring, revocable), disabled users, rate limits, the session login page."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from distribusi.auth.models import ApiToken, User
from distribusi.extensions import db
from distribusi.models import utcnow

PASSWORD = "rahasia-sekali-123"  # what make_user gives every user
WRONG = "Nama pengguna atau kata sandi salah."


def _token(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


def _assert_unauthorized(response):
    assert response.status_code == 401, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert set(error) >= {"code", "message", "fields"}
    return error


@pytest.fixture
def courier(make_user):
    return make_user("courier", username="budi.kurir")


def test_token_endpoint_gives_token_role_office_and_expiry(client, courier, office):
    before = utcnow()
    response = _token(client, "budi.kurir")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "role", "office", "expires_at"}
    assert (body["role"], body["office"]) == ("courier", office.code)
    assert len(body["token"]) >= 40
    expires = datetime.fromisoformat(body["expires_at"])
    assert expires.utcoffset() == timedelta(0), "times on the wire carry their offset"
    expires = expires.replace(tzinfo=None)  # stored times are naive UTC
    assert timedelta(hours=11, minutes=59) < expires - before < timedelta(hours=12, minutes=1)
    assert client.post("/api/v1/auth/revoke", headers=_bearer(body["token"])).status_code == 200


def test_username_is_case_insensitive(client, courier):
    assert _token(client, "  Budi.KURIR ").status_code == 201


def test_bad_credentials_get_the_same_401(client, courier, subtests):
    cases = {"wrong-password": ("budi.kurir", "salah-sekali-123"), "unknown-user": ("tidak.ada", PASSWORD),
             "case-of-password": ("budi.kurir", PASSWORD.upper())}
    for case, (username, password) in cases.items():
        with subtests.test(case):
            error = _assert_unauthorized(_token(client, username, password))
            assert error == {"code": "unauthorized", "message": WRONG, "fields": {}}


def test_missing_credentials_are_422(client, courier, subtests):
    for body in ({}, {"username": "budi.kurir"}, {"username": "", "password": ""}, {"username": "budi.kurir",
                                                                                    "password": None}):
        with subtests.test(str(body)):
            response = client.post("/api/v1/auth/token", json=body)
            assert response.status_code == 422
            assert response.get_json()["error"]["fields"]


def test_disabled_user_loses_its_token_at_once_and_cannot_log_in(client, courier, login_as):
    token = _token(client, "budi.kurir").get_json()["token"]
    assert client.post("/api/v1/auth/revoke", headers=_bearer(token)).status_code == 200  # works now
    token = _token(client, "budi.kurir").get_json()["token"]

    admin = login_as("admin")
    response = admin.patch(f"/api/v1/admin/users/{courier.id}", json={"active": False})
    assert response.status_code == 200 and response.get_json()["active"] is False

    _assert_unauthorized(client.post("/api/v1/auth/revoke", headers=_bearer(token)))
    assert _assert_unauthorized(_token(client, "budi.kurir"))["message"] == WRONG

    assert admin.patch(f"/api/v1/admin/users/{courier.id}", json={"active": True}).status_code == 200
    _assert_unauthorized(client.post("/api/v1/auth/revoke", headers=_bearer(token)))  # revoked, not just paused
    assert _token(client, "budi.kurir").status_code == 201


def test_disabled_flag_alone_blocks_a_live_token(client, courier):
    """Even without the revocation that the admin service does, resolving a token checks the user is active."""
    token = _token(client, "budi.kurir").get_json()["token"]
    db.session.execute(sa.update(User).where(User.id == courier.id).values(active=False))
    db.session.commit()
    _assert_unauthorized(client.get("/api/v1/admin/office", headers=_bearer(token)))


def test_new_password_revokes_tokens(client, make_user, login_as):
    clerk = make_user("clerk", username="ani.fo")
    token = _token(client, "ani.fo").get_json()["token"]
    admin = login_as("admin")
    assert admin.patch(f"/api/v1/admin/users/{clerk.id}", json={"password": "kata-sandi-baru-456"}).status_code == 200
    _assert_unauthorized(client.get("/api/v1/documents", headers=_bearer(token)))
    _assert_unauthorized(_token(client, "ani.fo"))
    assert _token(client, "ani.fo", "kata-sandi-baru-456").status_code == 201


def test_expired_token_is_refused(client, login_as):
    clerk = login_as("clerk")
    assert clerk.get("/api/v1/documents").status_code == 200
    db.session.execute(sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    error = _assert_unauthorized(clerk.get("/api/v1/documents"))
    assert error["code"] == "invalid_token"


def test_revoke_ends_every_token_of_the_caller_only(client, make_user):
    make_user("clerk", username="ani.fo")
    make_user("clerk", username="dewi.fo")
    first, second = (_token(client, "ani.fo").get_json()["token"] for _ in range(2))
    other = _token(client, "dewi.fo").get_json()["token"]

    response = client.post("/api/v1/auth/revoke", headers=_bearer(first))
    assert response.status_code == 200 and response.get_json() == {"revoked": 2}
    _assert_unauthorized(client.get("/api/v1/documents", headers=_bearer(first)))
    _assert_unauthorized(client.get("/api/v1/documents", headers=_bearer(second)))
    assert client.get("/api/v1/documents", headers=_bearer(other)).status_code == 200


def test_only_a_sha256_of_the_token_is_stored(client, courier):
    raw = _token(client, "budi.kurir").get_json()["token"]
    rows = db.session.execute(sa.select(ApiToken.__table__)).mappings().all()
    assert len(rows) == 1
    stored = " ".join(str(value) for value in rows[0].values())
    assert raw not in stored
    assert rows[0]["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()


def test_passwords_are_hashed_with_argon2id(courier):
    row = db.session.execute(sa.select(User.password_hash).where(User.id == courier.id)).scalar_one()
    assert row.startswith("$argon2id$")
    assert PASSWORD not in row


def test_malformed_authorization_is_401(client, subtests):
    for header in ["Bearer", "Bearer ", "Bearer not-a-token", "Basic YWRtaW46YWRtaW4=", "Token abc", "Bearer \u00e9"]:
        with subtests.test(header):
            error = _assert_unauthorized(client.get("/api/v1/documents", headers={"Authorization": header}))
            assert error["code"] == "invalid_token"


# --- rate limits ----------------------------------------------------------------------------------------------


def test_failed_logins_for_one_account_are_limited(app, client, courier):
    assert app.config["LOGIN_LIMIT_PER_ACCOUNT"] == "10 per 15 minutes"
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    for _ in range(3):
        _assert_unauthorized(_token(client, "budi.kurir", "tebakan-salah-1"))
    response = _token(client, "budi.kurir", "tebakan-salah-1")
    assert response.status_code == 429
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited" and error["message"] and error["fields"] == {}
    assert int(response.headers["Retry-After"]) > 0
    assert _token(client, "BUDI.kurir").status_code == 429, "the right password does not get past the limit"
    assert _token(client, "orang.lain", "tebakan-salah-1").status_code == 401, "other accounts are not locked"


def test_the_default_account_limit_is_ten(client, courier):
    for _ in range(10):
        _assert_unauthorized(_token(client, "budi.kurir", "tebakan-salah-1"))
    assert _token(client, "budi.kurir", "tebakan-salah-1").status_code == 429


def test_successful_logins_do_not_count(app, client, courier):
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "3 per 15 minutes"
    for _ in range(6):
        assert _token(client, "budi.kurir").status_code == 201
    for _ in range(2):
        _assert_unauthorized(_token(client, "budi.kurir", "tebakan-salah-1"))
    assert _token(client, "budi.kurir").status_code == 201


def test_failed_logins_from_one_address_are_limited(app, client):
    app.config["LOGIN_LIMIT_PER_ADDRESS"] = "4 per 15 minutes"
    for number in range(4):
        _assert_unauthorized(_token(client, f"orang{number}", "tebakan-salah-1"))
    assert _token(client, "orang9", "tebakan-salah-1").status_code == 429
    other = client.post("/api/v1/auth/token", json={"username": "orang9", "password": "x"},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 401


# --- the session login page -----------------------------------------------------------------------------------


def test_login_page_is_in_indonesian(client):
    response = client.get("/login")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'lang="id"' in page
    for words in ("Masuk", "Nama pengguna", "Kata sandi"):
        assert words in page


def test_home_needs_a_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_login_shows_the_dashboard_and_logout_ends_the_session(client, make_user):
    make_user("clerk", username="ani.fo")
    response = client.post("/login", data={"username": "ani.fo", "password": PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    page = home.get_data(as_text=True)
    assert "Beranda" in page and "Pengguna Clerk" in page and "Petugas FO" in page
    assert "Dokumen" in page and "Terdaftar" in page

    response = client.post("/logout")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/").status_code == 302


def test_login_follows_only_local_next(client, make_user, subtests):
    from urllib.parse import quote

    make_user("clerk", username="ani.fo")
    data = {"username": "ani.fo", "password": PASSWORD}
    assert client.post("/login?next=/health", data=data).headers["Location"] == "/health"
    client.post("/logout")
    # browsers read a backslash as a slash and drop tabs and newlines: all of these lead off the site
    for target in ["//evil.example/x", "/\\evil.example", "/\\/evil.example", "/\t/evil.example",
                   "https://evil.example", "javascript:alert(1)"]:
        with subtests.test(repr(target)):
            response = client.post(f"/login?next={quote(target)}", data=data)
            assert response.headers["Location"] == "/"
            client.post("/logout")


def test_wrong_password_on_the_page_is_401_in_indonesian(client, make_user):
    make_user("clerk", username="ani.fo")
    response = client.post("/login", data={"username": "ani.fo", "password": "salah-sekali-123"})
    assert response.status_code == 401
    assert WRONG in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_disabled_user_session_ends(client, make_user):
    clerk = make_user("clerk", username="ani.fo")
    client.post("/login", data={"username": "ani.fo", "password": PASSWORD})
    assert client.get("/").status_code == 200
    clerk.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_login_page_is_rate_limited_per_account(app, client, make_user):
    make_user("clerk", username="ani.fo")
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "2 per 15 minutes"
    for _ in range(2):
        assert client.post("/login", data={"username": "ani.fo", "password": "salah-sekali-1"}).status_code == 401
    response = client.post("/login", data={"username": "ani.fo", "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak" in response.get_data(as_text=True)


def test_the_page_and_the_api_share_one_account_limit(app, client, make_user):
    """Otherwise each login surface would give a guesser its own allowance for the same account."""
    make_user("clerk", username="ani.fo")
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3 per 15 minutes"
    for _ in range(2):
        _assert_unauthorized(_token(client, "ani.fo", "tebakan-salah-1"))
    assert client.post("/login", data={"username": "ani.fo", "password": "tebakan-salah-1"}).status_code == 401
    assert client.post("/login", data={"username": "ani.fo", "password": "tebakan-salah-1"}).status_code == 429
    assert _token(client, "ani.fo", "tebakan-salah-1").status_code == 429


def test_session_callers_of_the_api_need_the_csrf_header(client, make_user):
    make_user("clerk", username="ani.fo")
    client.post("/login", data={"username": "ani.fo", "password": PASSWORD})
    assert client.get("/api/v1/documents").status_code == 200
    response = client.post("/api/v1/documents/1/resolve")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf"
