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


# --- failed-login limits (distribusi.auth.throttle) -------------------------------------------------------------

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def _attempt(client, surface, username, password=PASSWORD, address=ATTACKER):
    """One login through the token API or the login page, from an address; the response."""
    environ = {"REMOTE_ADDR": address}
    if surface == "api":
        return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                           environ_base=environ)
    return client.post("/login", data={"username": username, "password": password}, environ_base=environ)


def _limits(app, *, pair="100 per 15 minutes", address="100 per 15 minutes", account="100 per 15 minutes"):
    app.config.update(LOGIN_LIMIT_PER_ACCOUNT_ADDRESS=pair, LOGIN_LIMIT_PER_ADDRESS=address,
                      LOGIN_LIMIT_PER_ACCOUNT=account)


def _assert_refused(response):
    assert response.status_code == 429, response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    return response


def test_the_default_limits(app, client, courier):
    assert (app.config["LOGIN_LIMIT_PER_ACCOUNT_ADDRESS"], app.config["LOGIN_LIMIT_PER_ADDRESS"],
            app.config["LOGIN_LIMIT_PER_ACCOUNT"]) == ("10 per 15 minutes", "30 per 15 minutes", "50 per 15 minutes")
    for _ in range(10):
        _assert_unauthorized(_attempt(client, "api", "budi.kurir", "tebakan-salah-1"))
    _assert_refused(_attempt(client, "api", "budi.kurir", "tebakan-salah-1"))


def test_an_attacker_locks_out_only_its_own_address(app, client, courier):
    """Guessing from one address must not keep the owner out from another one (issue 14.6)."""
    _limits(app, pair="3 per 15 minutes")
    for _ in range(3):
        _assert_unauthorized(_attempt(client, "api", "budi.kurir", "tebakan-salah-1"))
    response = _assert_refused(_attempt(client, "api", "budi.kurir", "tebakan-salah-1"))
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited" and "Terlalu banyak" in error["message"] and error["fields"] == {}
    _assert_refused(_attempt(client, "api", "BUDI.kurir"))  # the right password does not get past it either
    assert _attempt(client, "api", "budi.kurir", address=OWNER).status_code == 201
    assert _attempt(client, "page", "budi.kurir", address=OWNER).status_code == 302
    assert _attempt(client, "api", "orang.lain", "tebakan-salah-1").status_code == 401, "other accounts stay open"


def test_successful_logins_do_not_count(app, client, courier):
    _limits(app, pair="3 per 15 minutes", address="3 per 15 minutes", account="3 per 15 minutes")
    for _ in range(6):
        assert _attempt(client, "api", "budi.kurir").status_code == 201
    for _ in range(2):
        _assert_unauthorized(_attempt(client, "api", "budi.kurir", "tebakan-salah-1"))
    assert _attempt(client, "api", "budi.kurir").status_code == 201


def test_bad_requests_do_not_count(app, client, courier):
    _limits(app, pair="1 per 15 minutes", address="1 per 15 minutes")
    for _ in range(3):
        assert client.post("/api/v1/auth/token", json={"username": "budi.kurir"}).status_code == 422
        assert client.post("/login", data={"username": "budi.kurir"}).status_code == 200  # the form again
    assert _token(client, "budi.kurir").status_code == 201


def test_failed_logins_from_one_address_are_limited(app, client):
    _limits(app, address="4 per 15 minutes")
    for number in range(4):
        _assert_unauthorized(_attempt(client, "api", f"orang{number}", "tebakan-salah-1"))
    _assert_refused(_attempt(client, "api", "orang9", "tebakan-salah-1"))
    assert _attempt(client, "api", "orang9", "x", address="10.1.2.3").status_code == 401


def test_a_guess_spread_over_many_addresses_meets_the_account_ceiling(app, client, courier):
    """Past the account's ceiling an address that has failed for it is refused, a new one gets a single guess,
    and the owner from an address without failures still gets in."""
    _limits(app, account="4 per 15 minutes")
    for number in range(4):
        _assert_unauthorized(_attempt(client, "api", "budi.kurir", "tebakan-salah-1", address=f"10.0.0.{number}"))
    _assert_refused(_attempt(client, "api", "budi.kurir", address="10.0.0.1"))
    _assert_unauthorized(_attempt(client, "api", "budi.kurir", "tebakan-salah-2", address="10.0.0.9"))
    _assert_refused(_attempt(client, "api", "budi.kurir", "tebakan-salah-3", address="10.0.0.9"))
    assert _attempt(client, "api", "budi.kurir", address=OWNER).status_code == 201
    assert _attempt(client, "api", "orang.lain", "x", address="10.0.0.1").status_code == 401, "other accounts stay open"


@pytest.mark.parametrize("limit", ["pair", "address", "account"])
def test_the_page_and_the_api_share_every_limit(app, client, make_user, limit):
    """Otherwise each login surface would give a guesser its own allowance."""
    make_user("clerk", username="ani.fo")
    _limits(app, **{limit: "4 per 15 minutes"})
    account = (lambda n: "ani.fo") if limit != "address" else (lambda n: f"orang{n}")
    address = (lambda n: ATTACKER) if limit != "account" else (lambda n: f"10.0.0.{n % 2}")
    for number, surface in enumerate(["api", "page", "api", "page"]):
        assert _attempt(client, surface, account(number), "salah-1", address(number)).status_code == 401
    for surface in ("api", "page"):
        response = _assert_refused(_attempt(client, surface, "ani.fo", address=address(0)))
        assert "Terlalu banyak percobaan masuk" in response.get_data(as_text=True)
    assert _attempt(client, "page", "ani.fo", address=OWNER).status_code == 302


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


def test_session_callers_of_the_api_need_the_csrf_header(client, make_user):
    make_user("clerk", username="ani.fo")
    client.post("/login", data={"username": "ani.fo", "password": PASSWORD})
    assert client.get("/api/v1/documents").status_code == 200
    response = client.post("/api/v1/documents/1/resolve")
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "csrf"


# --- login timing: an unknown name costs what a known one does (issue 14.5) -------------------------------------


@pytest.fixture
def argon2_calls(monkeypatch):
    """Counts of PasswordHasher.hash and .verify calls, made through the real methods."""
    from argon2 import PasswordHasher

    calls = {"hash": 0, "verify": 0}
    for name in calls:
        real = getattr(PasswordHasher, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, name, counted)
    return calls


def test_an_unknown_name_costs_one_verification_and_no_hashing(client, courier, argon2_calls):
    from distribusi.auth.passwords import _dummy_hash

    _dummy_hash.cache_clear()
    _assert_unauthorized(_token(client, "tidak.ada"))
    assert argon2_calls == {"hash": 1, "verify": 1}, "the dummy hash is made once per process"
    for case, username in {"unknown-user": "orang.lain", "wrong-password": "budi.kurir"}.items():
        argon2_calls.update(hash=0, verify=0)
        _assert_unauthorized(_token(client, username, "tebakan-salah-1"))
        assert argon2_calls == {"hash": 0, "verify": 1}, case


def test_the_dummy_hash_has_the_parameters_of_real_hashes(app, courier):
    from distribusi.auth.passwords import _dummy_hash, _hasher

    def parameters(encoded):
        return encoded.split("$")[1:4]  # algorithm, version, memory/time/parallelism

    assert parameters(_dummy_hash(_hasher())) == parameters(courier.password_hash)
    app.config["ARGON2_FAST"] = False
    assert parameters(_dummy_hash(_hasher())) == parameters(_hasher().hash("x")) != parameters(courier.password_hash)
