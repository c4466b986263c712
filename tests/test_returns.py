"""Returns from the courier partner: reconciliation, the undelivered list, counter collection, repacking, closing."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from distribusi.custody import CustodyEvent, verify_all
from distribusi.extensions import db
from distribusi.models import CourierPartner
from distribusi.recap import codes
from distribusi.recap.models import Parcel

from flow import DELIVERED, drive, handed_over_recap, scan, signed_recap

RETURNS = "/api/v1/returns"


def receive(crew, codes_: list[str], partner_id: int | None = None):
    return crew.kasubbag.post(RETURNS, json={"courier_partner_id": partner_id or crew.partner_id,
                                             "tracking_codes": codes_})


def status_of(code: str) -> str:
    return db.session.scalar(sa.select(Parcel.status).where(Parcel.tracking_code == code)).value


def events() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CustodyEvent))


def _second_partners_parcel(crew, documents, login_as) -> str:
    """A parcel handed over to a second partner of the same office."""
    admin = login_as("admin")
    partner = admin.post("/api/v1/admin/courier-partners",
                         json={"name": "PT Tiki Kurir", "contract_number": "044/PKS/2026"}).get_json()["id"]
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2, seed=9,
                              partner_id=partner, received_by="Budi")
    return recap["parcels"][0]["tracking_code"]


def test_returns_are_reconciled_into_received_unexpected_and_missing(crew, documents, login_as):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=10)
    failed, delivered, on_the_way, never_scanned, with_courier = (p["tracking_code"] for p in recap["parcels"])
    drive(crew, recap["parcels"][0], "returning")
    drive(crew, recap["parcels"][1], "delivered")
    drive(crew, recap["parcels"][2], "out_for_delivery")
    drive(crew, recap["parcels"][4], "with_courier")
    others = _second_partners_parcel(crew, documents, login_as)
    unknown = codes.new_code()
    listed = [
        failed, codes.display(failed).lower(), f"https://distribusi.test/k/{failed}",  # one parcel, three ways
        never_scanned,  # handed over, never scanned in, brought back
        unknown, unknown,
        others, delivered,
        "sampah-bukan-kode", "sampah-bukan-kode",
    ]

    response = receive(crew, listed)

    assert response.status_code == 201, response.get_json()
    batch = response.get_json()
    assert [r["tracking_code"] for r in batch["received"]] == [failed, never_scanned]
    assert all(r["status"] == "returned" for r in batch["received"])
    unexpected = {r["tracking_code"]: r["reason"] for r in batch["unexpected"]}
    assert len(batch["unexpected"]) == len(unexpected) == 4, batch["unexpected"]  # each listed once
    assert set(unexpected) == {unknown, others, delivered, "sampah-bukan-kode"}
    assert "tidak dikenal" in unexpected[unknown]
    assert "bukan kiriman mitra" in unexpected[others]
    assert "diterima" in unexpected[delivered]
    assert "tidak sah" in unexpected["sampah-bukan-kode"]
    assert sorted(r["tracking_code"] for r in batch["missing"]) == sorted([on_the_way, with_courier])
    assert {(r["tracking_code"], r["status"]) for r in batch["missing"]} == {
        (on_the_way, "out_for_delivery"), (with_courier, "with_courier")}
    assert [status_of(c) for c in (failed, never_scanned, delivered, on_the_way, others)] == [
        "returned", "returned", "delivered", "out_for_delivery", "packed"]
    assert verify_all() == []


def test_receiving_the_same_parcel_again_is_unexpected(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    code = recap["parcels"][0]["tracking_code"]
    drive(crew, recap["parcels"][0], "returning")
    assert receive(crew, [code]).status_code == 201
    before = events()

    again = receive(crew, [code]).get_json()

    assert again["received"] == [] and again["missing"] == []
    assert [r["tracking_code"] for r in again["unexpected"]] == [code]
    assert events() == before


def test_returns_need_a_partner_of_the_office(crew, documents, other_office, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    code = recap["parcels"][0]["tracking_code"]
    other_offices = db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == other_office.id))
    cases = [("unknown", 999_999, 409), ("other-office", other_offices, 409), ("string-id", "1", 422),
             ("null", None, 422), ("beyond-32-bits", 2**31, 422)]
    for case, partner, status in cases:
        with subtests.test(case):
            response = crew.kasubbag.post(RETURNS, json={"courier_partner_id": partner, "tracking_codes": [code]})

            assert response.status_code == status, response.get_json()
            assert "courier_partner_id" in response.get_json()["error"]["fields"]
            assert status_of(code) == "packed"


@pytest.mark.parametrize("tracking_codes", [[], [1, 2]], ids=["empty", "numbers"])
def test_returns_need_a_list_of_codes(crew, tracking_codes):
    response = crew.kasubbag.post(RETURNS, json={"courier_partner_id": crew.partner_id,
                                                 "tracking_codes": tracking_codes})
    assert response.status_code == 422
    assert "tracking_codes" in response.get_json()["error"]["fields"]


def test_a_returned_parcel_tells_the_citizen_to_come_to_the_counter(crew, documents):
    from distribusi.notify.models import OutboxMessage

    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    drive(crew, recap["parcels"][0], "returning")
    receive(crew, [recap["parcels"][0]["tracking_code"]])

    message = db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    assert message.template == "parcel_returned" and message.recipient == recap["parcels"][0]["phone"]


# ---------------------------------------------------------------- the undelivered list

def test_the_undelivered_list_holds_returned_parcels_with_the_reason(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=6)
    failed, never_tried, delivered = recap["parcels"]
    drive(crew, failed, "returning")
    drive(crew, delivered, "delivered")
    receive(crew, [failed["tracking_code"], never_tried["tracking_code"]])

    listed = crew.clerk.get("/api/v1/undelivered").get_json()

    assert listed["total"] == 2
    by_code = {item["tracking_code"]: item for item in listed["items"]}
    assert set(by_code) == {failed["tracking_code"], never_tried["tracking_code"]}
    assert by_code[failed["tracking_code"]]["failure_reason"] == "recipient_absent"
    assert by_code[failed["tracking_code"]]["failure_label"] == "Penerima tidak di tempat"
    assert by_code[failed["tracking_code"]]["failed_attempts"] == 1
    assert by_code[never_tried["tracking_code"]]["failure_label"] == "Tidak dicoba diantar"
    assert by_code[failed["tracking_code"]]["document_ids"] == [d["id"] for d in failed["documents"]]
    assert by_code[failed["tracking_code"]]["recap_number"] == recap["number"]

    crew.clerk.post(f"/api/v1/parcels/{failed['tracking_code']}/collected", json={})
    assert [i["tracking_code"] for i in crew.clerk.get("/api/v1/undelivered").get_json()["items"]] == [
        never_tried["tracking_code"]]


def test_the_undelivered_list_is_the_offices_own(crew, documents, login_as, other_office):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    drive(crew, recap["parcels"][0], "returned")

    other = login_as("kasubbag", other_office).get("/api/v1/undelivered").get_json()

    assert other == {"items": [], "total": 0}


# ---------------------------------------------------------------- collection at the counter

COLLECTABLE = {"packed": 409, "with_courier": 409, "out_for_delivery": 409, "delivered": 409,
               "failed_attempt": 409, "returning": 409, "collected": 409, "repacked": 409, "returned": 200}


def test_only_a_returned_parcel_is_collected(crew, documents, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2 * len(COLLECTABLE))
    parcels = dict(zip(COLLECTABLE, recap["parcels"], strict=True))
    for state, parcel in parcels.items():
        drive(crew, parcel, state)

    for state, status in COLLECTABLE.items():
        with subtests.test(state):
            parcel = parcels[state]
            before = events()

            response = crew.clerk.post(f"/api/v1/parcels/{codes.display(parcel['tracking_code']).lower()}/collected",
                                       json={"collected_by": "Siti Aminah", "note": "Membawa KTP-el asli"})

            assert response.status_code == status, response.get_json()
            if status == 200:
                assert response.get_json()["status"] == "collected"
                assert status_of(parcel["tracking_code"]) == "collected"
                event = db.session.scalars(sa.select(CustodyEvent).where(
                    CustodyEvent.subject_type == "parcel", CustodyEvent.subject_id == parcel["id"])
                    .order_by(CustodyEvent.seq.desc())).first()
                assert event.action == "collect" and "Siti Aminah" in event.to_party
            else:
                assert response.get_json()["error"]["code"] == "invalid_transition"
                assert events() == before and status_of(parcel["tracking_code"]) == state


def test_a_nul_in_a_scanned_code_is_refused_like_any_unstorable_text(crew, documents):
    response = receive(crew, ["ABC\x00DEF"])
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["error"]["fields"]["tracking_codes"] == {"0": ["Berisi karakter yang tidak sah."]}


def test_a_bad_collection_body_is_422(crew, documents, subtests):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    code = recap["parcels"][0]["tracking_code"]
    drive(crew, recap["parcels"][0], "returned")
    cases = [("nul-name", {"collected_by": "Siti\x00"}), ("nul-note", {"note": "KTP\x00"}),
             ("too-long", {"collected_by": "x" * 201}), ("unknown-field", {"diambil": "Siti"})]
    for case, body in cases:
        with subtests.test(case):
            response = crew.clerk.post(f"/api/v1/parcels/{code}/collected", json=body)
            assert response.status_code == 422, response.get_json()
            assert status_of(code) == "returned"


@pytest.mark.parametrize("code", [lambda: codes.new_code(), lambda: "bukan-kode"], ids=["unknown", "garbage"])
def test_collecting_an_unknown_parcel_is_404(crew, code):
    response = crew.clerk.post(f"/api/v1/parcels/{code()}/collected", json={})
    assert response.status_code == 404


def test_collection_needs_no_body(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    drive(crew, recap["parcels"][0], "returned")
    response = crew.clerk.post(f"/api/v1/parcels/{recap['parcels'][0]['tracking_code']}/collected")
    assert response.status_code == 200, response.get_json()


# ---------------------------------------------------------------- repacking and closing

def test_a_returned_parcels_documents_go_into_a_new_recap(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    returned, delivered = recap["parcels"]
    drive(crew, returned, "returned")
    drive(crew, delivered, "delivered")
    document_ids = [d["id"] for d in returned["documents"]]

    response = crew.clerk.post("/api/v1/recaps", json={"document_ids": document_ids})

    assert response.status_code == 201, response.get_json()
    new = response.get_json()
    assert [d["id"] for p in new["parcels"] for d in p["documents"]] == document_ids
    assert new["parcels"][0]["tracking_code"] != returned["tracking_code"]
    assert new["parcels"][0]["status"] == "packed"
    assert status_of(returned["tracking_code"]) == "repacked"
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "closed"
    assert crew.clerk.get("/api/v1/undelivered").get_json()["items"] == []
    stored = db.session.scalar(sa.select(Parcel).where(Parcel.tracking_code == new["parcels"][0]["tracking_code"]))
    assert stored.previous_parcel_id == returned["id"]
    again = crew.clerk.post("/api/v1/recaps", json={"document_ids": document_ids})
    assert again.status_code == 409  # now in a live parcel again


def test_a_parcel_still_with_the_courier_cannot_be_repacked(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=2)
    drive(crew, recap["parcels"][0], "returning")

    document_ids = [d["id"] for d in recap["parcels"][0]["documents"]]

    response = crew.clerk.post("/api/v1/recaps", json={"document_ids": document_ids})

    assert response.status_code == 409
    assert status_of(recap["parcels"][0]["tracking_code"]) == "returning"


@pytest.mark.parametrize("last_step", ["delivered", "collected", "repacked"])
def test_a_recap_closes_when_every_parcel_is_done(crew, documents, last_step):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=8)
    parcels = recap["parcels"]
    finals = ["delivered", "collected", "repacked"]
    finals.remove(last_step)
    drive(crew, parcels[0], finals[0])
    drive(crew, parcels[1], finals[1])
    drive(crew, parcels[2], "delivered")
    drive(crew, parcels[3], "returned" if last_step != "delivered" else "out_for_delivery")
    url = f"/api/v1/recaps/{recap['id']}"
    assert crew.kasubbag.get(url).get_json()["status"] == "handed_over"

    if last_step == "delivered":
        scan(crew.courier, parcels[3]["tracking_code"], "delivered", **DELIVERED)
    elif last_step == "collected":
        crew.clerk.post(f"/api/v1/parcels/{parcels[3]['tracking_code']}/collected", json={})
    else:
        crew.clerk.post("/api/v1/recaps", json={"document_ids": [d["id"] for d in parcels[3]["documents"]]})

    closed = crew.kasubbag.get(url).get_json()
    assert closed["status"] == "closed"
    assert sorted(p["status"] for p in closed["parcels"]) == sorted(finals + ["delivered", last_step])
    assert verify_all() == []


def test_a_recap_with_a_parcel_at_the_office_stays_open(crew, documents):
    recap = handed_over_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    drive(crew, recap["parcels"][0], "delivered")
    drive(crew, recap["parcels"][1], "returned")
    assert crew.kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "handed_over"


def test_a_signed_letter_stays_intact_through_returns_and_repacking(crew, documents, client):
    recap, letter = signed_recap(crew.clerk, crew.kasubbag, crew.secretary, documents, count=4)
    crew.kasubbag.post(f"/api/v1/recaps/{recap['id']}/handover",
                       json={"courier_partner_id": crew.partner_id, "received_by": "Joko"})
    drive(crew, recap["parcels"][0], "repacked")
    drive(crew, recap["parcels"][1], "collected")

    verified = client.get(f"/api/v1/public/verify/{letter['verification_code']}").get_json()

    assert verified["intact"] is True and verified["parcel_count"] == 2
