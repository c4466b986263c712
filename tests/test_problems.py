"""One error door: each kind of domain exception gets its status, code and shape, for a single scan and in a batch."""
from __future__ import annotations

import tracemalloc
import uuid
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from marshmallow import Schema, fields, validate

from distribusi.auth.permissions import PermissionDenied
from distribusi.auth.services import AuthenticationFailed
from distribusi.courier.photos import PhotoRefused
from distribusi.courier.services import IdempotencyConflict, NotFound as ParcelNotFound
from distribusi.errors import ApiError
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.intake.importer import RowError
from distribusi.intake.services import ImportRefused
from distribusi.letters.models import CoverLetter
from distribusi.models import Office
from distribusi.problems import Conflict, NotFound, Refused
from distribusi.recap import codes
from distribusi.recap.services import RecapFrozen
from distribusi.schemas import BaseSchema
from distribusi.workflow import DomainError, InvalidTransition

from flow import handed_over_recap, partner_id_of, signed_recap, submitted_recap

# exception raised by a service -> (status, code, fields) of the answer
KINDS = [
    ("refused", Refused("Isian salah.", fields={"x": ["Salah."]}), 422, "validation_error", {"x": ["Salah."]}),
    ("idempotency", IdempotencyConflict(), 422, "idempotency_conflict",
     {"idempotency_key": [IdempotencyConflict.message]}),
    ("photo", PhotoRefused("Foto rusak."), 422, "photo_refused", {"file": ["Foto rusak."]}),
    ("import", ImportRefused("1 baris bermasalah.", [RowError(2, "nik", "Salah.")]), 422, "import_refused", {}),
    ("not-found", NotFound(), 404, "not_found", {}),
    ("parcel-not-found", ParcelNotFound(), 404, "not_found", {}),
    ("conflict", Conflict(), 409, "conflict", {}),
    ("domain", DomainError("Tidak boleh.", code="letter_not_signed"), 409, "letter_not_signed", {}),
    ("transition", InvalidTransition("Status tidak dapat diubah."), 409, "invalid_transition", {}),
    ("frozen", RecapFrozen("Rekapan dibekukan."), 409, "recap_frozen", {}),
    ("permission", PermissionDenied(), 403, "forbidden", {}),
    ("authentication", AuthenticationFailed(), 401, "unauthorized", {}),
    ("edge", ApiError(429, "Tunggu 5 detik.", headers={"Retry-After": "5"}), 429, "rate_limited", {}),
]


@pytest.fixture
def crew(login_as):
    clerk, kasubbag, secretary, courier = (login_as(r) for r in ("clerk", "kasubbag", "secretary", "courier"))
    return SimpleNamespace(clerk=clerk, kasubbag=kasubbag, secretary=secretary, courier=courier)


@pytest.mark.parametrize(("case", "error", "status", "code", "fields_"), KINDS, ids=[k[0] for k in KINDS])
def test_each_kind_of_exception_has_its_answer(login_as, monkeypatch, case, error, status, code, fields_):
    from distribusi.recap import services

    def refuse(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(services, "create_recap", refuse)
    response = login_as("clerk").post("/api/v1/recaps", json={"document_ids": [1]})

    assert response.status_code == status, response.get_json()
    body = response.get_json()["error"]
    assert (body["code"], body["message"], body["fields"]) == (code, error.message, fields_)
    if case == "import":
        assert body["errors"] == [{"row": 2, "field": "nik", "message": "Salah."}]
    if case == "edge":
        assert response.headers["Retry-After"] == "5"


def _item(code: str, action: str, key: str | None = None) -> dict:
    return {"tracking_code": code, "action": action, "idempotency_key": key or uuid.uuid4().hex}


def test_a_batch_item_gets_the_answer_a_single_scan_gets(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    code = recap["parcels"][0]["tracking_code"]
    assert crew.courier.post("/api/v1/scans", json=_item(code, "accept", "kunci-pertama")).status_code == 201
    cases = {  # each sent once alone and once inside a batch; a fresh key where the key does not matter
        "refused": (422, lambda: _item(code, "out_for_delivery", "kunci-pertama")),
        "not-found": (404, lambda: _item(codes.new_code(), "accept")),
        "conflict": (409, lambda: _item(code, "accept")),
        "invalid": (422, lambda: {"tracking_code": code, "action": "accept"}),
    }

    singles = {name: crew.courier.post("/api/v1/scans", json=make()) for name, (_status, make) in cases.items()}
    batch = crew.courier.post("/api/v1/scans/batch", json={"scans": [make() for _status, make in cases.values()]})

    assert batch.status_code == 200
    for (name, (status, _make)), item in zip(cases.items(), batch.get_json()["results"], strict=True):
        assert singles[name].status_code == item["status"] == status, name
        assert singles[name].get_json() == {"error": item["error"]}, name
    assert [item["error"]["code"] for item in batch.get_json()["results"]] == [
        "idempotency_conflict", "not_found", "invalid_transition", "validation_error"]


def test_an_absurd_letter_number_width_is_refused_before_it_is_formatted(login_as, office):
    admin = login_as("admin")
    before = admin.get("/api/v1/admin/office").get_json()["settings"]["letter_number_format"]

    tracemalloc.start()
    try:
        response = admin.put("/api/v1/admin/office", json={"letter_number_format": "{seq:>150000000}"})
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"]["letter_number_format"] == [
        "Lebar isian pada format nomor surat paling banyak 100 karakter."]
    assert peak < 20 * 1024 * 1024, f"{peak / 2**20:.0f} MB allocated"  # formatting it would take 150 MB
    assert admin.get("/api/v1/admin/office").get_json()["settings"]["letter_number_format"] == before


@pytest.mark.parametrize("pattern", ["{seq:>150000000}", "470/{seq:{year}}", "470/{seq.real}/{year}", "470/{}/{seq}"])
def test_a_bad_format_stored_by_hand_refuses_the_letter_and_stores_nothing(crew, documents, office, pattern):
    stored = db.session.get(Office, office.id)
    stored.settings = {**(stored.settings or {}), "letter_number_format": pattern}  # as if edited in the database
    db.session.commit()
    recap = submitted_recap(crew.clerk, documents)

    response = crew.kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter",
                                  json={"courier_partner_id": partner_id_of(crew.kasubbag)})

    assert response.status_code == 409, response.get_json()
    assert response.get_json()["error"]["code"] == "bad_letter_number_format"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CoverLetter)) == 0


def test_a_handover_partner_id_beyond_32_bits_is_422(crew, documents):
    recap, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    url = f"/api/v1/recaps/{recap['id']}/handover"

    too_big = crew.kasubbag.post(url, json={"courier_partner_id": 2**31, "received_by": "Joko"})
    largest = crew.kasubbag.post(url, json={"courier_partner_id": 2**31 - 1, "received_by": "Joko"})

    assert too_big.status_code == 422, too_big.get_json()
    assert list(too_big.get_json()["error"]["fields"]) == ["courier_partner_id"]
    assert largest.status_code == 409 and largest.get_json()["error"]["code"] == "wrong_partner"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Handover)) == 0
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "signed"


def test_marshmallow_itself_is_left_as_installed():
    """The Indonesian messages and the storable-text rule belong to the project's schemas, not to marshmallow."""

    class Plain(Schema):
        name = fields.String(required=True, validate=validate.Length(max=3))

    class Ours(BaseSchema):
        name = fields.String(required=True, validate=validate.Length(max=3))

    assert Plain().validate({}) == {"name": ["Missing data for required field."]}
    assert Plain().validate({"name": "abcd"}) == {"name": ["Longer than maximum length 3."]}
    assert Plain().validate({"name": "a\x00"}) == {}
    assert Ours().validate({}) == {"name": ["Wajib diisi."]}
    assert Ours().validate({"name": "abcd"}) == {"name": ["Maksimal 3 karakter."]}
    assert Ours().validate({"name": "a\x00"}) == {"name": ["Berisi karakter yang tidak sah."]}
    assert Ours().validate({"name": "a\x00"}) == {"name": ["Berisi karakter yang tidak sah."]}, "bound once per use"
