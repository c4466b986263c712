"""The citizen's processing trail (UU PDP Pasal 32): staff reads logged apart from the custody chain, requests and
their answers as JSON and PDF, within one office."""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from distribusi import all_models  # noqa: F401  (first: importing a stage's models alone meets an import cycle)
from distribusi.custody import verify_all
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.privacy.models import AccessEvent, AccessSubject, TrailAnswer, TrailRequest
from distribusi.privacy.schemas import TrailOut

from flow import drive, handed_over_recap
from test_printing_support import pdf_text

ROLES = ("clerk", "kasubbag", "secretary", "courier", "operator", "kasi", "kabid", "head", "admin")
ANSWERING = {"operator", "admin"}
NOBODY = "3171015508900007"  # a well-formed NIK the office holds nothing about


@pytest.fixture
def citizen(crew, documents):
    """A handed-over recap whose first parcel was delivered: (recap JSON, parcel JSON, the citizen's document JSON)."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    parcel = recap["parcels"][0]
    drive(crew, parcel, "delivered")
    first = db.session.get(Document, parcel["documents"][0]["id"])
    return recap, parcel, {"id": first.id, "nik": first.nik}


def ask(operator, nik: str, **extra):
    body = {"nik": nik, "requester_name": "Rizky Lestari", "request_date": date.today().isoformat(),
            "letter_number": "045/PDP/XII/2026", **extra}
    response = operator.post("/api/v1/pdp/requests", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def trail_of(operator, request_id: int) -> dict:
    response = operator.get(f"/api/v1/pdp/requests/{request_id}/trail.json")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def test_the_trail_walks_a_citizen_through_every_step(citizen, crew, login_as):
    recap, parcel, document = citizen
    operator = login_as("operator")
    trail = trail_of(operator, ask(operator, document["nik"])["id"])
    assert TrailOut().validate(trail) == {}
    assert [d["id"] for d in trail["documents"]] == [document["id"]]
    held = trail["documents"][0]
    assert (held["nik"], held["registered_by"]["name"]) == (document["nik"], crew.clerk.user.full_name)
    assert held["address"]["kelurahan"] and held["phone"]
    [shipped] = trail["parcels"]
    assert (shipped["tracking_code"], shipped["recap_number"], shipped["status"]) == \
        (parcel["tracking_code"], recap["number"], "delivered")
    assert shipped["own_documents"] == [document["id"]] and shipped["other_documents"] == len(parcel["documents"]) - 1
    assert shipped["photos"] == []
    steps = [(s["subject_type"], s["action"]) for s in trail["steps"]]
    for step in [("document", "register"), ("recap", "create"), ("document", "pack"), ("recap", "submit"),
                 ("recap", "issue_letter"), ("recap", "sign_letter"), ("recap", "hand_over"), ("parcel", "accept"),
                 ("parcel", "out_for_delivery"), ("parcel", "delivered")]:
        assert step in steps
    other = parcel["documents"][1]["id"]
    assert all(f" {other}" not in s["subject"] for s in trail["steps"])  # a household member's document is not listed
    handover = next(s for s in trail["steps"] if s["action"] == "hand_over")
    assert handover["actor"]["name"] == crew.kasubbag.user.full_name and "Joko Susilo" in handover["to_party"]
    assert [m["template"] for m in trail["messages"]] == ["parcel_out_for_delivery", "parcel_delivered"]
    assert {m["tracking_code"] for m in trail["messages"]} == {parcel["tracking_code"]}
    assert verify_all() == []  # the access log lives apart: the custody chain is untouched


def test_staff_lookups_cards_and_papers_appear_with_who_when_and_why(citizen, crew, login_as):
    recap, parcel, document = citizen
    assert crew.clerk.get(f"/api/v1/lookup?nik={document['nik']}").status_code == 200
    assert crew.kasubbag.get(f"/api/v1/parcels/{parcel['tracking_code']}/custody").status_code == 200
    assert crew.clerk.get(f"/api/v1/recaps/{recap['id']}/labels.pdf").status_code == 200
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}/recap.xlsx").status_code == 200
    assert crew.clerk.get(f"/api/v1/lookup?nik={NOBODY}").status_code == 200  # someone else: not in this trail
    operator = login_as("operator")
    accesses = trail_of(operator, ask(operator, document["nik"])["id"])["accesses"]
    seen = [(a["actor"]["name"], a["purpose"], a["channel"]) for a in accesses]
    assert seen == [
        (crew.clerk.user.full_name, "lookup", "api"),
        (crew.kasubbag.user.full_name, "custody_card", "api"),
        (crew.clerk.user.full_name, "labels_print", "api"),
        (crew.kasubbag.user.full_name, "recap_export", "api"),
    ]
    assert accesses[0]["purpose_label"] == "Pencarian data oleh petugas" and accesses[0]["context"] == "Kriteria: nik"
    assert accesses[2]["context"] == recap["number"] and accesses[0]["at"] <= accesses[-1]["at"]
    # producing the answer was itself a read of the citizen's data: the next answer shows it
    again = trail_of(operator, ask(operator, document["nik"])["id"])["accesses"]
    assert again[-1]["purpose"] == "trail_answer" and again[-1]["actor"]["name"] == operator.user.full_name


def test_the_access_log_holds_digests_not_niks(citizen, crew):
    _recap, _parcel, document = citizen
    crew.clerk.get(f"/api/v1/lookup?nik={NOBODY}")
    crew.clerk.get(f"/api/v1/lookup?nik={document['nik']}")
    digests = db.session.scalars(sa.select(AccessSubject.nik_digest)).all()
    # the NIK searched for, the citizen's document and the household member's in the same parcel: three people
    assert len(set(digests)) == 3 and all(len(d) == 64 and d not in (NOBODY, document["nik"]) for d in digests)
    events = db.session.scalars(sa.select(AccessEvent)).all()
    assert all(document["nik"] not in (e.context or "") and NOBODY not in (e.context or "") for e in events)


def test_the_access_log_and_answers_are_append_only(citizen, crew, login_as):
    _recap, _parcel, document = citizen
    crew.clerk.get(f"/api/v1/lookup?nik={document['nik']}")
    operator = login_as("operator")
    trail_of(operator, ask(operator, document["nik"])["id"])
    for model in (AccessEvent, AccessSubject, TrailAnswer):
        row = db.session.scalars(sa.select(model)).first()
        db.session.delete(row)
        with pytest.raises(TypeError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_another_office_never_appears(citizen, crew, login_as, documents, make_user, other_office):
    _recap, _parcel, document = citizen
    metro_clerk = make_user("clerk", other_office)
    [twin] = documents(metro_clerk, 1, seed=5, nik=document["nik"], city="Metro")  # same NIK, the other office
    metro_operator, metro_clerk_api = login_as("operator", other_office), login_as("clerk", other_office)
    metro_clerk_api.get(f"/api/v1/lookup?nik={document['nik']}")
    operator = login_as("operator")
    mine = ask(operator, document["nik"])
    trail = trail_of(operator, mine["id"])
    assert [d["id"] for d in trail["documents"]] == [document["id"]] and trail["accesses"] == []
    theirs = trail_of(metro_operator, ask(metro_operator, document["nik"])["id"])
    assert [d["id"] for d in theirs["documents"]] == [twin.id] and theirs["parcels"] == theirs["steps"][1:] == []
    assert [a["actor"]["name"] for a in theirs["accesses"]] == [metro_clerk_api.user.full_name]
    for path in ("", "/trail.json", "/trail.pdf"):
        assert metro_operator.get(f"/api/v1/pdp/requests/{mine['id']}{path}").status_code == 404
    listed = metro_operator.get("/api/v1/pdp/requests").get_json()
    assert [item["id"] for item in listed["items"]] != [] and mine["id"] not in [i["id"] for i in listed["items"]]


def test_a_nik_with_nothing_gets_an_empty_but_valid_answer(login_as):
    operator = login_as("operator")
    request_id = ask(operator, NOBODY)["id"]
    trail = trail_of(operator, request_id)
    assert TrailOut().validate(trail) == {}
    assert trail["nik"] == NOBODY and trail["request"]["id"] == request_id
    assert [trail[k] for k in ("documents", "parcels", "steps", "messages", "accesses")] == [[], [], [], [], []]
    pdf = operator.get(f"/api/v1/pdp/requests/{request_id}/trail.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data)
    assert NOBODY in text and "0 dokumen, 0 kiriman" in text and "Tidak ada catatan." in text


def test_the_pdf_holds_the_entries_and_the_answer_is_recorded(citizen, crew, login_as):
    recap, parcel, document = citizen
    crew.clerk.get(f"/api/v1/lookup?nik={document['nik']}")
    operator = login_as("operator")
    request_id = ask(operator, document["nik"])["id"]
    response = operator.get(f"/api/v1/pdp/requests/{request_id}/trail.pdf")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    text = pdf_text(response.data)
    for expected in ("JEJAK PEMROSESAN DATA PRIBADI", document["nik"], "Rizky Lestari", "045/PDP/XII/2026",
                     parcel["tracking_code"], recap["number"], "Diserahkan ke mitra kurir", "Diserahkan kepada penerima",
                     "Pemberitahuan: kiriman diterima", "Pencarian data oleh petugas", crew.clerk.user.full_name,
                     "Kriteria: nik"):
        assert expected in text, expected
    answered = operator.get(f"/api/v1/pdp/requests/{request_id}").get_json()
    [answer] = answered["answers"]
    assert answer["format"] == "pdf" and answer["produced_by"]["name"] == operator.user.full_name
    assert answer["sha256"] == hashlib.sha256(response.data).hexdigest() and answer["entry_count"] > 10
    assert answered["answered_at"] == answer["produced_at"]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_record_and_answer_requests(app, login_as, role):
    api = login_as(role)
    body = {"nik": NOBODY, "requester_name": "Pemohon", "request_date": date.today().isoformat(), "letter_number": "1"}
    created = api.post("/api/v1/pdp/requests", json=body)
    listed = api.get("/api/v1/pdp/requests")
    if role in ANSWERING:
        assert (created.status_code, listed.status_code) == (201, 200)
        assert api.get(f"/api/v1/pdp/requests/{created.get_json()['id']}/trail.json").status_code == 200
    else:
        assert (created.status_code, listed.status_code) == (403, 403)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TrailRequest)) == 0


@pytest.mark.parametrize(("change", "field"), [
    ({"nik": "12345"}, "nik"),
    ({"nik": "147101190793965X"}, "nik"),
    ({"requester_name": "   "}, "requester_name"),
    ({"letter_number": None}, "letter_number"),
    ({"request_date": (date.today() + timedelta(days=2)).isoformat()}, "request_date"),
])
def test_a_bad_request_is_refused_and_nothing_is_written(login_as, change, field):
    operator = login_as("operator")
    body = {"nik": NOBODY, "requester_name": "Pemohon", "request_date": date.today().isoformat(),
            "letter_number": "045/PDP", **change}
    response = operator.post("/api/v1/pdp/requests", json=body)
    assert response.status_code == 422 and field in response.get_json()["error"]["fields"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(TrailRequest)) == 0


def test_the_list_filters_by_nik_requester_and_answer(login_as):
    operator = login_as("operator")
    first, second = ask(operator, NOBODY, requester_name="Ani"), ask(operator, "1471011907939652", requester_name="Budi")
    trail_of(operator, first["id"])

    def ids(query: str) -> list[int]:
        return [item["id"] for item in operator.get(f"/api/v1/pdp/requests?{query}").get_json()["items"]]

    assert ids("") == [second["id"], first["id"]]
    assert ids(f"q={NOBODY}") == [first["id"]] and ids("q=bud") == [second["id"]]
    assert ids("status=answered") == [first["id"]] and ids("status=open") == [second["id"]]


def test_the_server_command_records_the_request_and_writes_both_answers(citizen, make_user, runner, tmp_path):
    _recap, parcel, document = citizen
    operator = make_user("operator")
    pdf, answer = tmp_path / "jejak.pdf", tmp_path / "jejak.json"
    result = runner.invoke(args=["pdp", "trail", "--nik", document["nik"], "--operator", operator.username,
                                 "--requester", "Rizky Lestari", "--letter", "045/PDP", "--pdf", str(pdf),
                                 "--json", str(answer)])
    assert result.exit_code == 0, result.output
    assert parcel["tracking_code"] in pdf_text(pdf.read_bytes())
    assert json.loads(answer.read_text())["documents"][0]["nik"] == document["nik"]
    saved = db.session.scalar(sa.select(TrailRequest))
    assert [(a.format, a.produced_by_id) for a in saved.answers] == [("pdf", operator.id), ("json", operator.id)]
    refused = runner.invoke(args=["pdp", "trail", "--nik", NOBODY, "--operator", make_user("clerk").username,
                                  "--requester", "X", "--letter", "1"])
    assert refused.exit_code != 0 and "bukan pengguna" in refused.output
