"""The returns desk of the Kasubbag Umum: live reconciliation of scanned codes, recorded only on "Selesai"."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import distribusi.web  # noqa: F401  (first: importing distribusi.recap first trips main's circular import)
from distribusi.extensions import db
from distribusi.recap import codes
from distribusi.recap.models import Parcel
from distribusi.returns.models import ReturnBatch

from flow import drive, handed_over_recap

PASSWORD = "rahasia-sekali-123"


def page_client(app, user):
    client = app.test_client()
    assert client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code == 302
    return client


def status_of(code: str) -> str:
    return db.session.scalar(sa.select(Parcel.status).where(Parcel.tracking_code == code)).value


def batches() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(ReturnBatch))


def mistype(code: str) -> str:
    """The code with its check character wrong, as a slip of the hand makes it."""
    wrong = next(ch for ch in codes.ALPHABET if ch != code[-1])
    return code[:-1] + wrong


@pytest.fixture
def returning(crew, documents):
    """Four parcels handed to the crew's partner: two on their way back, one out for delivery, one delivered."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=8)
    parcels = recap["parcels"]
    for parcel, state in zip(parcels, ("returning", "returning", "out_for_delivery", "delivered"), strict=True):
        drive(crew, parcel, state)
    return [p["tracking_code"] for p in parcels]


def section(html: str, title: str) -> str:
    """The part of the lists under one heading, up to the next."""
    start = html.index(f'id="h-{title}"')
    end = html.find('<section', start)
    return html[start:end if end != -1 else None]


@pytest.mark.parametrize("role, allowed", [("kasubbag", True), ("clerk", False), ("secretary", False),
                                           ("courier", False)])
def test_only_the_kasubbag_opens_the_returns_desk(app, crew, make_user, role, allowed):
    client = page_client(app, make_user(role))
    expected = 200 if allowed else 403
    assert client.get("/retur").status_code == expected
    assert client.post("/retur/daftar", data={"courier_partner_id": crew.partner_id}).status_code == expected
    assert client.post("/retur", data={"courier_partner_id": crew.partner_id, "kode": "X"}).status_code == expected
    finished = client.post("/retur/selesai", data={"courier_partner_id": crew.partner_id, "codes": ["X"]})
    assert finished.status_code == (302 if allowed else 403)


def test_each_scan_is_sorted_into_received_unexpected_and_missing(app, crew, returning):
    back, also_back, out, delivered = returning
    client = page_client(app, crew.kasubbag.user)
    desk = client.get("/retur").get_data(as_text=True)
    assert 'id="f-kode"' in desk and "autofocus" in desk and "js/returns.js" in desk
    assert all(code in section(desk, "missing") for code in (codes.display(back), codes.display(out)))

    scanned = [back, codes.display(back).lower(), mistype(also_back), codes.new_code(), delivered]
    html = client.post("/retur/daftar", data={"courier_partner_id": crew.partner_id, "codes": scanned[:-1],
                                              "kode": scanned[-1]}).get_data(as_text=True)

    received, unexpected, missing = (section(html, name) for name in ("received", "unexpected", "missing"))
    assert codes.display(back) in received and "dipindai 2×" in received  # shown once, counted once
    assert 'id="count-received">1<' in html
    assert mistype(also_back) in unexpected and "karakter periksa salah" in unexpected
    assert "kode tidak dikenal" in unexpected and codes.display(delivered) in unexpected and "sudah tercatat diterima" in unexpected
    assert codes.display(also_back) in missing and codes.display(out) in missing and back not in missing
    assert "tidak diharapkan" in html.split('id="h-received"')[0]  # what became of the last scan
    assert status_of(back) == "returning" and batches() == 0  # nothing recorded before "Selesai"

    duplicate = client.post("/retur/daftar", data={"courier_partner_id": crew.partner_id, "codes": [back],
                                                   "kode": back}).get_data(as_text=True)
    assert "sudah dipindai (2×)" in duplicate


def test_the_desk_works_without_javascript(app, crew, returning):
    back = returning[0]
    client = page_client(app, crew.kasubbag.user)
    html = client.post("/retur", data={"courier_partner_id": crew.partner_id, "kode": back}).get_data(as_text=True)
    assert f'<input type="hidden" name="codes" value="{back}">' in html
    assert codes.display(back) in section(html, "received")


def test_finishing_records_the_batch_and_the_parcels_come_back(app, crew, returning):
    back, also_back, out, delivered = returning
    client = page_client(app, crew.kasubbag.user)

    response = client.post("/retur/selesai", data={"courier_partner_id": crew.partner_id,
                                                   "codes": [back, back, delivered], "kode": also_back})

    assert response.status_code == 302
    assert [status_of(c) for c in returning] == ["returned", "returned", "out_for_delivery", "delivered"]
    assert batches() == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Pengembalian tercatat: 2 kiriman" in page
    assert "/api/v1/undelivered.pdf" in page and "/api/v1/undelivered.xlsx" in page
    received, unexpected, missing = (page.split('id="h-' + key + '"')[1] for key in ("received", "unexpected", "missing"))
    assert codes.display(back) in received.split("<section")[0] and codes.display(also_back) in received.split("<section")[0]
    assert codes.display(delivered) in unexpected.split("<section")[0] and codes.display(out) in missing
    assert client.get("/api/v1/undelivered.pdf").data.startswith(b"%PDF")
    history = client.get("/retur").get_data(as_text=True).split('id="h-history"')[1]
    assert f'href="{response.headers["Location"]}"' in history and "1 data." in history


def test_bad_input_is_refused_in_indonesian_and_records_nothing(app, crew, returning, make_user, other_office, subtests):
    client = page_client(app, crew.kasubbag.user)
    foreign_partner = make_user("courier", other_office).courier_partner_id
    cases = {
        "no codes": ({"courier_partner_id": crew.partner_id}, 422, "Belum ada kode yang dipindai"),
        "no partner": ({"codes": [returning[0]]}, 422, "Pilih mitra kurir"),
        "partner not a number": ({"courier_partner_id": "abc", "codes": [returning[0]]}, 422, "Pilih mitra kurir"),
        "another office's partner": ({"courier_partner_id": foreign_partner, "codes": [returning[0]]}, 409,
                                     "Mitra kurir tidak ditemukan"),
        "code too long": ({"courier_partner_id": crew.partner_id, "codes": ["A" * 301]}, 422, "Paling banyak"),
    }
    for case, (data, status, message) in cases.items():
        with subtests.test(case):
            response = client.post("/retur/selesai", data=data)
            assert response.status_code == status
            assert message in response.get_data(as_text=True)
            assert batches() == 0 and status_of(returning[0]) == "returning"
    partial = client.post("/retur/daftar", data={"courier_partner_id": foreign_partner, "codes": [returning[0]]})
    assert partial.status_code == 409 and "Mitra kurir tidak ditemukan" in partial.get_data(as_text=True)


def test_another_offices_batch_answers_404(app, crew, returning, make_user, other_office):
    client = page_client(app, crew.kasubbag.user)
    location = client.post("/retur/selesai", data={"courier_partner_id": crew.partner_id,
                                                   "codes": [returning[0]]}).headers["Location"]
    assert client.get(location).status_code == 200
    stranger = page_client(app, make_user("kasubbag", other_office))
    assert stranger.get(location).status_code == 404
    assert stranger.get("/retur/999999").status_code == 404
