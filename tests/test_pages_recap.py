"""The clerk's recap desk: the recap list, building a recap with its household preview, the recap page, the counter."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from tests.flow import drive, handed_over_recap  # first: it imports the app's packages in a working order

from distribusi.extensions import db  # noqa: I001
from distribusi.intake.models import Document
from distribusi.recap.codes import display
from distribusi.recap.models import Parcel, Recap
from distribusi.workflow import DocumentStatus, ParcelStatus, RecapStatus

PASSWORD = "rahasia-sekali-123"
KK = "1471010902177365"
HOME = {"street": "Jl. Paus No. 12", "rt": "003", "rw": "005", "kelurahan": "Tangkerang Tengah",
        "kecamatan": "Marpoyan Damai", "postal_code": "28282"}


def page_client(app, user):
    """A browser-like client logged in through the login page."""
    client = app.test_client()
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def clerk(make_user):
    return make_user("clerk")


@pytest.fixture
def clerk_page(app, clerk):
    return page_client(app, clerk)


def _draft(user, documents, count=4, seed=1):
    from distribusi.recap.services import create_recap

    recap = create_recap(user, [d.id for d in documents(user, count, seed=seed)])
    db.session.commit()
    return recap.id


def _ticked(html: str) -> set[int]:
    return {int(i) for i in re.findall(r'name="document_ids" value="(\d+)"\s+id="d-\d+"\s+checked', html)}


ROLES = ("clerk", "kasubbag", "secretary", "operator", "kasi", "kabid", "head", "admin", "courier")
PAGES = {  # page -> the roles that may open it
    "/rekap": set(ROLES) - {"courier"},
    "/rekap/{id}": set(ROLES) - {"courier"},
    "/rekap/baru": {"clerk"},
    "/rekap/loket": {"clerk"},
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_the_pages_its_permissions_allow(app, make_user, documents, clerk, role):
    recap_id = _draft(clerk, documents)
    client = page_client(app, make_user(role))
    for path, allowed in PAGES.items():
        status = client.get(path.format(id=recap_id)).status_code
        assert status == (200 if role in allowed else 403), (role, path, status)
    posts = {f"/rekap/{recap_id}/ajukan": {}, "/rekap/baru": {"document_ids": "1"}, "/rekap/baru/pratinjau": {},
             "/rekap/loket": {"code": "X"}, "/rekap/loket/kemas-ulang": {}}
    if role != "clerk":
        for path, data in posts.items():
            assert client.post(path, data=data).status_code == 403, (role, path)
    assert db.session.get(Recap, recap_id).status is RecapStatus.draft


def test_another_offices_recap_answers_404(app, make_user, other_office, documents, clerk_page):
    stranger = make_user("clerk", other_office)
    recap_id = _draft(stranger, documents, seed=5)
    assert clerk_page.get(f"/rekap/{recap_id}").status_code == 404
    assert clerk_page.post(f"/rekap/{recap_id}/ajukan").status_code == 404
    assert db.session.get(Recap, recap_id).status is RecapStatus.draft
    listed = clerk_page.get("/rekap").get_data(as_text=True)
    assert f'href="/rekap/{recap_id}"' not in listed and "Belum ada rekapan yang cocok." in listed


def test_the_list_shows_counts_filters_and_searches(clerk, clerk_page, documents):
    from distribusi.recap.services import load_recap, submit_recap

    draft_id = _draft(clerk, documents, count=4, seed=1)
    submitted_id = _draft(clerk, documents, count=6, seed=2)
    submit_recap(clerk, load_recap(submitted_id))
    db.session.commit()
    draft, submitted = db.session.get(Recap, draft_id), db.session.get(Recap, submitted_id)

    html = clerk_page.get("/rekap").get_data(as_text=True)
    assert draft.number in html and submitted.number in html
    row = html[html.index(f'href="/rekap/{submitted_id}"'):]
    assert re.search(r'Diajukan|state-submitted', row[:600])
    assert re.findall(r'<td class="text-end">(\d+)</td>', row[:row.index("</tr>")]) == ["3", "6"]  # 3 parcels, 6 documents

    only_draft = clerk_page.get("/rekap?state=draft").get_data(as_text=True)
    assert f'href="/rekap/{draft_id}"' in only_draft and f'href="/rekap/{submitted_id}"' not in only_draft
    found = clerk_page.get(f"/rekap?q={submitted.number[-4:]}").get_data(as_text=True)
    assert f'href="/rekap/{submitted_id}"' in found and f'href="/rekap/{draft_id}"' not in found
    assert clerk_page.get("/rekap?page=abc&state=nonsense").status_code == 200


def test_build_ticks_every_registered_document_and_saves_the_households(clerk, clerk_page, documents):
    together = documents(clerk, 2, seed=31, kk_number=KK, **HOME)
    alone = documents(clerk, 1, seed=32, kk_number=KK, **{**HOME, "street": "Jl. Durian No. 7"})
    flagged = documents(clerk, 1, seed=33)[0]
    flagged.status = DocumentStatus.needs_fix
    db.session.commit()
    wanted = {d.id for d in together + alone}

    html = clerk_page.get("/rekap/baru").get_data(as_text=True)
    assert _ticked(html) == wanted  # the flagged one is not offered
    assert "2 kiriman</strong> dari 3 dokumen" in html  # the preview, before saving

    response = clerk_page.post("/rekap/baru", data={"document_ids": sorted(wanted)})
    assert response.status_code == 302
    recap = db.session.scalar(sa.select(Recap))
    assert response.headers["Location"].endswith(f"/rekap/{recap.id}")
    households = sorted(sorted(d.id for d in p.documents) for p in recap.parcels)
    assert households == sorted([sorted(d.id for d in together), [alone[0].id]])
    assert all(db.session.get(Document, i).status is DocumentStatus.in_recap for i in wanted)


def test_build_filters_narrow_the_ticked_documents(clerk, clerk_page, documents):
    docs = documents(clerk, 6, seed=3)
    kk_docs = {d.id for d in docs if d.doc_type == docs[0].doc_type}
    html = clerk_page.get(f"/rekap/baru?doc_type={docs[0].doc_type}").get_data(as_text=True)
    assert _ticked(html) == kk_docs
    html = clerk_page.get(f"/rekap/baru?q={docs[2].doc_number}").get_data(as_text=True)
    assert _ticked(html) == {docs[2].id}
    html = clerk_page.get(f"/rekap/baru?kecamatan={docs[0].kecamatan}").get_data(as_text=True)
    assert _ticked(html) == {d.id for d in docs if d.kecamatan == docs[0].kecamatan}
    assert _ticked(clerk_page.get("/rekap/baru?date=2001-01-01").get_data(as_text=True)) == set()
    today = clerk.office.local_now().date().isoformat()  # registered just now, in the office's calendar
    assert _ticked(clerk_page.get(f"/rekap/baru?date={today}").get_data(as_text=True)) == {d.id for d in docs}


def test_build_offers_at_most_one_recaps_worth_and_says_so(clerk, clerk_page, documents, monkeypatch):
    monkeypatch.setattr("distribusi.recap.build.MAX_DOCUMENTS_PER_RECAP", 3)
    docs = documents(clerk, 5, seed=9)
    html = clerk_page.get("/rekap/baru").get_data(as_text=True)
    assert _ticked(html) == {d.id for d in docs[:3]}
    assert "Lebih dari 3 dokumen cocok" in html and "Persempit saringan" in html
    assert "Lebih dari" not in clerk_page.get(f"/rekap/baru?q={docs[0].doc_number}").get_data(as_text=True)


def test_the_preview_groups_the_ticked_documents(clerk, clerk_page, documents):
    together = documents(clerk, 2, seed=31, kk_number=KK, **HOME)
    response = clerk_page.post("/rekap/baru/pratinjau", data={"document_ids": [d.id for d in together]})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "1 kiriman</strong> dari 2 dokumen" in html
    assert all(d.doc_number in html for d in together)
    one = clerk_page.post("/rekap/baru/pratinjau", data={"document_ids": [together[0].id]}).get_data(as_text=True)
    assert "1 kiriman</strong> dari 1 dokumen" in one and together[1].doc_number not in one
    empty = clerk_page.post("/rekap/baru/pratinjau", data={}).get_data(as_text=True)
    assert "Belum ada dokumen yang dicentang." in empty
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recap)) == 0


def test_build_refuses_nothing_ticked_and_a_document_no_longer_registered(clerk, clerk_page, documents):
    docs = documents(clerk, 2, seed=4)
    response = clerk_page.post("/rekap/baru", data={})
    assert response.status_code == 422 and "Pilih minimal satu dokumen." in response.get_data(as_text=True)

    docs[1].status = DocumentStatus.needs_fix  # flagged by a colleague after the page was opened
    db.session.commit()
    response = clerk_page.post("/rekap/baru", data={"document_ids": [d.id for d in docs]})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Sebagian dokumen tidak dapat dimasukkan ke rekapan." in html and "perlu perbaikan" in html
    too_many = clerk_page.post("/rekap/baru", data={"document_ids": list(range(1, 5002))})
    assert too_many.status_code == 422 and "Maksimal 5000 dokumen per rekapan." in too_many.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Recap)) == 0


def test_the_recap_page_shows_parcels_papers_and_submits(clerk, clerk_page, documents):
    recap_id = _draft(clerk, documents, count=4, seed=6)
    recap = db.session.get(Recap, recap_id)
    html = clerk_page.get(f"/rekap/{recap_id}").get_data(as_text=True)
    for parcel in recap.parcels:
        assert display(parcel.tracking_code) in html and parcel.recipient_name in html and parcel.phone in html
        assert all(d.owner_name in html for d in parcel.documents)
    assert f'href="/api/v1/recaps/{recap_id}/labels.pdf?layout=a4-8"' in html  # one click, the default preselected
    assert re.search(r'<option value="a4-8" selected>', html) and 'value="thermal-100x150"' in html
    assert "Ringkasan per jenis dokumen dan kecamatan" in html
    assert f'href="/api/v1/recaps/{recap_id}/recap.pdf"' in html and f'/api/v1/recaps/{recap_id}/recap.xlsx' in html
    assert clerk_page.get(f"/api/v1/recaps/{recap_id}/labels.pdf?layout=a4-8").data.startswith(b"%PDF")

    response = clerk_page.post(f"/rekap/{recap_id}/ajukan")
    assert response.status_code == 302
    assert db.session.get(Recap, recap_id).status is RecapStatus.submitted
    assert f"/rekap/{recap_id}/ajukan" not in clerk_page.get(f"/rekap/{recap_id}").get_data(as_text=True)
    again = clerk_page.post(f"/rekap/{recap_id}/ajukan")
    assert again.status_code == 409 and 'role="alert"' in again.get_data(as_text=True)


def test_the_recap_page_queries_do_not_grow_with_its_parcels(app, clerk, clerk_page, documents):
    small, large = _draft(clerk, documents, count=2, seed=7), _draft(clerk, documents, count=20, seed=8)
    counts = []
    clerk_page.get(f"/rekap/{small}")  # warm up: the first request of a client loads what later ones reuse
    for recap_id in (small, large):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert clerk_page.get(f"/rekap/{recap_id}").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


@pytest.fixture
def returned(crew, documents):
    """A handed-over recap whose first parcel came back to the office; the page client of its clerk."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    drive(crew, recap["parcels"][0], "returned")
    return recap


def test_the_counter_finds_a_returned_parcel_and_hands_it_over(app, crew, returned):
    client = page_client(app, crew.clerk.user)
    parcel = returned["parcels"][0]
    html = client.get("/rekap/loket").get_data(as_text=True)
    assert "autofocus" in html and display(parcel["tracking_code"]) in html
    found = client.get(f"/rekap/loket?code={parcel['tracking_code'].lower()}").get_data(as_text=True)
    assert parcel["recipient_name"] in html and all(d["doc_number"] in found for d in parcel["documents"])
    assert "Serahkan kepada warga" in found
    assert client.get("/rekap/loket?code=ZZZZ-ZZZZ").status_code == 404

    response = client.post("/rekap/loket", data={"code": parcel["tracking_code"], "collected_by": "Budi (adik)",
                                                  "note": "Membawa surat kuasa"})
    assert response.status_code == 302
    stored = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == parcel["tracking_code"]))
    assert stored.status is ParcelStatus.collected
    again = client.post("/rekap/loket", data={"code": parcel["tracking_code"]})
    assert again.status_code == 409
    packed = returned["parcels"][1]["tracking_code"]
    assert client.post("/rekap/loket", data={"code": packed}).status_code == 409


def test_the_counter_repacks_returned_parcels_into_a_new_recap(app, crew, returned):
    client = page_client(app, crew.clerk.user)
    parcel = returned["parcels"][0]
    stored = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == parcel["tracking_code"]))
    assert client.post("/rekap/loket/kemas-ulang", data={}).status_code == 422
    other = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == returned["parcels"][1]["tracking_code"]))
    assert client.post("/rekap/loket/kemas-ulang", data={"parcel_ids": [other.id]}).status_code == 422

    response = client.post("/rekap/loket/kemas-ulang", data={"parcel_ids": [stored.id]})
    assert response.status_code == 302
    new = db.session.scalar(sa.select(Recap).where(Recap.id != returned["id"]))
    assert response.headers["Location"].endswith(f"/rekap/{new.id}")
    assert sorted(d.id for p in new.parcels for d in p.documents) == sorted(d["id"] for d in parcel["documents"])
    db.session.refresh(stored)
    assert stored.status is ParcelStatus.repacked
    assert display(parcel["tracking_code"]) not in client.get("/rekap/loket").get_data(as_text=True)
