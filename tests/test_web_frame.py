"""The frame every staff page shares: the menu by role, change password, CSRF on forms, friendly error pages."""
from __future__ import annotations

import pytest

from distribusi.web.nav import MENU

PASSWORD = "rahasia-sekali-123"
ROLES = ("clerk", "kasubbag", "secretary", "operator", "kasi", "kabid", "head", "admin")
# The entries each role's menu may hold (when their pages are registered), by permission.
EXPECTED = {
    "web.home": set(ROLES),
    "intake.import_file": {"clerk"},
    "letters.recap_inbox": {"kasubbag"},
    "handover.handovers": {"kasubbag"},
    "returns.desk": {"kasubbag"},
    "recap.counter": {"clerk"},
    "admin.users": {"admin"},
    "admin.audit": {"admin"},
}


def log_in(client, user, password: str = PASSWORD):
    return client.post("/login", data={"username": user.username, "password": password})


@pytest.mark.parametrize("role", ROLES)
def test_menu_shows_each_role_its_registered_pages(app, client, make_user, role):
    from flask import url_for

    log_in(client, make_user(role))
    html = client.get("/").get_data(as_text=True)
    with app.test_request_context():
        for endpoint, roles in EXPECTED.items():
            if endpoint not in app.view_functions:
                continue
            link = f'href="{url_for(endpoint)}"'
            assert (link in html) == (role in roles), (role, endpoint)


def test_every_menu_entry_names_a_permission():
    from distribusi.auth.permissions import PERMISSIONS

    assert all(entry.verb in PERMISSIONS for entry in MENU)


def test_change_password_checks_the_current_one_and_takes_the_new(client, make_user):
    user = make_user("clerk")
    log_in(client, user)
    bad = client.post("/password", data={"current_password": "salah", "new_password": "pendek",
                                         "confirm_password": "lain"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Kata sandi sekarang salah." in text and "10\u2013200 karakter" in text and "Tidak sama" in text
    good = client.post("/password", data={"current_password": PASSWORD, "new_password": "kata-sandi-baru-99",
                                          "confirm_password": "kata-sandi-baru-99"})
    assert good.status_code == 302
    client.post("/logout")
    assert log_in(client, user).status_code == 401
    assert log_in(client, user, "kata-sandi-baru-99").status_code == 302


def test_changing_the_password_revokes_api_tokens(client, login_as):
    api = login_as("clerk")
    log_in(client, api.user)
    assert api.get("/api/v1/documents").status_code == 200
    client.post("/password", data={"current_password": PASSWORD, "new_password": "kata-sandi-baru-99",
                                   "confirm_password": "kata-sandi-baru-99"})
    client.post("/logout")
    assert api.get("/api/v1/documents").status_code == 401


@pytest.fixture
def csrf_client(app):
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def test_a_form_post_without_csrf_token_is_refused(csrf_client, make_user):
    user = make_user("clerk")
    page = csrf_client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert csrf_client.post("/login", data={"username": user.username, "password": PASSWORD,
                                            "csrf_token": token}).status_code == 302
    forged = csrf_client.post("/password", data={"current_password": PASSWORD, "new_password": "kata-sandi-baru-99",
                                                 "confirm_password": "kata-sandi-baru-99"})
    assert forged.status_code == 400
    assert "Formulir kedaluwarsa atau tidak sah" in forged.get_data(as_text=True)
    assert log_in(csrf_client, user, "kata-sandi-baru-99").status_code == 400  # still refused: no token, no change


def test_an_unknown_page_is_a_friendly_404_and_the_api_keeps_json(client, make_user):
    log_in(client, make_user("clerk"))
    page = client.get("/tidak-ada")
    assert page.status_code == 404 and page.mimetype == "text/html"
    assert "Halaman tidak ditemukan" in page.get_data(as_text=True)
    api = client.get("/api/v1/tidak-ada")
    assert api.status_code == 404 and api.get_json()["error"]["code"] == "not_found"


def test_a_crash_shows_the_friendly_500_page(app, client, make_user, monkeypatch):
    import distribusi.web.views as views

    def boom(_office_id):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(views, "counts_by_state", boom)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    log_in(client, make_user("clerk"))
    answer = client.get("/")
    assert answer.status_code == 500
    text = answer.get_data(as_text=True)
    assert "Terjadi kesalahan pada server" in text and "kaboom" not in text


def test_every_demo_user_opens_every_page_of_their_menu(app, client):
    """After `make run`, each demo user's menu leads to pages that work on the demo office's data."""
    from flask import url_for

    from distribusi.demo_data import DEMO_USERS, load_demo
    from distribusi.extensions import db
    from distribusi.web.nav import menu_for

    load_demo("demo12345")
    db.session.commit()
    from distribusi.auth.models import User
    for username, _name, role, _office in DEMO_USERS:
        if role == "courier":
            continue
        assert client.post("/login", data={"username": username, "password": "demo12345"}).status_code == 302
        user = db.session.scalar(db.select(User).where(User.username == username))
        with app.test_request_context():
            links = [url_for(entry.endpoint) for entry in menu_for(user)]
        assert len(links) >= 2, username
        for link in links:
            assert client.get(link).status_code == 200, (username, link)
        client.post("/logout")


@pytest.mark.parametrize("path", ["/dokumen/99999999999", "/rekap/99999999999", "/surat/99999999999",
                                  "/serah-terima/99999999999", "/retur/99999999999", "/kartu/dokumen/99999999999"])
def test_an_id_past_the_database_range_is_a_404_page(client, make_user, path):
    log_in(client, make_user("kasubbag"))
    assert client.get(path).status_code == 404
