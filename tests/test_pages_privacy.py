"""The operator's PDP pages: the request list, a new request, the trail with its downloads; and the staff pages that
record their reads (control cards, the document page)."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from distribusi import all_models  # noqa: F401  (first: importing a stage's models alone meets an import cycle)
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.privacy.models import AccessEvent, TrailRequest

from flow import drive, handed_over_recap
from test_pages_letters import page_as  # noqa: F401  (the fixture)

ROLES = ("clerk", "kasubbag", "secretary", "courier", "operator", "kasi", "kabid", "head", "admin")
ANSWERING = {"operator", "admin"}
NOBODY = "3171015508900007"


@pytest.fixture
def citizen(crew, documents):
    """A delivered parcel of a handed-over recap: (recap JSON, parcel JSON, the citizen's Document)."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    parcel = recap["parcels"][0]
    drive(crew, parcel, "delivered")
    return recap, parcel, db.session.get(Document, parcel["documents"][0]["id"])


def new_request(client, nik: str = NOBODY, **extra):
    form = {"nik": nik, "requester_name": "Rizky Lestari", "request_date": date.today().isoformat(),
            "letter_number": "045/PDP/XII/2026", "note": "KTP-el asli diperiksa", **extra}
    return client.post("/pdp/baru", data=form)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_pdp_pages(make_user, page_as, role):  # noqa: F811
    owner = page_as(make_user("operator"))
    request_id = int(new_request(owner).headers["Location"].rsplit("/", 1)[1])
    client = page_as(make_user(role))
    pages = ["/pdp", "/pdp/baru", f"/pdp/{request_id}"]
    expected = 200 if role in ANSWERING else 403
    assert {path: client.get(path).status_code for path in pages} == {path: expected for path in pages}
    assert new_request(client).status_code == (302 if role in ANSWERING else 403)
    menu = client.get("/").get_data(as_text=True)
    assert ('href="/pdp"' in menu) == (role in ANSWERING)


def test_an_operator_records_a_request_and_reads_the_trail(citizen, crew, make_user, page_as):  # noqa: F811
    recap, parcel, document = citizen
    crew.clerk.get(f"/api/v1/lookup?nik={document.nik}")
    operator = make_user("operator")
    client = page_as(operator)
    response = new_request(client, document.nik)
    assert response.status_code == 302
    saved = db.session.scalar(sa.select(TrailRequest))
    assert (saved.nik, saved.requester_name, saved.note, saved.created_by_id) == \
        (document.nik, "Rizky Lestari", "KTP-el asli diperiksa", operator.id)
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    for expected in (document.nik, document.doc_number, parcel["tracking_code"], recap["number"],
                     "Diserahkan ke mitra kurir", "Pencarian data oleh petugas", crew.clerk.user.full_name,
                     f"/api/v1/pdp/requests/{saved.id}/trail.pdf", f"/api/v1/pdp/requests/{saved.id}/trail.json",
                     "Belum ada jawaban."):
        assert expected in html, expected
    # the PDF link works with the page's session, and the answer then shows on the page
    assert client.get(f"/api/v1/pdp/requests/{saved.id}/trail.pdf").status_code == 200
    html = client.get(f"/pdp/{saved.id}").get_data(as_text=True)
    assert "Belum ada jawaban." not in html and "PDF" in html and "Jawaban permintaan PDP dibuat" in html
    listed = client.get("/pdp").get_data(as_text=True)
    assert "Dijawab" in listed and document.nik not in listed and f"{document.nik[:4]}********" in listed


def test_a_bad_request_form_shows_the_messages_and_writes_nothing(make_user, page_as):  # noqa: F811
    client = page_as(make_user("operator"))
    response = new_request(client, "12345", requester_name="")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "NIK harus 16 digit angka." in html and "Wajib diisi." in html
    assert 'value="12345"' in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrailRequest)) == 0


def test_the_list_searches_and_filters(make_user, page_as):  # noqa: F811
    client = page_as(make_user("operator"))
    new_request(client, requester_name="Ani Wulandari")
    new_request(client, "1471011907939652", requester_name="Budi Santoso", letter_number="77/X")
    assert "Ani Wulandari" in client.get("/pdp?q=wulan").get_data(as_text=True)
    found = client.get("/pdp?q=77/X").get_data(as_text=True)
    assert "Budi Santoso" in found and "Ani Wulandari" not in found
    by_nik = client.get("/pdp?q=1471011907939652").get_data(as_text=True)
    assert "Budi Santoso" in by_nik and "Ani Wulandari" not in by_nik
    assert "Belum ada permintaan" in client.get("/pdp?status=answered").get_data(as_text=True)
    assert client.get("/pdp?status=bogus&page=x").status_code == 200


def test_another_offices_request_is_not_found(make_user, other_office, page_as):  # noqa: F811
    mine = page_as(make_user("operator"))
    request_id = int(new_request(mine).headers["Location"].rsplit("/", 1)[1])
    theirs = page_as(make_user("operator", other_office))
    assert theirs.get(f"/pdp/{request_id}").status_code == 404
    assert theirs.get("/pdp/99999999999").status_code == 404
    assert "Rizky Lestari" not in theirs.get("/pdp").get_data(as_text=True)


def test_control_cards_and_the_document_page_record_who_read_them(citizen, crew, make_user, page_as):  # noqa: F811
    recap, parcel, document = citizen
    client = page_as(crew.kasubbag.user)
    for path in (f"/kartu/kiriman/{parcel['tracking_code']}", f"/kartu/dokumen/{document.id}",
                 f"/kartu/rekap/{recap['id']}", f"/dokumen/{document.id}"):
        assert client.get(path).status_code == 200, path
    events = db.session.scalars(sa.select(AccessEvent).order_by(AccessEvent.id)).all()
    assert [(e.actor_id, e.purpose.value, e.channel) for e in events] == [
        (crew.kasubbag.user_id, "control_card", "page"), (crew.kasubbag.user_id, "control_card", "page"),
        (crew.kasubbag.user_id, "control_card", "page"), (crew.kasubbag.user_id, "document_view", "page")]
    assert events[2].context == recap["number"] and events[2].subject_count == 4  # every document of the recap
    operator = page_as(make_user("operator"))
    html = operator.get(new_request(operator, document.nik).headers["Location"]).get_data(as_text=True)
    assert html.count("Kartu kendali dibuka") == 3 and "Halaman dokumen dibuka" in html
