"""The letters pages: the Kasubbag's recap inbox and letters awaiting signature, the secretary's desk, the history."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask import g

from distribusi import all_models  # noqa: F401  (first: importing letters.models alone meets an import cycle)
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.intake.models import DOC_TYPE_LABELS
from distribusi.letters.models import CoverLetter
from distribusi.recap.models import Recap
from distribusi.workflow import LetterStatus, RecapStatus

from flow import letter_awaiting_signature, signed_recap, submitted_recap

PASSWORD = "rahasia-sekali-123"
ROLES = ("clerk", "kasubbag", "secretary", "operator", "admin", "courier")
LISTS = {
    "/surat/rekap-masuk": {"kasubbag"},
    "/surat/menunggu": {"kasubbag", "secretary"},
    "/surat/riwayat": {"kasubbag", "secretary"},
}


class PageClient:
    """A test client logged in as one user; it forgets the user Flask-Login kept in `g` for the last request, as the
    test's app context (shared by every request) would otherwise answer as whoever asked before."""

    def __init__(self, client):
        self.client = client

    def get(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.get(*args, **kwargs)

    def post(self, *args, **kwargs):
        g.pop("_login_user", None)
        return self.client.post(*args, **kwargs)


@pytest.fixture
def page_as(app):
    """page_as(user) -> a test client logged in to the pages as that user."""

    def log_in(user):
        client = PageClient(app.test_client())
        response = client.post("/login", data={"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return log_in


def events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CustodyEvent))


def letter_of(letter_id: int) -> CoverLetter:
    db.session.expire_all()
    return db.session.get(CoverLetter, letter_id)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_the_letter_pages(crew, documents, make_user, page_as, role):
    _recap, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents)
    client = page_as(make_user(role))
    pages = {**LISTS, f"/surat/{letter['id']}": {"kasubbag", "secretary"},
             f"/surat/{letter['id']}/surat.pdf": {"clerk", "kasubbag", "secretary", "operator", "admin"}}
    statuses = {path: client.get(path).status_code for path in pages}
    assert statuses == {path: 200 if role in allowed else 403 for path, allowed in pages.items()}


@pytest.mark.parametrize("role", ["clerk", "kasubbag"])
def test_only_the_secretary_signs_or_rejects(crew, documents, make_user, page_as, role):
    _recap, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents)
    client = page_as(make_user(role))
    assert client.post(f"/surat/{letter['id']}/tandatangani", data={"password": PASSWORD}).status_code == 403
    assert client.post(f"/surat/{letter['id']}/tolak", data={"note": "Salah alamat"}).status_code == 403
    assert letter_of(letter["id"]).status is LetterStatus.awaiting_signature


def test_another_offices_letter_and_recap_answer_404(crew, documents, make_user, page_as, other_office):
    recap = submitted_recap(crew.clerk, documents, seed=2)
    _recap, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents, seed=3)
    kasubbag, secretary = page_as(make_user("kasubbag", other_office)), page_as(make_user("secretary", other_office))
    assert secretary.get(f"/surat/{letter['id']}").status_code == 404
    assert secretary.get(f"/surat/{letter['id']}/surat.pdf").status_code == 404
    assert secretary.get("/surat/99999999999999999999").status_code == 404
    assert secretary.post(f"/surat/{letter['id']}/tandatangani", data={"password": PASSWORD}).status_code == 404
    assert secretary.post(f"/surat/{letter['id']}/tolak", data={"note": "Bukan milik kami"}).status_code == 404
    assert kasubbag.post(f"/surat/terbitkan/{recap['id']}", data={"courier_partner_id": "1"}).status_code == 404
    inbox = kasubbag.get("/surat/rekap-masuk").get_data(as_text=True)
    assert recap["number"] not in inbox
    assert letter["letter_number"] not in secretary.get("/surat/menunggu").get_data(as_text=True)
    assert letter_of(letter["id"]).status is LetterStatus.awaiting_signature


def test_kasubbag_issues_the_letter_from_the_inbox(crew, documents, page_as):
    recap = submitted_recap(crew.clerk, documents)
    client = page_as(crew.kasubbag.user)
    inbox = client.get("/surat/rekap-masuk")
    text = inbox.get_data(as_text=True)
    assert recap["number"] in text and "PT Pos Indonesia" in text and "kurang dari 1 menit" in text
    assert client.get("/surat/rekap-masuk?q=tidak-ada").get_data(as_text=True).count(recap["number"]) == 0

    refused = client.post(f"/surat/terbitkan/{recap['id']}", data={"courier_partner_id": ""})
    assert refused.status_code == 422
    assert 'id="courier_partner_id-error"' in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverLetter)) == 0

    issued = client.post(f"/surat/terbitkan/{recap['id']}", data={"courier_partner_id": str(crew.partner_id)})
    assert issued.status_code == 302
    letter = db.session.scalar(sa.select(CoverLetter))
    assert issued.headers["Location"].endswith(f"/surat/{letter.id}")
    assert letter.status is LetterStatus.awaiting_signature
    assert db.session.get(Recap, recap["id"]).status is RecapStatus.letter_pending
    assert recap["number"] not in client.get("/surat/rekap-masuk").get_data(as_text=True)
    page = client.get(f"/surat/{letter.id}").get_data(as_text=True)
    assert letter.letter_number in page and "Ringkasan rekapan" in page and "Tandatangani" not in page
    awaiting = client.get("/surat/menunggu").get_data(as_text=True)
    assert letter.letter_number in awaiting and crew.kasubbag.user.full_name in awaiting


def test_issuing_twice_is_refused(crew, documents, page_as):
    recap, _letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents)
    client = page_as(crew.kasubbag.user)
    again = client.post(f"/surat/terbitkan/{recap['id']}", data={"courier_partner_id": str(crew.partner_id)})
    assert again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverLetter)) == 1


def test_secretary_reads_the_summary_and_signs_with_the_password(crew, documents, page_as):
    recap, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents, count=6)
    client = page_as(crew.secretary.user)
    assert letter["letter_number"] in client.get("/surat/menunggu").get_data(as_text=True)
    page = client.get(f"/surat/{letter['id']}").get_data(as_text=True)
    assert f'src="/surat/{letter["id"]}/surat.pdf"' in page and "<iframe" in page
    assert recap["number"] in page and "Jumlah kiriman" in page and 'type="password"' in page
    assert all(parcel["address"]["kecamatan"] in page and DOC_TYPE_LABELS[parcel["group_doc_type"]] in page
               for parcel in recap["parcels"])
    before = events()

    wrong = client.post(f"/surat/{letter['id']}/tandatangani", data={"password": "salah-sekali"})
    assert wrong.status_code == 422
    text = wrong.get_data(as_text=True)
    assert 'id="password-error"' in text and "Kata sandi salah" in text
    assert letter_of(letter["id"]).status is LetterStatus.awaiting_signature and letter_of(letter["id"]).signer_id is None
    assert events() == before
    assert client.post(f"/surat/{letter['id']}/tandatangani", data={}).status_code == 422

    signed = client.post(f"/surat/{letter['id']}/tandatangani", data={"password": PASSWORD})
    assert signed.status_code == 302
    stored = letter_of(letter["id"])
    assert stored.status is LetterStatus.signed and stored.signer_id == crew.secretary.user_id
    assert stored.recap.status is RecapStatus.signed and stored.verification_code
    assert "Ditandatangani oleh" in client.get(f"/surat/{letter['id']}").get_data(as_text=True)
    again = client.post(f"/surat/{letter['id']}/tandatangani", data={"password": PASSWORD})
    assert again.status_code == 409


def test_rejecting_needs_a_note_and_sends_the_recap_back(crew, documents, page_as):
    recap, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents)
    client = page_as(crew.secretary.user)
    empty = client.post(f"/surat/{letter['id']}/tolak", data={"note": "  "})
    assert empty.status_code == 422 and 'id="note-error"' in empty.get_data(as_text=True)
    assert letter_of(letter["id"]).status is LetterStatus.awaiting_signature

    rejected = client.post(f"/surat/{letter['id']}/tolak", data={"note": "Mitra kurir salah"})
    assert rejected.status_code == 302 and rejected.headers["Location"].endswith("/surat/menunggu")
    stored = letter_of(letter["id"])
    assert stored.status is LetterStatus.rejected and stored.rejection_note == "Mitra kurir salah"
    assert stored.recap.status is RecapStatus.submitted
    inbox = page_as(crew.kasubbag.user).get("/surat/rekap-masuk").get_data(as_text=True)
    assert recap["number"] in inbox and "Mitra kurir salah" in inbox
    history = client.get("/surat/riwayat?status=rejected").get_data(as_text=True)
    assert letter["letter_number"] in history and "Mitra kurir salah" in history


def test_history_lists_signed_letters_with_signer_and_download(crew, documents, page_as):
    _recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    _other, waiting = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents, seed=2)
    client = page_as(crew.secretary.user)
    history = client.get("/surat/riwayat").get_data(as_text=True)
    assert letter["letter_number"] in history and waiting["letter_number"] not in history
    assert crew.secretary.user.full_name in history
    assert f'/surat/{letter["id"]}/surat.pdf?unduh=1' in history
    assert letter["letter_number"] not in client.get("/surat/riwayat?status=rejected").get_data(as_text=True)
    assert letter["letter_number"] not in client.get("/surat/riwayat?q=tidak-ada").get_data(as_text=True)
    assert letter["letter_number"] in client.get(f"/surat/riwayat?q={letter['recap_number']}").get_data(as_text=True)
    download = client.get(f"/surat/{letter['id']}/surat.pdf?unduh=1")
    assert download.mimetype == "application/pdf" and "attachment" in download.headers["Content-Disposition"]


def test_the_letter_pdf_may_be_framed_by_our_own_pages_only(crew, documents, page_as):
    _recap, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents)
    response = page_as(crew.secretary.user).get(f"/surat/{letter['id']}/surat.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert response.headers["Cache-Control"] == "no-store"
    assert "inline" in response.headers["Content-Disposition"]


def test_waits_past_the_offices_limits_are_marked(crew, documents, page_as):
    recap = submitted_recap(crew.clerk, documents, seed=2)
    _pending, letter = letter_awaiting_signature(crew.clerk, crew.kasubbag, documents, seed=3)
    client = page_as(crew.kasubbag.user)
    assert "Terlambat" not in client.get("/surat/rekap-masuk").get_data(as_text=True)
    assert "Terlambat" not in client.get("/surat/menunggu").get_data(as_text=True)
    office = crew.kasubbag.user.office
    office.settings = {**(office.settings or {}), "wait_limits": {"submitted": 0, "awaiting_signature": 0}}
    db.session.commit()
    inbox = client.get("/surat/rekap-masuk").get_data(as_text=True)
    assert inbox.count('class="table-warning"') == 1 and "Terlambat" in inbox and recap["number"] in inbox
    awaiting = client.get("/surat/menunggu").get_data(as_text=True)
    assert awaiting.count('class="table-warning"') == 1 and letter["letter_number"] in awaiting
