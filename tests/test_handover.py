"""Handover of a signed recap to the letter's courier partner, and the courier's acceptance of its parcels."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.custody import CustodyEvent, verify_all
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.models import CourierPartner

from concurrency import post_as, race
from flow import letter_awaiting_signature, scan, signed_recap, submitted_recap


@pytest.fixture
def crew(crew, login_as):
    """The office's crew and its admin."""
    crew.admin = login_as("admin")
    return crew


def hand_over(crew, recap_id: int, **body):
    return crew.kasubbag.post(f"/api/v1/recaps/{recap_id}/handover",
                              json={"courier_partner_id": crew.partner_id, "received_by": "Joko Susilo", **body})


def counts() -> tuple[int, int]:
    return (db.session.scalar(sa.select(sa.func.count()).select_from(Handover)),
            db.session.scalar(sa.select(sa.func.count()).select_from(CustodyEvent)))


def _submitted(crew, documents):
    return submitted_recap(crew.clerk, documents)


def _letter_pending(crew, documents):
    return letter_awaiting_signature(crew.clerk, crew.kasubbag, documents)[0]


def _letter_rejected(crew, documents):
    recap = submitted_recap(crew.clerk, documents)
    letter = crew.kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter",
                                json={"courier_partner_id": crew.partner_id}).get_json()
    assert crew.secretary.post(f"/api/v1/cover-letters/{letter['id']}/reject",
                               json={"note": "Salah nomor"}).status_code == 200
    return recap


@pytest.mark.parametrize("make_recap, state", [
    (_submitted, "submitted"), (_letter_pending, "letter_pending"), (_letter_rejected, "submitted"),
], ids=["submitted", "letter_pending", "letter_rejected"])
def test_handover_needs_a_signed_letter(crew, documents, make_recap, state):
    recap = make_recap(crew, documents)
    before = counts()

    response = hand_over(crew, recap["id"])

    assert response.status_code == 409, response.get_json()
    assert counts() == before
    after = crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()
    assert after["status"] == state
    assert all(p["status"] == "packed" for p in after["parcels"])
    assert scan(crew.courier, after["parcels"][0]["tracking_code"], "accept").status_code == 404


def _second_partner(crew, other_office):
    return crew.admin.post("/api/v1/admin/courier-partners",
                           json={"name": "PT Tiki Kurir", "contract_number": "044/PKS/2026"}).get_json()["id"]


def _other_office_partner(crew, other_office):
    return db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == other_office.id))


def test_handover_only_to_the_letters_partner(crew, documents, other_office, subtests):
    recap, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    wrong = {"another-partner": _second_partner(crew, other_office),
             "other-office-partner": _other_office_partner(crew, other_office), "unknown-partner": 999_999}
    for case, partner_id in wrong.items():
        with subtests.test(case):
            before = counts()

            response = hand_over(crew, recap["id"], courier_partner_id=partner_id)

            assert response.status_code == 409, response.get_json()
            assert "courier_partner_id" in response.get_json()["error"]["fields"]
            assert counts() == before
            assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "signed"
    assert hand_over(crew, recap["id"]).status_code == 201


BAD_RECEIVERS = [("missing", "MISSING"), ("null", None), ("empty", ""), ("blank", "   "), ("too-long", "x" * 201),
                 ("number", 42), ("nul-character", "Joko\x00")]


def test_handover_needs_the_receiving_staff(crew, documents, subtests):
    recap, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    for case, received_by in BAD_RECEIVERS:
        with subtests.test(case):
            body = {"courier_partner_id": crew.partner_id}
            if received_by != "MISSING":
                body["received_by"] = received_by
            before = counts()

            response = crew.kasubbag.post(f"/api/v1/recaps/{recap['id']}/handover", json=body)

            assert response.status_code == 422, response.get_json()
            assert "received_by" in response.get_json()["error"]["fields"]
            assert counts() == before
    assert hand_over(crew, recap["id"]).status_code == 201


def test_handover_shows_acceptance_as_the_courier_scans(crew, documents):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=6)
    codes = [p["tracking_code"] for p in recap["parcels"]]

    created = hand_over(crew, recap["id"], received_by="  Joko Susilo ")

    assert created.status_code == 201, created.get_json()
    handover = created.get_json()
    assert handover["received_by"] == "Joko Susilo"
    assert handover["letter_number"] == letter["letter_number"]
    assert handover["courier_partner_id"] == crew.partner_id
    assert handover["acceptance"] == {"total": 3, "accepted": 0, "not_accepted": codes}
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "handed_over"

    url = f"/api/v1/handovers/{handover['id']}"
    assert scan(crew.courier, codes[1], "accept").status_code == 201
    assert crew.kasubbag.get(url).get_json()["acceptance"] == {
        "total": 3, "accepted": 1, "not_accepted": [codes[0], codes[2]]}
    assert scan(crew.courier, codes[0], "accept").status_code == 201
    assert scan(crew.courier, codes[0], "out_for_delivery").status_code == 201  # moving on still counts
    assert crew.kasubbag.get(url).get_json()["acceptance"] == {"total": 3, "accepted": 2, "not_accepted": [codes[2]]}


def test_a_parcel_received_back_without_a_scan_stays_a_discrepancy(crew, documents):
    recap, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    handover = hand_over(crew, recap["id"]).get_json()
    code = recap["parcels"][0]["tracking_code"]

    returned = crew.kasubbag.post("/api/v1/returns", json={"courier_partner_id": crew.partner_id,
                                                           "tracking_codes": [code]})

    assert returned.status_code == 201
    acceptance = crew.kasubbag.get(f"/api/v1/handovers/{handover['id']}").get_json()["acceptance"]
    assert acceptance == {"total": 2, "accepted": 0, "not_accepted": [p["tracking_code"] for p in recap["parcels"]]}


def test_a_second_handover_is_refused(crew, documents):
    recap, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    assert hand_over(crew, recap["id"]).status_code == 201
    before = counts()

    again = hand_over(crew, recap["id"], received_by="Orang Lain")

    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_transition"
    assert counts() == before


# ---------------------------------------------------------------- concurrency (PostgreSQL)

@pytest.mark.postgres_only
def test_concurrent_handovers_of_one_recap_give_one(crew, documents):
    recap, _letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents)
    body = {"courier_partner_id": crew.partner_id, "received_by": "Joko"}

    results = race(6, lambda _: post_as(crew.kasubbag.token, f"/api/v1/recaps/{recap['id']}/handover", body))

    statuses = [status for status, _ in results]
    assert sorted(statuses) == [201] + [409] * 5
    assert counts()[0] == 1
    assert verify_all() == []
