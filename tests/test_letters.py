"""Cover letters: numbering, issuing, signing and rejecting, the frozen recap, public verification, concurrency."""
from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import date, datetime
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from distribusi.custody import CustodyEvent, verify_all
from distribusi.extensions import db
from distribusi.letters.models import CoverLetter
from distribusi.letters.services import canonical_content
from distribusi.models import CourierPartner
from distribusi.recap import codes

from concurrency import post_as, race
from flow import handed_over_recap, letter_awaiting_signature, partner_id_of, signed_recap, submitted_recap

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"]


@pytest.fixture
def crew(login_as, office):
    clerk, kasubbag, secretary, admin = (login_as(r) for r in ("clerk", "kasubbag", "secretary", "admin"))
    partner_id = db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == office.id))
    return SimpleNamespace(clerk=clerk, kasubbag=kasubbag, secretary=secretary, admin=admin, partner_id=partner_id)


def issue(crew, recap_id: int, partner_id: int | None = None):
    return crew.kasubbag.post(f"/api/v1/recaps/{recap_id}/cover-letter",
                              json={"courier_partner_id": partner_id or crew.partner_id})


def seq_of(letter_number: str, pattern: str = r"^470/JASA-DUKCAPIL/(\d+)/\d{4}$") -> int:
    match = re.match(pattern, letter_number)
    assert match, letter_number
    return int(match.group(1))


def events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CustodyEvent))


# ---------------------------------------------------------------- numbering

@pytest.mark.parametrize("letter_format", [
    None,
    "045.2/{seq:03d}/DISDUKCAPIL/{roman_month}/{year}",
    "SP-{year}.{month}-{seq}",
], ids=["default", "padded-roman-month", "year-month-first"])
def test_letter_number_follows_the_office_format(crew, documents, letter_format):
    if letter_format is not None:
        put = crew.admin.put("/api/v1/admin/office", json={"letter_number_format": letter_format})
        assert put.status_code == 200, put.get_json()
    recap = submitted_recap(crew.clerk, documents)

    letter = issue(crew, recap["id"])

    assert letter.status_code == 201, letter.get_json()
    body = letter.get_json()
    when = date.fromisoformat(body["letter_date"])
    pattern = letter_format or "470/JASA-DUKCAPIL/{seq}/{year}"
    assert body["letter_number"] == pattern.format(seq=1, year=when.year, month=f"{when.month:02d}",
                                                   roman_month=ROMAN[when.month - 1])
    assert body["status"] == "awaiting_signature"


@pytest.mark.parametrize("broken", ["470/{seq}/{year", "{seq}/{}", "{seq:x>120}"],
                         ids=["unclosed", "positional", "too-long"])
def test_a_broken_stored_format_refuses_the_letter_without_using_a_number(crew, documents, office, broken):
    office.settings = {**office.settings, "letter_number_format": broken}  # as an older release may have stored it
    db.session.commit()
    recap = submitted_recap(crew.clerk, documents)

    response = issue(crew, recap["id"])

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "bad_letter_number_format"
    db.session.rollback()  # what the end of a real request does; the test shares the request's session
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "submitted"
    assert crew.admin.put("/api/v1/admin/office", json={"letter_number_format": "{seq}/{year}"}).status_code == 200
    assert issue(crew, recap["id"]).get_json()["letter_number"].startswith("1/")


def test_sequence_is_per_office_and_never_reused_after_a_rejection(crew, documents, login_as, other_office):
    first_recap = submitted_recap(crew.clerk, documents, seed=1)
    second_recap = submitted_recap(crew.clerk, documents, seed=2)

    first = issue(crew, first_recap["id"]).get_json()
    rejected = crew.secretary.post(f"/api/v1/cover-letters/{first['id']}/reject", json={"note": "Lampiran kurang"})
    assert rejected.status_code == 200
    reissued = issue(crew, first_recap["id"]).get_json()
    refused = issue(crew, first_recap["id"])  # already letter_pending: refused before a number is taken
    assert refused.status_code == 409
    other = issue(crew, second_recap["id"]).get_json()

    assert [seq_of(x["letter_number"]) for x in (first, reissued, other)] == [1, 2, 3]

    kasubbag_b, clerk_b = login_as("kasubbag", other_office), login_as("clerk", other_office)
    recap_b = submitted_recap(clerk_b, documents, seed=3)
    letter_b = kasubbag_b.post(f"/api/v1/recaps/{recap_b['id']}/cover-letter",
                               json={"courier_partner_id": partner_id_of(kasubbag_b)})
    assert letter_b.status_code == 201, letter_b.get_json()
    assert seq_of(letter_b.get_json()["letter_number"]) == 1


@pytest.mark.parametrize("now_utc, timezone, letter_date", [
    (datetime(2026, 12, 31, 16, 30), "Asia/Jakarta", date(2026, 12, 31)),  # 23:30 WIB
    (datetime(2026, 12, 31, 17, 30), "Asia/Jakarta", date(2027, 1, 1)),  # 00:30 WIB
    (datetime(2026, 12, 31, 15, 30), "Asia/Jayapura", date(2027, 1, 1)),  # 00:30 WIT
], ids=["wib-before-midnight", "wib-after-midnight", "wit-after-midnight"])
def test_letter_date_and_yearly_sequence_follow_the_office_clock(crew, documents, monkeypatch, now_utc, timezone,
                                                                  letter_date):
    assert crew.admin.put("/api/v1/admin/office", json={"timezone": timezone}).status_code == 200
    june, december = (submitted_recap(crew.clerk, documents, seed=s) for s in (1, 2))
    monkeypatch.setattr("distribusi.models.utcnow", lambda: datetime(2026, 6, 1, 3, 0))
    assert issue(crew, june["id"]).get_json()["letter_number"] == "470/JASA-DUKCAPIL/1/2026"

    monkeypatch.setattr("distribusi.models.utcnow", lambda: now_utc)
    letter = issue(crew, december["id"]).get_json()

    assert letter["letter_date"] == letter_date.isoformat()
    expected_seq = 2 if letter_date.year == 2026 else 1  # a new year starts its own sequence
    assert letter["letter_number"] == f"470/JASA-DUKCAPIL/{expected_seq}/{letter_date.year}"


# ---------------------------------------------------------------- issuing

def _draft(crew, documents):
    docs = documents(crew.clerk.user, 2, seed=1)
    return crew.clerk.post("/api/v1/recaps", json={"document_ids": [d.id for d in docs]}).get_json()


def _letter_pending(crew, documents):
    return letter_awaiting_signature(crew.clerk, crew.kasubbag, documents)[0]


def _signed(crew, documents):
    return signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)[0]


def _handed_over(crew, documents):
    return handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)


@pytest.mark.parametrize("make_recap, state", [
    (_draft, "draft"), (_letter_pending, "letter_pending"), (_signed, "signed"), (_handed_over, "handed_over"),
], ids=["draft", "letter_pending", "signed", "handed_over"])
def test_a_letter_only_for_a_submitted_recap(crew, documents, make_recap, state):
    recap = make_recap(crew, documents)
    letters = db.session.scalar(sa.select(sa.func.count()).select_from(CoverLetter))
    before = events()

    response = issue(crew, recap["id"])

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "invalid_transition"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverLetter)) == letters
    assert events() == before
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == state


def _unknown_partner(crew, other_office):
    return 999_999


def _other_office_partner(crew, other_office):
    return db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == other_office.id))


def _inactive_partner(crew, other_office):
    created = crew.admin.post("/api/v1/admin/courier-partners",
                              json={"name": "PT Kurir Lama", "contract_number": "001/PKS/2020"}).get_json()
    db.session.execute(sa.update(CourierPartner).where(CourierPartner.id == created["id"]).values(active=False))
    db.session.commit()
    return created["id"]


BAD_PARTNERS = [
    ("unknown", _unknown_partner, 409), ("other-office", _other_office_partner, 409),
    ("inactive", _inactive_partner, 409), ("string-id", lambda crew, office: "1", 422),
    ("null", lambda crew, office: None, 422), ("beyond-32-bits", lambda crew, office: 2**31, 422),
    ("missing", lambda crew, office: "MISSING", 422),
]


def test_the_partner_must_be_an_active_partner_of_the_office(crew, documents, other_office, subtests):
    recap = submitted_recap(crew.clerk, documents)
    for case, partner, status in BAD_PARTNERS:
        with subtests.test(case):
            partner_id = partner(crew, other_office)
            body = {} if partner_id == "MISSING" else {"courier_partner_id": partner_id}
            before = events()

            response = crew.kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter", json=body)

            assert response.status_code == status, response.get_json()
            assert "courier_partner_id" in response.get_json()["error"]["fields"]
            assert events() == before
            assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "submitted"
    assert seq_of(issue(crew, recap["id"]).get_json()["letter_number"]) == 1  # no number went to a refusal


# ---------------------------------------------------------------- signing and rejecting

def test_the_secretary_signs_with_a_content_hash_and_an_unguessable_code(crew, documents):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=6)
    _recap2, letter2 = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2, seed=2)

    assert letter["status"] == "signed" and recap["status"] == "signed"
    assert letter["signer_id"] == crew.secretary.user_id and letter["signed_at"]
    code = letter["verification_code"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", code), code  # URL-safe
    assert len(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))) * 8 >= 128
    assert code != letter2["verification_code"]

    stored = db.session.get(CoverLetter, letter["id"])
    content = canonical_content(stored)
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert letter["content_sha256"] == hashlib.sha256(canonical).hexdigest()
    assert [p["tracking_code"] for p in content["parcels"]] == [p["tracking_code"] for p in recap["parcels"]]
    assert content["letter_number"] == letter["letter_number"]
    numbers = {d["doc_number"] for p in recap["parcels"] for d in p["documents"]}
    assert {entry.split(":", 1)[1] for p in content["parcels"] for entry in p["documents"]} == numbers


BAD_NOTES = [("missing", {}), ("empty", {"note": ""}), ("blank", {"note": "   "}), ("null", {"note": None}),
             ("number", {"note": 42}), ("nul-character", {"note": "Salah\x00nomor"})]


def test_a_rejection_needs_a_note(crew, documents, subtests):
    recap = submitted_recap(crew.clerk, documents)
    letter = issue(crew, recap["id"]).get_json()
    for case, body in BAD_NOTES:
        with subtests.test(case):
            response = crew.secretary.post(f"/api/v1/cover-letters/{letter['id']}/reject", json=body)

            assert response.status_code == 422, response.get_json()
            assert "note" in response.get_json()["error"]["fields"]
            status = crew.kasubbag.get(f"/api/v1/cover-letters/{letter['id']}").get_json()["status"]
            assert status == "awaiting_signature"


def test_a_rejection_keeps_the_note_and_returns_the_recap(crew, documents):
    recap = submitted_recap(crew.clerk, documents)
    letter = issue(crew, recap["id"]).get_json()

    rejected = crew.secretary.post(f"/api/v1/cover-letters/{letter['id']}/reject",
                                   json={"note": "  Perihal salah ketik  "}).get_json()

    assert rejected["status"] == "rejected" and rejected["rejection_note"] == "Perihal salah ketik"
    assert rejected["verification_code"] is None and rejected["content_sha256"] is None
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "submitted"


def test_a_decided_letter_cannot_be_decided_again(crew, documents, subtests):
    decided = {}
    for seed, first in enumerate(("sign", "reject"), start=1):
        recap = submitted_recap(crew.clerk, documents, seed=seed)
        letter = issue(crew, recap["id"]).get_json()
        assert crew.secretary.post(f"/api/v1/cover-letters/{letter['id']}/{first}",
                                   json={"note": "Nomor salah"}).status_code == 200
        decided[first] = crew.kasubbag.get(f"/api/v1/cover-letters/{letter['id']}").get_json()

    for first, letter in decided.items():
        for second in ("sign", "reject"):
            with subtests.test(f"{first}-then-{second}"):
                before = events()

                again = crew.secretary.post(f"/api/v1/cover-letters/{letter['id']}/{second}", json={"note": "Lagi"})

                assert again.status_code == 409, again.get_json()
                assert again.get_json()["error"]["code"] == "invalid_transition"
                assert crew.kasubbag.get(f"/api/v1/cover-letters/{letter['id']}").get_json() == letter
                assert events() == before


def test_only_the_secretary_decides(crew, documents, login_as, subtests):
    recap = submitted_recap(crew.clerk, documents)
    letter = issue(crew, recap["id"]).get_json()
    for role in ("clerk", "kasubbag"):
        for action in ("sign", "reject"):
            with subtests.test(role, action=action):
                response = login_as(role).post(f"/api/v1/cover-letters/{letter['id']}/{action}",
                                               json={"note": "Tidak"})
                assert response.status_code == 403
                status = crew.kasubbag.get(f"/api/v1/cover-letters/{letter['id']}").get_json()["status"]
                assert status == "awaiting_signature"


# ---------------------------------------------------------------- the frozen recap

def test_a_signed_recap_is_frozen(crew, documents):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    document_ids = [d["id"] for p in recap["parcels"] for d in p["documents"]]
    before = events()

    again = crew.clerk.post("/api/v1/recaps", json={"document_ids": document_ids})
    flagged = crew.clerk.post(f"/api/v1/documents/{document_ids[0]}/flag", json={"reason": "data_error"})
    second_letter = issue(crew, recap["id"])

    assert (again.status_code, flagged.status_code, second_letter.status_code) == (409, 409, 409)
    assert events() == before
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json() == recap
    assert crew.clerk.get(f"/api/v1/documents/{document_ids[0]}").get_json()["status"] == "in_recap"
    verified = crew.clerk.client.get(f"/api/v1/public/verify/{letter['verification_code']}").get_json()
    assert verified["intact"] is True


# ---------------------------------------------------------------- public verification

def test_public_verification_shows_the_letter(crew, documents, client):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=6)

    response = client.get(f"/api/v1/public/verify/{letter['verification_code']}")  # no token

    assert response.status_code == 200
    body = response.get_json()
    assert body["letter_number"] == letter["letter_number"]
    assert body["letter_date"] == letter["letter_date"]
    assert body["signer"] == crew.secretary.user.full_name
    assert body["parcel_count"] == len(recap["parcels"]) == 3
    assert body["intact"] is True
    for secret in ("verification_code", "content_sha256", "nik", "phone"):
        assert secret not in body


def _tamper_document(recap, letter):
    doc_id = recap["parcels"][0]["documents"][0]["id"]
    return sa.text("UPDATE documents SET doc_number = doc_number || 'X' WHERE id = :id"), {"id": doc_id}


def _tamper_parcel(recap, letter):
    return (sa.text("UPDATE parcels SET tracking_code = :code WHERE id = :id"),
            {"code": codes.new_code(), "id": recap["parcels"][-1]["id"]})


def _drop_document(recap, letter):
    return (sa.text("DELETE FROM parcel_documents WHERE parcel_id = :parcel AND document_id = :document"),
            {"parcel": recap["parcels"][0]["id"], "document": recap["parcels"][0]["documents"][-1]["id"]})


@pytest.mark.parametrize("tamper", [_tamper_document, _tamper_parcel, _drop_document],
                         ids=["document-number", "tracking-code", "document-removed"])
def test_tampering_shows_as_not_intact(crew, documents, client, tamper):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    url = f"/api/v1/public/verify/{letter['verification_code']}"
    assert client.get(url).get_json()["intact"] is True

    statement, params = tamper(recap, letter)
    db.session.execute(statement, params)
    db.session.commit()

    response = client.get(url)
    assert response.status_code == 200
    assert response.get_json()["intact"] is False


@pytest.mark.parametrize("code", ["tidak-ada-kode-ini-123456", "x", "%00" * 3, "a" * 500])
def test_an_unknown_verification_code_is_404(client, code):
    response = client.get(f"/api/v1/public/verify/{code}")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


# ---------------------------------------------------------------- concurrency (PostgreSQL)

def together(token: str, posts: list[tuple[str, dict]]) -> list[tuple[int, dict]]:
    """POST each (path, body) at the same moment, each from its own thread; returns (status, body) in order."""
    return race(len(posts), lambda index: post_as(token, *posts[index]))


@pytest.mark.postgres_only
def test_concurrent_letters_get_consecutive_distinct_numbers(crew, documents):
    recap_ids = [submitted_recap(crew.clerk, documents, count=1, seed=seed)["id"] for seed in range(1, 21)]

    results = together(crew.kasubbag.token, [
        (f"/api/v1/recaps/{recap_id}/cover-letter", {"courier_partner_id": crew.partner_id}) for recap_id in recap_ids
    ])

    assert [status for status, _ in results] == [201] * 20, results
    assert sorted(seq_of(body["letter_number"]) for _, body in results) == list(range(1, 21))
    assert verify_all() == []


@pytest.mark.postgres_only
def test_concurrent_letters_for_one_recap_give_one_letter(crew, documents):
    recap = submitted_recap(crew.clerk, documents)

    body = {"courier_partner_id": crew.partner_id}
    results = together(crew.kasubbag.token, [(f"/api/v1/recaps/{recap['id']}/cover-letter", body)] * 8)

    assert sorted(status for status, _ in results) == [201] + [409] * 7, results
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverLetter)) == 1
    other = submitted_recap(crew.clerk, documents, seed=2)
    assert seq_of(issue(crew, other["id"]).get_json()["letter_number"]) == 2  # no number lost to the losers
    assert verify_all() == []


@pytest.mark.postgres_only
def test_concurrent_sign_and_reject_decide_once(crew, documents):
    recap = submitted_recap(crew.clerk, documents)
    letter = issue(crew, recap["id"]).get_json()
    note = {"note": "Tidak lengkap"}

    results = together(crew.secretary.token, [
        (f"/api/v1/cover-letters/{letter['id']}/{action}", note) for action in ["sign", "reject"] * 5
    ])

    assert sorted(status for status, _ in results) == [200] + [409] * 9, results
    final = crew.kasubbag.get(f"/api/v1/cover-letters/{letter['id']}").get_json()
    recap_status = crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"]
    assert (final["status"], recap_status) in {("signed", "signed"), ("rejected", "submitted")}
    assert (final["verification_code"] is None) == (final["status"] == "rejected")
    assert verify_all() == []
