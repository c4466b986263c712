"""The complaint pages: a phone complaint taken with a live lookup, the ticket's work, each level's desk, the book."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

import distribusi.web  # noqa: F401  (first: importing distribusi.recap first trips main's circular import)
from distribusi.complaints import services
from distribusi.complaints.models import Complaint, Level
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.models import utcnow

from flow import submitted_recap

PASSWORD = "rahasia-sekali-123"
FORM = {"channel": "akapela_phone", "category": "delivery_status", "complainant_name": "Siti Aminah",
        "contact": "0812-3456-7890", "description": "Menanyakan KK yang belum sampai."}


def page_client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.fixture
def operator(app, make_user):
    user = make_user("operator")
    return user, page_client(app, user)


def _ticket(user, **extra) -> Complaint:
    complaint = services.register_complaint(user, {**FORM, **extra})
    db.session.commit()
    return complaint


PAGES = [("/pengaduan/", "handle_complaints"), ("/pengaduan/buku", "view_complaints"),
         ("/pengaduan/baru", "register_complaints"), ("/pengaduan/cari?nik=1", "lookup")]
ROLE_ALLOWED = {
    "operator": {"handle_complaints", "view_complaints", "register_complaints", "lookup"},
    "kasi": {"handle_complaints", "view_complaints", "lookup"},
    "kabid": {"handle_complaints", "view_complaints", "lookup"},
    "secretary": {"handle_complaints", "view_complaints", "lookup"},
    "head": {"handle_complaints", "view_complaints", "lookup"},
    "clerk": {"view_complaints", "lookup"},
    "kasubbag": {"view_complaints", "lookup"},
    "admin": {"lookup"},
    "courier": set(),
}


@pytest.mark.parametrize("role", sorted(ROLE_ALLOWED))
def test_permissions_per_role_and_page(app, make_user, role):
    client = page_client(app, make_user(role))
    for path, verb in PAGES:
        expected = 200 if verb in ROLE_ALLOWED[role] else 403
        assert client.get(path).status_code == expected, (role, path)


def test_a_phone_complaint_finds_the_parcel_by_nik_and_is_answered(app, operator, crew, documents):
    user, client = operator
    recap = submitted_recap(crew.clerk, documents, count=4)
    parcel = recap["parcels"][0]
    nik = db.session.get(Document, parcel["documents"][0]["id"]).nik
    form = client.get("/pengaduan/baru").get_data(as_text=True)
    assert 'hx-get="/pengaduan/cari"' in form and 'for="f-nik"' in form
    found = client.get(f"/pengaduan/cari?nik={nik}&contact=%40akun").get_data(as_text=True)
    assert parcel["tracking_code"] in found and "Dikemas" in found
    assert "Tidak ada dokumen" in client.get("/pengaduan/cari?nik=1471010101010001").get_data(as_text=True)
    answer = client.post("/pengaduan/baru", data={**FORM, "nik": nik})
    assert answer.status_code == 302
    complaint = db.session.scalar(sa.select(Complaint))
    assert answer.headers["Location"].endswith(f"/pengaduan/{complaint.id}")
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert complaint.ticket_number in page and parcel["tracking_code"] in page and 'id="delivery-status"' in page
    assert client.post(f"/pengaduan/{complaint.id}/jawab", data={"answer": "Dokumen sedang dikemas."}).status_code == 302
    page = client.get(f"/pengaduan/{complaint.id}").get_data(as_text=True)
    assert "Dokumen sedang dikemas." in page and "Sudah dijawab" in page


def test_bad_form_is_refused_with_field_messages(app, operator):
    _user, client = operator
    answer = client.post("/pengaduan/baru", data={**FORM, "nik": "12", "complainant_name": ""})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert 'id="nik-error"' in html and "16 digit" in html and 'id="complainant_name-error"' in html
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0


@pytest.mark.parametrize("channel", ["akapela_phone", "pandawa_whatsapp", "bamsos_social", "letter", "email",
                                     "walk_in", "complaint_box"])
def test_each_channel_through_the_form(app, operator, channel):
    _user, client = operator
    assert client.post("/pengaduan/baru", data={**FORM, "channel": channel}).status_code == 302
    assert db.session.scalar(sa.select(Complaint.channel)).value == channel


def test_escalated_ticket_lands_on_each_desk_and_overdue_shows(app, operator, make_user):
    # one client that logs in again at each switch: the test's app context keeps the last user in flask.g
    user, client = operator
    complaint = _ticket(user)
    desks = {role: make_user(role) for role in ("operator", "kasi", "kabid", "secretary", "head")}
    desks["operator"] = user
    assert complaint.ticket_number in client.get("/pengaduan/").get_data(as_text=True)
    previous = "operator"
    for role in ("kasi", "kabid", "secretary", "head"):
        assert client.post(f"/pengaduan/{complaint.id}/naikkan", data={"note": "Belum tuntas"}).status_code == 302
        assert db.session.get(Complaint, complaint.id).level.value == role
        assert complaint.ticket_number not in client.get("/pengaduan/").get_data(as_text=True), previous
        page_client_login(client, desks[role])
        assert complaint.ticket_number in client.get("/pengaduan/").get_data(as_text=True), role
        previous = role
    assert client.post(f"/pengaduan/{complaint.id}/naikkan", data={}).status_code == 409
    # overdue: past the due time the head's desk and the dashboard say so
    stored = db.session.get(Complaint, complaint.id)
    stored.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    desk = client.get("/pengaduan/").get_data(as_text=True)
    assert "Terlambat" in desk and "melewati batas waktu" in desk
    assert complaint.ticket_number in client.get("/pengaduan/buku?overdue=1").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'id="complaints-overdue"' in home and 'data-figure="complaints_overdue">1<' in home


def page_client_login(client, user):
    client.post("/logout")
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302


def test_route_and_resolve_from_the_ticket_page(app, operator, crew, documents):
    user, client = operator
    docs = documents(crew.clerk.user, 2)
    complaint = _ticket(user, kk_number=docs[0].kk_number, category="data_error")
    assert client.post(f"/pengaduan/{complaint.id}/teruskan", data={"route": "correction"}).status_code == 302
    assert {db.session.get(Document, d.id).status.value for d in docs} == {"needs_fix"}
    assert client.post(f"/pengaduan/{complaint.id}/selesai", data={"outcome": ""}).status_code == 422
    assert client.post(f"/pengaduan/{complaint.id}/selesai", data={"outcome": "Data diperbaiki."}).status_code == 302
    page = client.get(f"/pengaduan/{complaint.id}").get_data(as_text=True)
    assert "Data diperbaiki." in page and f'/pengaduan/{complaint.id}/naikkan' not in page
    assert client.post(f"/pengaduan/{complaint.id}/jawab", data={"answer": "x"}).status_code == 409


def test_link_later_from_the_ticket(app, operator, crew, documents):
    user, client = operator
    recap = submitted_recap(crew.clerk, documents, count=2)
    code = recap["parcels"][0]["tracking_code"]
    complaint = _ticket(user, contact="@akun.warga")
    assert client.post(f"/pengaduan/{complaint.id}/tautkan", data={}).status_code == 422
    assert client.post(f"/pengaduan/{complaint.id}/tautkan", data={"tracking_code": code}).status_code == 302
    assert code in client.get(f"/pengaduan/{complaint.id}").get_data(as_text=True)


def test_book_filters_and_pagination(app, operator):
    user, client = operator
    tickets = [_ticket(user, channel="email" if i % 2 else "letter") for i in range(30)]
    first = client.get("/pengaduan/buku").get_data(as_text=True)
    assert "30 data" in first and "halaman 1 dari 2" in first
    assert tickets[-1].ticket_number in first and tickets[0].ticket_number not in first
    assert tickets[0].ticket_number in client.get("/pengaduan/buku?page=2").get_data(as_text=True)
    assert "15 data" in client.get("/pengaduan/buku?channel=email").get_data(as_text=True)
    only = client.get(f"/pengaduan/buku?q={tickets[3].ticket_number}").get_data(as_text=True)
    assert "1 data" in only
    assert client.get("/pengaduan/buku?status=bogus&page=x").status_code == 200


def test_another_offices_ticket_answers_404(app, operator, make_user, other_office):
    user, _client = operator
    complaint = _ticket(user)
    stranger = page_client(app, make_user("operator", other_office))  # the last login: flask.g holds this user
    assert stranger.get(f"/pengaduan/{complaint.id}").status_code == 404
    assert stranger.post(f"/pengaduan/{complaint.id}/naikkan", data={}).status_code == 404
    assert stranger.post(f"/pengaduan/{complaint.id}/tautkan", data={"nik": "1"}).status_code == 404
    assert complaint.ticket_number not in stranger.get("/pengaduan/buku").get_data(as_text=True)
    assert db.session.get(Complaint, complaint.id).level is Level.officer
