"""Factories that walk a recap through the engine by calling the real services, and helpers that drive a parcel."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa

from distribusi.extensions import db
from distribusi.handover import services as handover_services
from distribusi.letters import services as letter_services
from distribusi.letters.models import CoverLetter
from distribusi.letters.schemas import LetterOut
from distribusi.models import CourierPartner
from distribusi.recap import services as recap_services
from distribusi.recap.schemas import RecapOut

DELIVERED = {"recipient_name": "Siti Aminah", "recipient_relation": "self"}
FAILED = {"failure_reason": "recipient_absent"}
SCAN_EXTRA = {"delivered": DELIVERED, "failed": FAILED}
# Every parcel state and how to reach it: courier scans, then office steps (receive, collect, repack).
STATE_PATHS = {
    "packed": (),
    "with_courier": ("accept",),
    "out_for_delivery": ("accept", "out_for_delivery"),
    "delivered": ("accept", "out_for_delivery", "delivered"),
    "failed_attempt": ("accept", "out_for_delivery", "failed"),
    "returning": ("accept", "out_for_delivery", "failed", "return"),
    "returned": ("accept", "out_for_delivery", "failed", "return", "receive"),
    "collected": ("accept", "out_for_delivery", "failed", "return", "receive", "collect"),
    "repacked": ("accept", "out_for_delivery", "failed", "return", "receive", "repack"),
}

# The factories take the staff as Api clients (the login_as fixture), act as those users through the services,
# commit like the API does, and return the JSON the API would show.


def _recap_json(recap_id: int) -> dict:
    return RecapOut().dump(recap_services.load_recap(recap_id))


def _first_partner_id(user) -> int:
    """The office's courier partner that comes first by name, as the partner list shows them."""
    return db.session.scalar(sa.select(CourierPartner.id).where(CourierPartner.office_id == user.office_id)
                             .order_by(CourierPartner.name).limit(1))


def submitted_recap(clerk, documents, count: int = 4, seed: int = 1) -> dict:
    """A submitted recap of count freshly registered documents (two per household parcel); returns the recap JSON."""
    user = clerk.user
    docs = documents(user, count, seed=seed)
    recap = recap_services.create_recap(user, [d.id for d in docs])
    recap_services.submit_recap(user, recap)
    db.session.commit()
    return _recap_json(recap.id)


def letter_awaiting_signature(clerk, kasubbag, documents, count: int = 4, seed: int = 1, *,
                              partner_id: int | None = None) -> tuple[dict, dict]:
    """A recap whose cover letter awaits the secretary (to the office's first partner unless named);
    returns (recap, letter) JSON."""
    recap_id = submitted_recap(clerk, documents, count, seed)["id"]
    user = kasubbag.user
    letter = letter_services.issue_letter(user, recap_services.load_recap(recap_id),
                                          partner_id or _first_partner_id(user))
    db.session.commit()
    return _recap_json(recap_id), LetterOut().dump(letter)


def signed_recap(clerk, kasubbag, secretary, documents, count: int = 4, seed: int = 1, *,
                 partner_id: int | None = None) -> tuple[dict, dict]:
    """A recap whose cover letter is signed; returns (recap, letter) JSON."""
    recap, letter = letter_awaiting_signature(clerk, kasubbag, documents, count, seed, partner_id=partner_id)
    signed = letter_services.sign_letter(secretary.user, db.session.get(CoverLetter, letter["id"]))
    db.session.commit()
    return _recap_json(recap["id"]), LetterOut().dump(signed)


def handed_over_recap(clerk, kasubbag, secretary, documents, count: int = 4, seed: int = 1, *,
                      partner_id: int | None = None, received_by: str = "Joko Susilo") -> dict:
    """A recap handed over to its letter's courier partner; returns the recap JSON."""
    recap, letter = signed_recap(clerk, kasubbag, secretary, documents, count, seed, partner_id=partner_id)
    handover_services.hand_over(kasubbag.user, recap_services.load_recap(recap["id"]), letter["courier_partner_id"],
                                received_by)
    db.session.commit()
    return _recap_json(recap["id"])


def partner_id_of(api) -> int:
    return api.get("/api/v1/admin/courier-partners").get_json()["items"][0]["id"]


def scan(courier, code: str, action: str, **extra):
    """POST one scan with a fresh idempotency key."""
    body = {"tracking_code": code, "action": action, "idempotency_key": extra.pop("key", None) or uuid.uuid4().hex,
            "at": datetime.now(UTC).isoformat(), **extra}
    return courier.post("/api/v1/scans", json=body)


def drive(crew, parcel: dict, state: str) -> None:
    """Walk one parcel (JSON of a recap's parcel) to a state through the API, as the crew's courier and staff."""
    code = parcel["tracking_code"]
    for step in STATE_PATHS[state]:
        if step == "receive":
            response = crew.kasubbag.post("/api/v1/returns", json={"courier_partner_id": crew.partner_id,
                                                                   "tracking_codes": [code]})
        elif step == "collect":
            response = crew.clerk.post(f"/api/v1/parcels/{code}/collected", json={"collected_by": "Pemilik"})
        elif step == "repack":
            response = crew.clerk.post("/api/v1/recaps", json={"document_ids": [d["id"] for d in parcel["documents"]]})
        else:
            response = scan(crew.courier, code, step, **SCAN_EXTRA.get(step, {}))
        assert response.status_code in (200, 201), (state, step, response.get_json())
