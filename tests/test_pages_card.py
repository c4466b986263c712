"""The control card pages: a parcel's, document's and recap's custody timeline with who, when and how long."""
from __future__ import annotations

from datetime import timedelta

import pytest

from distribusi import all_models  # noqa: F401  (first: importing a stage's models alone meets an import cycle)
from distribusi.custody import events_for
from distribusi.extensions import db
from distribusi.printing.text import format_datetime_id
from distribusi.web.card import duration

from flow import drive, handed_over_recap, letter_awaiting_signature
from test_pages_letters import page_as  # noqa: F401  (the fixture)

ROLES = ("clerk", "kasubbag", "secretary", "operator", "admin", "courier")


@pytest.fixture
def delivered(crew, documents):
    """A recap handed over whose first parcel the courier accepted, took out and delivered: (recap JSON, parcel)."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    parcel = recap["parcels"][0]
    drive(crew, parcel, "delivered")
    return recap, parcel


@pytest.mark.parametrize(("value", "text"), [
    (timedelta(seconds=20), "kurang dari 1 menit"),
    (timedelta(minutes=5), "5 menit"),
    (timedelta(hours=5, minutes=12), "5 jam 12 menit"),
    (timedelta(days=2, hours=3, minutes=40), "2 hari 3 jam"),
    (timedelta(days=1, minutes=7), "1 hari"),
    (None, "—"),
])
def test_a_wait_reads_in_indonesian(value, text):
    assert duration(value) == text


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_control_card(delivered, make_user, page_as, role):  # noqa: F811
    recap, parcel = delivered
    client = page_as(make_user(role))
    pages = ["/kartu", f"/kartu/kiriman/{parcel['tracking_code']}",
             f"/kartu/dokumen/{parcel['documents'][0]['id']}", f"/kartu/rekap/{recap['id']}"]
    expected = 403 if role == "courier" else 200
    assert {path: client.get(path).status_code for path in pages} == {path: expected for path in pages}


def test_the_parcel_card_shows_every_step_with_who_when_and_how_long(app, crew, delivered, page_as):  # noqa: F811
    recap, parcel = delivered
    client = page_as(crew.kasubbag.user)
    html = client.get(f"/kartu/kiriman/{parcel['tracking_code']}").get_data(as_text=True)
    document_ids = [d["id"] for d in parcel["documents"]]
    steps = (events_for("parcel", [parcel["id"]]) + events_for("document", document_ids)
             + events_for("recap", [recap["id"]]))
    # register and pack per document; pack, accept, out, delivered; the recap's create, submit, letter, sign, handover
    assert len(steps) == 2 * len(document_ids) + 4 + 5
    body = html.split('id="timeline-title"', 1)[1]
    assert body.count("<tr") == len(steps) + 1  # the header row and one row per step
    zone = crew.kasubbag.user.office.zone
    for event in steps:
        assert format_datetime_id(event.recorded_at, zone, joiner=" ") in body
        for party in (event.from_party, event.to_party):
            if party:
                assert party.replace("'", "&#39;") in body
    for text in ("Didaftarkan", "Dikemas dalam rekapan", "Diterima kurir (pindai)", "Dibawa untuk diantar",
                 "Diserahkan kepada penerima", "Dikemas → Diterima kurir", "Diserahkan ke mitra kurir",
                 "Surat pengantar ditandatangani", "Diterima oleh: Joko Susilo", "Sedang diantar → Sudah diterima",
                 "Penerima: Siti Aminah", "Pemilik sendiri", "kurang dari 1 menit"):
        assert text in body, text
    assert "Terlambat" not in body
    assert f'href="/kartu/rekap/{recap["id"]}"' in html
    assert all(f'href="/kartu/dokumen/{d["id"]}"' in html and d["owner_name"] in html for d in parcel["documents"])


def test_a_step_longer_than_the_offices_limit_is_highlighted(crew, delivered, page_as):  # noqa: F811
    _recap, parcel = delivered
    office = crew.kasubbag.user.office
    today = office.local_now().date().isoformat()  # a working day whatever day the suite runs: waits count working time
    office.settings = {**(office.settings or {}), "wait_limits": {"packed": 0}, "work_days": [{"date": today}]}
    db.session.commit()
    html = page_as(crew.kasubbag.user).get(f"/kartu/kiriman/{parcel['tracking_code']}").get_data(as_text=True)
    assert html.count("Terlambat") == 2  # the summary names them; only the parcel's step out of "packed" is late
    assert html.count('class="table-warning"') == 1 and "1 langkah menunggu lebih lama" in html


def test_typing_or_scanning_a_code_opens_its_card(crew, delivered, page_as, other_office, make_user):  # noqa: F811
    _recap, parcel = delivered
    code = parcel["tracking_code"]
    client = page_as(crew.clerk.user)
    search = client.get("/kartu").get_data(as_text=True)
    assert 'name="kode"' in search and "autofocus" in search and 'for="f-kode"' in search
    for typed in (code, code.lower(), f" {code[:5]}-{code[5:]} ", f"https://distribusi.test/k/{code}"):
        answer = client.get("/kartu", query_string={"kode": typed})
        assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/kartu/kiriman/{code}"), typed
    unknown = client.get("/kartu", query_string={"kode": "ABCDEFGHJK"})
    assert unknown.status_code == 404 and "tidak ditemukan di kantor ini" in unknown.get_data(as_text=True)
    stranger = page_as(make_user("kasubbag", other_office))
    assert stranger.get("/kartu", query_string={"kode": code}).status_code == 404
    missing = stranger.get(f"/kartu/kiriman/{code}")
    assert missing.status_code == 404 and "tidak ditemukan di kantor ini" in missing.get_data(as_text=True)


def test_another_offices_document_and_recap_cards_answer_404(delivered, make_user, page_as, other_office):  # noqa: F811
    recap, parcel = delivered
    stranger = page_as(make_user("secretary", other_office))
    assert stranger.get(f"/kartu/dokumen/{parcel['documents'][0]['id']}").status_code == 404
    assert stranger.get(f"/kartu/rekap/{recap['id']}").status_code == 404
    assert stranger.get("/kartu/rekap/999999").status_code == 404
    assert stranger.get("/kartu/dokumen/99999999999999999999").status_code == 404


def test_the_document_and_recap_cards(crew, delivered, documents, page_as):  # noqa: F811
    recap, parcel = delivered
    client = page_as(crew.secretary.user)
    document = parcel["documents"][0]
    html = client.get(f"/kartu/dokumen/{document['id']}").get_data(as_text=True)
    assert document["owner_name"] in html and "Didaftarkan" in html and "Diserahkan kepada penerima" in html
    assert f'href="/kartu/kiriman/{parcel["tracking_code"]}"' in html

    html = client.get(f"/kartu/rekap/{recap['id']}").get_data(as_text=True)
    for text in ("Rekapan dibuat", "Rekapan diajukan", "Surat pengantar dibuat", "Surat pengantar ditandatangani",
                 "Diserahkan ke mitra kurir", "Diterima oleh: Joko Susilo"):
        assert text in html, text
    assert all(f'href="/kartu/kiriman/{p["tracking_code"]}"' in html for p in recap["parcels"])

    pending, _letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents, seed=5)
    html = client.get(f"/kartu/rekap/{pending['id']}").get_data(as_text=True)
    assert "Menunggu tanda tangan" in html and "Surat pengantar ditandatangani" not in html
