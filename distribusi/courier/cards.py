"""What the courier's phone page reads: a parcel's card, today's parcels and open handovers, scoped to the partner."""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from distribusi.auth.models import User
from distribusi.courier.models import FAILURE_LABELS, RELATION_LABELS, Relation, ScanAction
from distribusi.courier.services import NotFound
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.handover.services import acceptance
from distribusi.intake.models import DOC_TYPE_LABELS
from distribusi.recap import codes
from distribusi.recap.models import Parcel
from distribusi.workflow import ParcelStatus, label

# The courier's actions allowed in each parcel state (the same moves as workflow.TRANSITIONS; the page keeps a copy
# to show the right buttons while offline).
ACTIONS_BY_STATE: dict[ParcelStatus, tuple[ScanAction, ...]] = {
    ParcelStatus.packed: (ScanAction.accept,),
    ParcelStatus.with_courier: (ScanAction.out_for_delivery, ScanAction.return_),
    ParcelStatus.out_for_delivery: (ScanAction.delivered, ScanAction.failed),
    ParcelStatus.failed_attempt: (ScanAction.out_for_delivery, ScanAction.return_),
}
ACTIVE_STATES = (ParcelStatus.with_courier, ParcelStatus.out_for_delivery, ParcelStatus.failed_attempt)
HANDOVER_DAYS = 14


def _partner_parcels(user: User):
    return select(Parcel).where(Parcel.office_id == user.office_id,
                                Parcel.courier_partner_id == user.courier_partner_id,
                                Parcel.courier_partner_id.is_not(None))


def parcel_card(parcel: Parcel) -> dict[str, Any]:
    """A parcel as the courier's card shows it: recipient, address, phone, documents, state, allowed actions."""
    return {
        "code": parcel.tracking_code,
        "display": codes.display(parcel.tracking_code),
        "status": parcel.status.value,
        "status_label": label(parcel.status),
        "recipient_name": parcel.recipient_name,
        "phone": parcel.phone,
        "address": parcel.address,
        "kecamatan": parcel.kecamatan,
        "kelurahan": parcel.kelurahan,
        "documents": [{"type": d.doc_type, "type_label": DOC_TYPE_LABELS.get(d.doc_type, d.doc_type),
                       "owner_name": d.owner_name} for d in parcel.documents],
        "failed_attempts": parcel.failed_attempts,
        "actions": [a.value for a in ACTIONS_BY_STATE.get(parcel.status, ())],
    }


def find_card(user: User, raw_code: str) -> dict[str, Any]:
    """The card of one of the partner's parcels; raises NotFound for a bad code or another partner's parcel."""
    code = codes.normalize(raw_code)
    parcel = db.session.scalar(_partner_parcels(user).where(Parcel.tracking_code == code)) if code else None
    if parcel is None:
        raise NotFound()
    return parcel_card(parcel)


def todays_parcels(user: User) -> list[dict[str, Any]]:
    """The partner's parcels on the road, and those finished since midnight (office time), by kecamatan."""
    midnight = datetime.combine(user.office.local_now().date(), time())
    since = (midnight.replace(tzinfo=user.office.zone).astimezone(UTC).replace(tzinfo=None))
    query = (_partner_parcels(user)
             .where(or_(Parcel.status.in_(ACTIVE_STATES), Parcel.updated_at >= since))
             .where(Parcel.status != ParcelStatus.packed)
             .options(selectinload(Parcel.documents))
             .order_by(Parcel.kecamatan, Parcel.kelurahan, Parcel.street, Parcel.id))
    return [parcel_card(p) for p in db.session.scalars(query)]


def open_handovers(user: User) -> list[dict[str, Any]]:
    """The partner's recent handovers with the codes handed over and which the courier has accepted."""
    since = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=HANDOVER_DAYS)
    handovers = db.session.scalars(
        select(Handover).where(Handover.office_id == user.office_id,
                               Handover.courier_partner_id == user.courier_partner_id,
                               Handover.handed_over_at >= since)
        .order_by(Handover.handed_over_at.desc()))
    answer = []
    for handover in handovers:
        progress = acceptance(handover)
        answer.append({"id": handover.id, "recap_number": handover.recap.number,
                       "letter_number": handover.letter.letter_number, "received_by": handover.received_by,
                       "codes": [p.tracking_code for p in handover.recap.parcels],
                       "not_accepted": progress["not_accepted"], "total": progress["total"]})
    return answer


def page_settings(user: User) -> dict[str, Any]:
    """The choices the page offers: relations the office's policy allows and the failure reasons."""
    policy = {"allow_family": True, "allow_other": False, **(user.office.settings or {}).get("delivery_policy", {})}
    relations = [Relation.self_] + ([Relation.family] if policy["allow_family"] else []) + (
        [Relation.other] if policy["allow_other"] else [])
    return {
        "relations": [{"value": r.value, "label": RELATION_LABELS[r]} for r in relations],
        "reasons": [{"value": r.value, "label": text} for r, text in FAILURE_LABELS.items()],
        "states": {state.value: label(state) for state in ParcelStatus},
        "delivery_code": bool((user.office.settings or {}).get("delivery_code")),  # ask for the recipient's code
    }
