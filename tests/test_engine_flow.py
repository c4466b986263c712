"""Through the API alone: a recap from submitted to closed, every step refused when out of turn."""
from distribusi.custody import verify_all

from flow import DELIVERED, FAILED, partner_id_of, scan, submitted_recap


def test_recap_goes_from_submitted_to_closed(login_as, documents, client):
    clerk, kasubbag, secretary, courier = (login_as(r) for r in ("clerk", "kasubbag", "secretary", "courier"))
    recap = submitted_recap(clerk, documents, count=6)
    partner_id = partner_id_of(kasubbag)

    first = kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter", json={"courier_partner_id": partner_id})
    assert first.status_code == 201 and first.get_json()["status"] == "awaiting_signature"
    rejected = secretary.post(f"/api/v1/cover-letters/{first.get_json()['id']}/reject", json={"note": "Lampiran kurang"})
    assert rejected.status_code == 200 and rejected.get_json()["rejection_note"] == "Lampiran kurang"
    assert kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "submitted"

    second = kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter", json={"courier_partner_id": partner_id})
    assert second.status_code == 201
    assert second.get_json()["letter_number"] != first.get_json()["letter_number"]
    signed = secretary.post(f"/api/v1/cover-letters/{second.get_json()['id']}/sign").get_json()
    assert signed["status"] == "signed" and len(signed["content_sha256"]) == 64

    verified = client.get(f"/api/v1/public/verify/{signed['verification_code']}").get_json()
    assert verified["intact"] is True and verified["letter_number"] == signed["letter_number"]
    assert verified["parcel_count"] == len(recap["parcels"])

    handover = kasubbag.post(f"/api/v1/recaps/{recap['id']}/handover",
                             json={"courier_partner_id": partner_id, "received_by": "Joko Susilo"})
    assert handover.status_code == 201
    assert handover.get_json()["acceptance"]["accepted"] == 0

    codes = [p["tracking_code"] for p in recap["parcels"]]
    for code in codes:
        assert scan(courier, code, "accept").status_code == 201
    assert kasubbag.get(f"/api/v1/handovers/{handover.get_json()['id']}").get_json()["acceptance"]["not_accepted"] == []
    for code in codes:
        assert scan(courier, code, "out_for_delivery").status_code == 201
    delivered, failed, *others = codes
    assert scan(courier, delivered, "delivered", **DELIVERED).status_code == 201
    assert scan(courier, failed, "failed", **FAILED).status_code == 201
    assert scan(courier, failed, "return").status_code == 201
    for code in others:
        assert scan(courier, code, "delivered", **DELIVERED).status_code == 201

    returns = kasubbag.post("/api/v1/returns", json={"courier_partner_id": partner_id, "tracking_codes": [failed]})
    assert returns.status_code == 201
    assert [r["tracking_code"] for r in returns.get_json()["received"]] == [failed]
    assert returns.get_json()["missing"] == [] and returns.get_json()["unexpected"] == []
    undelivered = clerk.get("/api/v1/undelivered").get_json()
    assert [p["tracking_code"] for p in undelivered["items"]] == [failed]
    assert undelivered["items"][0]["failure_label"] == "Penerima tidak di tempat"

    assert kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "handed_over"
    collected = clerk.post(f"/api/v1/parcels/{failed}/collected", json={"collected_by": "Siti Aminah"})
    assert collected.status_code == 200 and collected.get_json()["status"] == "collected"
    assert kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()["status"] == "closed"
    assert clerk.get("/api/v1/undelivered").get_json()["items"] == []

    card = kasubbag.get(f"/api/v1/parcels/{failed}/custody").get_json()["events"]
    parcel_steps = [e["action"] for e in card if e["subject_type"] == "parcel"]
    assert parcel_steps == ["pack", "accept", "out_for_delivery", "failed", "return", "receive_return", "collect"]
    assert verify_all() == []


def test_label_and_letter_qr_targets_answer_in_indonesian(login_as, documents, client):
    from flow import signed_recap

    clerk, kasubbag, secretary = login_as("clerk"), login_as("kasubbag"), login_as("secretary")
    recap, letter = signed_recap(clerk, kasubbag, secretary, documents)
    parcel = recap["parcels"][0]
    page = client.get(f"/k/{parcel['tracking_code'].lower()}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Dikemas" in text and parcel["address"]["street"] not in text and parcel["recipient_name"] not in text
    assert client.get("/k/XXXXXXXXXX").status_code == 404
    verify = client.get(f"/verifikasi/{letter['verification_code']}")
    assert verify.status_code == 200 and "isinya utuh" in verify.get_data(as_text=True)
    assert client.get("/verifikasi/bukan-kode").status_code == 404
