"""Helpers that walk a recap through the engine by the JSON API, as integrations and the pages do."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime


def submitted_recap(clerk, documents, count: int = 4, seed: int = 1) -> dict:
    """A submitted recap of freshly registered documents; returns the recap JSON."""
    docs = documents(clerk.user, count, seed=seed)
    recap = clerk.post("/api/v1/recaps", json={"document_ids": [d.id for d in docs]})
    assert recap.status_code == 201, recap.get_json()
    submitted = clerk.post(f"/api/v1/recaps/{recap.get_json()['id']}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    return submitted.get_json()


def partner_id_of(api) -> int:
    return api.get("/api/v1/admin/courier-partners").get_json()["items"][0]["id"]


def signed_recap(clerk, kasubbag, secretary, documents, count: int = 4, seed: int = 1) -> tuple[dict, dict]:
    """A recap whose letter is signed; returns (recap, letter) JSON."""
    recap = submitted_recap(clerk, documents, count, seed)
    letter = kasubbag.post(f"/api/v1/recaps/{recap['id']}/cover-letter",
                           json={"courier_partner_id": partner_id_of(kasubbag)})
    assert letter.status_code == 201, letter.get_json()
    signed = secretary.post(f"/api/v1/cover-letters/{letter.get_json()['id']}/sign")
    assert signed.status_code == 200, signed.get_json()
    return kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json(), signed.get_json()


def handed_over_recap(clerk, kasubbag, secretary, documents, count: int = 4, seed: int = 1) -> dict:
    """A recap handed over to the courier partner; returns the recap JSON."""
    recap, _letter = signed_recap(clerk, kasubbag, secretary, documents, count, seed)
    handover = kasubbag.post(f"/api/v1/recaps/{recap['id']}/handover",
                             json={"courier_partner_id": partner_id_of(kasubbag), "received_by": "Joko Susilo"})
    assert handover.status_code == 201, handover.get_json()
    return kasubbag.get(f"/api/v1/recaps/{recap['id']}").get_json()


def scan(courier, code: str, action: str, **extra):
    """POST one scan with a fresh idempotency key."""
    body = {"tracking_code": code, "action": action, "idempotency_key": extra.pop("key", None) or uuid.uuid4().hex,
            "at": datetime.now(UTC).isoformat(), **extra}
    return courier.post("/api/v1/scans", json=body)


DELIVERED = {"recipient_name": "Siti Aminah", "recipient_relation": "self"}
FAILED = {"failure_reason": "recipient_absent"}
