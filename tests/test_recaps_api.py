"""Recaps through the API: household packing, tracking codes, grouping, numbering, refusals; and recap/codes.py."""
from __future__ import annotations

import random
import string
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.models import Counter
from distribusi.recap import codes

KK = "1471010902177365"
HOME = {"street": "Jl. Paus No. 12", "rt": "003", "rw": "005", "kelurahan": "Tangkerang Tengah",
        "kecamatan": "Marpoyan Damai", "postal_code": "28282"}
OTHER_HOME = {**HOME, "street": "Jl. Durian No. 7"}
UNDETECTED = {"0", "Z"}  # values 0 and 31 are equal modulo 31: the documented blind spot


@pytest.fixture
def clerk(login_as):
    return login_as("clerk")


def _recap(api, ids):
    return api.post("/api/v1/recaps", json={"document_ids": list(ids)})


def _counts():
    from distribusi.recap.models import Parcel, Recap

    db.session.rollback()  # what a request's teardown does in production

    def count(model):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model))

    return {m.__name__: count(m) for m in (Recap, Parcel, CustodyEvent, Counter)} | {
        "counter": db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(Counter.value), 0)))
    }


def _status(api, document_id):
    return api.get(f"/api/v1/documents/{document_id}").get_json()["status"]


def test_household_packing(clerk, documents):
    """Same KK and same address: one parcel; same KK at another address: its own parcel."""
    together = documents(clerk.user, 2, seed=31, kk_number=KK, **HOME)
    spelled_differently = documents(clerk.user, 1, seed=32, kk_number=KK,
                                    **{**HOME, "street": "JL. PAUS  NO. 12", "kelurahan": "tangkerang tengah"})
    elsewhere = documents(clerk.user, 1, seed=33, kk_number=KK, **OTHER_HOME)
    other_family = documents(clerk.user, 1, seed=34, kk_number="1471011311136916", **HOME)
    ids = [d.id for d in together + spelled_differently + elsewhere + other_family]

    response = _recap(clerk, ids)
    assert response.status_code == 201, response.get_json()
    recap = response.get_json()
    assert recap["status"] == "draft" and recap["document_count"] == 5
    parcels = {frozenset(doc["id"] for doc in p["documents"]): p for p in recap["parcels"]}
    assert set(parcels) == {
        frozenset(d.id for d in together + spelled_differently),
        frozenset({elsewhere[0].id}),
        frozenset({other_family[0].id}),
    }
    assert recap["parcel_count"] == 3
    for parcel in recap["parcels"]:
        assert parcel["status"] == "packed" and parcel["status_label"] == "Dikemas"
    assert parcels[frozenset({elsewhere[0].id})]["address"]["street"] == "Jl. Durian No. 7"
    assert sorted(p["position"] for p in recap["parcels"]) == [1, 2, 3]


def test_parcels_get_unique_checked_tracking_codes(clerk, documents):
    docs = documents(clerk.user, 12, seed=35)  # six households of two
    recap = _recap(clerk, [d.id for d in docs]).get_json()
    tracking = [p["tracking_code"] for p in recap["parcels"]]
    assert len(tracking) == 6 and len(set(tracking)) == 6
    for parcel in recap["parcels"]:
        code = parcel["tracking_code"]
        assert len(code) == 10 and set(code) <= set(codes.ALPHABET)
        assert codes.normalize(code) == code
        assert parcel["tracking_code_display"] == f"{code[:5]}-{code[5:]}"
        for position in range(10):
            original = code[position]
            replacement = next(ch for ch in codes.ALPHABET if ch != original and {ch, original} != UNDETECTED)
            changed = code[:position] + replacement + code[position + 1:]
            assert codes.normalize(changed) is None, changed


def test_parcels_are_grouped_by_document_type_and_kecamatan(clerk, documents):
    docs = (
        documents(clerk.user, 2, seed=36, doc_type="KTP_EL", kecamatan="Tampan", kk_number=KK, **{
            k: v for k, v in HOME.items() if k != "kecamatan"})
        + documents(clerk.user, 1, seed=37, doc_type="KK", kecamatan="Sukajadi")
        + documents(clerk.user, 1, seed=38, doc_type="KTP_EL", kecamatan="Sukajadi")
        + documents(clerk.user, 1, seed=39, doc_type="KK", kecamatan="Tampan")
        + documents(clerk.user, 1, seed=40, doc_type="KTP_EL", kecamatan="Tampan")
    )
    recap = _recap(clerk, [d.id for d in docs]).get_json()
    groups = [(g["doc_type"], g["kecamatan"], g["parcel_count"], g["document_count"]) for g in recap["groups"]]
    assert groups == [
        ("KK", "Sukajadi", 1, 1), ("KK", "Tampan", 1, 1), ("KTP_EL", "Sukajadi", 1, 1), ("KTP_EL", "Tampan", 2, 3),
    ]
    assert recap["groups"][0]["doc_type_label"] == "Kartu Keluarga"
    order = [(p["group_doc_type"], p["address"]["kecamatan"]) for p in recap["parcels"]]
    assert order == sorted(order, key=lambda key: (["KK", "KTP_EL"].index(key[0]), key[1]))
    grouped = [code for group in recap["groups"] for code in group["tracking_codes"]]
    assert grouped == [p["tracking_code"] for p in recap["parcels"]]


def test_documents_move_into_the_recap(clerk, documents):
    docs = documents(clerk.user, 3, seed=41)
    recap = _recap(clerk, [d.id for d in docs]).get_json()
    parcel_of = {doc["id"]: p["id"] for p in recap["parcels"] for doc in p["documents"]}
    for document in docs:
        body = clerk.get(f"/api/v1/documents/{document.id}").get_json()
        assert body["status"] == "in_recap" and body["parcel_id"] == parcel_of[document.id]
    listed = clerk.get("/api/v1/documents?status=in_recap").get_json()
    assert listed["total"] == 3


def test_a_document_in_a_recap_cannot_be_packed_again(clerk, documents):
    first, second = documents(clerk.user, 2, seed=42)
    assert _recap(clerk, [first.id]).status_code == 201
    before = _counts()
    response = _recap(clerk, [second.id, first.id])
    assert response.status_code == 409
    error = response.get_json()["error"]
    assert error["code"] == "documents_not_packable" and error["fields"]["document_ids"]
    assert first.doc_number in error["fields"]["document_ids"][0]
    assert _counts() == before
    assert _status(clerk, second.id) == "registered"


def test_a_flagged_document_cannot_be_packed(clerk, documents):
    good, flagged = documents(clerk.user, 2, seed=43)
    assert clerk.post(f"/api/v1/documents/{flagged.id}/flag", json={"reason": "data_error"}).status_code == 200
    before = _counts()
    response = _recap(clerk, [good.id, flagged.id])
    assert response.status_code == 409
    assert "perlu perbaikan" in " ".join(response.get_json()["error"]["fields"]["document_ids"])
    assert _counts() == before
    assert _status(clerk, good.id) == "registered"


BAD_IDS = {
    "unknown": lambda ours, theirs: [ours, 2147483647],
    "other-office": lambda ours, theirs: [ours, theirs],
    "empty": lambda ours, theirs: [],
    "zero": lambda ours, theirs: [0],
    "negative": lambda ours, theirs: [ours, -1],
    "string-id": lambda ours, theirs: [str(ours)],
    "above-int4": lambda ours, theirs: [ours, 2**31],
    "above-int8": lambda ours, theirs: [ours, 2**64],
    "not-a-list": lambda ours, theirs: str(ours),
    "null": lambda ours, theirs: None,
}


def test_bad_document_ids_are_422(clerk, documents, login_as, other_office, subtests):
    ours = documents(clerk.user, 1, seed=44)[0]
    theirs = documents(login_as("clerk", other_office).user, 1, seed=45)[0]
    before = _counts()
    for case, ids in BAD_IDS.items():
        with subtests.test(case):
            response = clerk.post("/api/v1/recaps", json={"document_ids": ids(ours.id, theirs.id)})
            assert response.status_code == 422, response.get_json()
            assert "document_ids" in response.get_json()["error"]["fields"]
            assert _counts() == before
    assert _status(clerk, ours.id) == "registered"


def test_missing_document_ids_is_422(clerk):
    response = clerk.post("/api/v1/recaps", json={})
    assert response.status_code == 422
    assert "document_ids" in response.get_json()["error"]["fields"]


def test_recap_numbers_count_per_office_and_year(clerk, documents, login_as, other_office):
    year = datetime.now(UTC).year
    docs = documents(clerk.user, 3, seed=46)
    numbers = [_recap(clerk, [d.id]).get_json()["number"] for d in docs]
    assert numbers == [f"RKP/{year}/0001", f"RKP/{year}/0002", f"RKP/{year}/0003"]
    metro = login_as("clerk", other_office)
    theirs = documents(metro.user, 1, seed=47)[0]
    assert _recap(metro, [theirs.id]).get_json()["number"] == f"RKP/{year}/0001"


def test_a_refused_recap_does_not_use_up_a_number(clerk, documents):
    year = datetime.now(UTC).year
    first, second = documents(clerk.user, 2, seed=48)
    assert _recap(clerk, [first.id]).get_json()["number"] == f"RKP/{year}/0001"
    assert _recap(clerk, [first.id]).status_code == 409
    assert _recap(clerk, [second.id]).get_json()["number"] == f"RKP/{year}/0002"


def test_submit_and_read_back(clerk, documents, login_as):
    docs = documents(clerk.user, 2, seed=49)
    recap_id = _recap(clerk, [d.id for d in docs]).get_json()["id"]
    response = clerk.post(f"/api/v1/recaps/{recap_id}/submit")
    assert response.status_code == 200
    assert response.get_json()["status"] == "submitted" and response.get_json()["submitted_at"]

    again = clerk.post(f"/api/v1/recaps/{recap_id}/submit")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "invalid_transition"

    seen = login_as("kasubbag").get(f"/api/v1/recaps/{recap_id}").get_json()
    assert seen["status"] == "submitted" and seen["status_label"] == "Diajukan"
    assert [p["status"] for p in seen["parcels"]] == ["packed"]
    assert {d["id"] for d in seen["parcels"][0]["documents"]} == {d.id for d in docs}
    assert clerk.get("/api/v1/recaps/2147483647").status_code == 404


def test_a_courier_cannot_build_or_read_recaps(clerk, documents, login_as):
    docs = documents(clerk.user, 2, seed=50)
    recap_id = _recap(clerk, [docs[0].id]).get_json()["id"]
    courier = login_as("courier")
    for response in (_recap(courier, [docs[1].id]), courier.get(f"/api/v1/recaps/{recap_id}"),
                     courier.post(f"/api/v1/recaps/{recap_id}/submit")):
        assert response.status_code == 403
    assert _status(clerk, docs[1].id) == "registered"


# --- recap/codes.py (no app) ----------------------------------------------------------------------------------


def _sample_codes(count=60, seed=7):
    rng = random.Random(seed)
    bodies = ["".join(rng.choice(codes.ALPHABET) for _ in range(codes.BODY_LENGTH)) for _ in range(count)]
    bodies += ["000000000", "ZZZZZZZZZ", "0Z0Z0Z0Z0", "123456789"]
    return [body + codes.check_character(body) for body in bodies]


def test_alphabet_and_length():
    assert codes.ALPHABET == "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
    assert len(set(codes.ALPHABET)) == 32
    assert codes.CODE_LENGTH == 10
    made = {codes.new_code() for _ in range(500)}
    assert len(made) == 500, "random, not repeating"
    for code in made:
        assert len(code) == 10 and set(code) <= set(codes.ALPHABET)
        assert codes.normalize(code) == code
    assert len({code[0] for code in made}) > 20, "the first character varies: not sequential"


def test_check_character_is_never_z():
    assert "Z" not in {codes.check_character(code[:9]) for code in _sample_codes(400)}


def test_every_single_substitution_is_caught_except_zero_and_z():
    for code in _sample_codes():
        for position, original in enumerate(code):
            for replacement in codes.ALPHABET:
                if replacement == original:
                    continue
                changed = code[:position] + replacement + code[position + 1:]
                blind_spot = position < codes.BODY_LENGTH and {original, replacement} == UNDETECTED
                assert (codes.normalize(changed) == changed) is blind_spot, (code, changed)


def test_every_adjacent_transposition_is_caught_except_zero_and_z():
    for code in _sample_codes():
        for position in range(codes.CODE_LENGTH - 1):
            a, b = code[position], code[position + 1]
            if a == b:
                continue
            swapped = code[:position] + b + a + code[position + 2:]
            # within the body only: the check character is never Z, so a swap with it is always caught
            blind_spot = {a, b} == UNDETECTED and position + 1 < codes.BODY_LENGTH
            assert (codes.normalize(swapped) is not None) is blind_spot, (code, swapped)


def _code_with(*characters):
    for code in _sample_codes(3000, seed=11):
        if all(ch in code for ch in characters):
            return code
    raise AssertionError("no sample code holds the characters")


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c.lower(),
        lambda c: f"{c[:5]}-{c[5:]}",
        lambda c: f"  {c[:3]} {c[3:6]} {c[6:]} ",
        lambda c: c.replace("1", "I"),
        lambda c: c.replace("1", "l"),
        lambda c: c.replace("1", "L"),
        lambda c: c.replace("0", "O"),
        lambda c: c.replace("0", "o"),
        lambda c: f"https://distribusi.test/k/{c}",
        lambda c: f"https://distribusi.test/k/{c}/",
        lambda c: f"HTTPS://DISTRIBUSI.TEST/K/{c[:5]}-{c[5:]}".lower(),
        lambda c: f"http://127.0.0.1:8000/lacak/k/{c}",
    ],
    ids=["lower", "hyphen", "spaces", "I-for-1", "l-for-1", "L-for-1", "O-for-0", "o-for-0", "url", "url-slash",
         "url-lower", "url-deep"],
)
def test_normalize_reads_what_people_type_and_scan(typed):
    code = _code_with("0", "1")
    assert codes.normalize(typed(code)) == code


@pytest.mark.parametrize(
    "raw",
    ["", None, "   ", "ABC", "0123456789A", "https://distribusi.test/k/", "U" * 10, "!!!!!!!!!!",
     "https://distribusi.test/lacak"],
)
def test_normalize_refuses_what_is_not_a_code(raw):
    assert codes.normalize(raw) is None


def test_display_groups_the_code():
    assert codes.display("ABCDEFGHJK") == "ABCDE-FGHJK"
    assert set(string.ascii_uppercase) - set(codes.ALPHABET) == {"I", "L", "O", "U"}
