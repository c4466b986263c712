"""Staff lookups by NIK, KK, phone, name or tracking code, and the control card (custody log) of a parcel."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.recap import codes

from flow import drive, handed_over_recap

LOOKUP = "/api/v1/lookup"


@pytest.fixture
def crew(crew, login_as):
    """The office's crew and its operator."""
    crew.operator = login_as("operator")
    return crew


@pytest.fixture
def household(crew, documents) -> dict:
    """Two households handed over; the first one's parcel is out for delivery. Returns the first parcel's facts."""
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    parcel, _other = recap["parcels"]
    drive(crew, parcel, "out_for_delivery")
    ids = [d["id"] for d in parcel["documents"]]
    stored = db.session.scalars(sa.select(Document).where(Document.id.in_(ids))).all()
    return {"parcel": parcel, "documents": stored, "document_ids": sorted(d.id for d in stored)}


def _phone_national(facts):
    return "0" + facts["parcel"]["phone"].removeprefix("+62")


CRITERIA = [
    pytest.param(lambda f: {"nik": f["documents"][0].nik}, "one", id="nik"),
    pytest.param(lambda f: {"kk": f["documents"][0].kk_number}, "household", id="kk"),
    pytest.param(lambda f: {"phone": _phone_national(f)}, "household", id="phone-08"),
    pytest.param(lambda f: {"phone": f["parcel"]["phone"]}, "household", id="phone-e164"),
    pytest.param(lambda f: {"phone": "{0}-{1}-{2}".format(*(lambda n: (n[:4], n[4:8], n[8:]))(_phone_national(f)))},
                 "household", id="phone-with-hyphens"),
    pytest.param(lambda f: {"name": f["documents"][0].owner_name.upper()}, "one", id="name"),
    pytest.param(lambda f: {"tracking_code": codes.display(f["parcel"]["tracking_code"]).lower()}, "household",
                 id="tracking-code"),
]


def test_lookup_finds_documents_and_parcels_with_their_states(crew, household, subtests):
    for case in CRITERIA:
        criterion, expected = case.values
        with subtests.test(case.id):
            response = crew.operator.get(LOOKUP, query_string=criterion(household))

            assert response.status_code == 200, response.get_json()
            found = response.get_json()
            ids = sorted(d["id"] for d in found["documents"])
            if expected == "one":
                assert household["documents"][0].id in ids
            else:
                assert ids == household["document_ids"]
            assert all(d["status"] == "in_recap" for d in found["documents"])
            assert [(p["tracking_code"], p["status"]) for p in found["parcels"]] == [
                (household["parcel"]["tracking_code"], "out_for_delivery")]
            assert found["parcels"][0]["status_label"] == "Sedang diantar"


def test_lookup_finds_registered_documents_not_yet_packed(crew, documents):
    [document] = documents(crew.clerk.user, 1, seed=5)
    found = crew.operator.get(LOOKUP, query_string={"nik": document.nik}).get_json()
    assert [(d["id"], d["status"]) for d in found["documents"]] == [(document.id, "registered")]
    assert found["parcels"] == []


def test_lookup_sees_only_the_offices_own_records(crew, household, login_as, other_office, subtests):
    operator_b = login_as("operator", other_office)
    for case in CRITERIA:
        with subtests.test(case.id):
            response = operator_b.get(LOOKUP, query_string=case.values[0](household))
            assert response.status_code == 200
            assert response.get_json() == {"documents": [], "parcels": []}


def test_the_same_person_in_two_offices_is_found_once_in_each(crew, household, documents, login_as, other_office):
    operator_b = login_as("operator", other_office)
    documents(login_as("clerk", other_office).user, 4, seed=1)  # the same people registered at another office
    nik = household["documents"][0].nik

    mine = crew.operator.get(LOOKUP, query_string={"nik": nik}).get_json()["documents"]
    theirs = operator_b.get(LOOKUP, query_string={"nik": nik}).get_json()["documents"]

    assert [d["id"] for d in mine] == [household["documents"][0].id]
    assert len(theirs) == 1 and theirs[0]["id"] != mine[0]["id"] and theirs[0]["status"] == "registered"


@pytest.mark.parametrize("query", [{}, {"nik": ""}, {"nik": "   "}, {"name": "   "}],
                         ids=["nothing", "empty-nik", "blank-nik", "blank-name"])
def test_lookup_needs_a_criterion(crew, query):
    response = crew.operator.get(LOOKUP, query_string=query)
    assert response.status_code == 422


@pytest.mark.parametrize("query", [{"name": "ab"}, {"nik": "1" * 17}, {"colour": "merah"}, {"nik": "\x00" * 4},
                                   {"name": "Siti\x00"}],
                         ids=["short-name", "long-nik", "unknown-parameter", "nul-nik", "nul-name"])
def test_bad_lookups_are_422_not_500(crew, query):
    response = crew.operator.get(LOOKUP, query_string=query)
    assert response.status_code == 422, response.get_json()


def test_a_courier_may_not_look_up(crew, household):
    response = crew.courier.get(LOOKUP, query_string={"nik": household["documents"][0].nik})
    assert response.status_code == 403


# ---------------------------------------------------------------- the control card

def test_the_control_card_shows_each_step_in_chain_order(crew, household):
    code = household["parcel"]["tracking_code"]

    response = crew.operator.get(f"/api/v1/parcels/{codes.display(code)}/custody")

    assert response.status_code == 200, response.get_json()
    card = response.get_json()
    assert card["tracking_code"] == code and card["status"] == "out_for_delivery"
    events = card["events"]
    parcel_events = [e for e in events if e["subject_type"] == "parcel"]
    assert [e["action"] for e in parcel_events] == ["pack", "accept", "out_for_delivery"]
    document_actions = {(e["subject_id"], e["action"]) for e in events if e["subject_type"] == "document"}
    assert document_actions == {(i, a) for i in household["document_ids"] for a in ("register", "pack")}
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    accept = parcel_events[1]
    assert accept["actor"] == crew.courier.user.full_name and accept["actor_role"] == "courier"
    assert accept["from_party"] and accept["to_party"] is None or accept["from_party"]
    out = parcel_events[2]
    assert out["from_party"].startswith("Kurir") and "Kec." in out["to_party"]
    assert events[0]["waited_seconds"] is None
    assert all(isinstance(e["waited_seconds"], int) and e["waited_seconds"] >= 0 for e in events[1:])
    stored = {e.seq: e for e in db.session.scalars(sa.select(CustodyEvent))}
    for event in events:
        assert event["hash"] == stored[event["seq"]].hash and len(event["hash"]) == 64
        previous = stored.get(event["seq"] - 1)
        assert event["prev_hash"] == (previous.hash if previous else "0" * 64)


@pytest.mark.parametrize("code", [lambda c: codes.new_code(), lambda c: "bukan-kode"], ids=["unknown", "garbage"])
def test_the_control_card_of_an_unknown_parcel_is_404(crew, household, code):
    assert crew.operator.get(f"/api/v1/parcels/{code(household['parcel']['tracking_code'])}/custody").status_code == 404


def test_the_control_card_is_the_offices_own(crew, household, login_as, other_office):
    code = household["parcel"]["tracking_code"]
    assert login_as("kasubbag", other_office).get(f"/api/v1/parcels/{code}/custody").status_code == 404
    assert crew.courier.get(f"/api/v1/parcels/{code}/custody").status_code == 403
