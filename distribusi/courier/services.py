"""Recording the courier's scans, idempotently, and proof-of-delivery photos."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select

from distribusi.auth.models import User
from distribusi.courier import delivery_codes
from distribusi.courier.models import FAILURE_LABELS, FailureReason, Relation, ScanAction, ScanRecord
from distribusi.courier.schemas import ScanIn, scan_response
from distribusi import problems
from distribusi.extensions import db
from distribusi.models import Office
from distribusi.notify.services import queue_parcel_message
from distribusi.recap import codes
from distribusi.recap.models import Parcel
from distribusi.recap.services import close_if_done
from distribusi.workflow import DomainError, Move, ParcelStatus, transition

ACTION_TARGETS = {
    ScanAction.accept: ParcelStatus.with_courier,
    ScanAction.out_for_delivery: ParcelStatus.out_for_delivery,
    ScanAction.delivered: ParcelStatus.delivered,
    ScanAction.failed: ParcelStatus.failed_attempt,
    ScanAction.return_: ParcelStatus.returning,
}


class NotFound(problems.NotFound):
    """The parcel is unknown or not this courier's partner's; the web edge answers 404."""

    message = "Kiriman tidak ditemukan atau bukan milik mitra Anda."


class IdempotencyConflict(problems.Refused):
    """The key was used before for a different request; the web edge answers 422."""

    code = "idempotency_conflict"
    message = "Kunci idempoten ini sudah dipakai untuk data pindaian yang berbeda."
    field = "idempotency_key"


@dataclass
class ScanResult:
    status: int  # 201 for a new event, 200 for a replay
    body: dict[str, Any]


def _fingerprint(data: dict[str, Any]) -> str:
    kept = {key: value for key, value in data.items() if key != "delivery_code"}  # nothing derived from the code
    return hashlib.sha256(json.dumps(kept, sort_keys=True, default=str).encode()).hexdigest()


def _replay(user: User, key: str, fingerprint: str) -> ScanResult | None:
    record = db.session.scalar(
        select(ScanRecord).where(ScanRecord.user_id == user.id, ScanRecord.idempotency_key == key)
    )
    if record is None:
        return None
    if record.request_sha256 != fingerprint:
        raise IdempotencyConflict()
    return ScanResult(200, record.response)


def _check_policy(office: Office, data: dict[str, Any]) -> None:
    policy = {"allow_family": True, "allow_other": False, **(office.settings or {}).get("delivery_policy", {})}
    relation = data["recipient_relation"]
    allowed = {Relation.self_} | ({Relation.family} if policy["allow_family"] else set()) | (
        {Relation.other} if policy["allow_other"] else set())
    if relation not in allowed:
        names = ", ".join(sorted(r.value for r in allowed))
        raise DomainError("Kebijakan kantor tidak mengizinkan dokumen diserahkan kepada penerima ini.",
                          code="recipient_not_allowed",
                          fields={"recipient_relation": [f"Yang diizinkan: {names}."]})


def record_scan(user: User, payload: Any) -> ScanResult:
    """Apply one scan: validate, replay a known key, lock the parcel, move it and remember the answer."""
    data = ScanIn().load(payload)
    code = codes.normalize(data["tracking_code"])
    if code is None:
        raise ValidationError({"tracking_code": ["Kode kiriman tidak sah (periksa kembali ketikan)."]})
    data["tracking_code"] = code
    fingerprint = _fingerprint(data)
    if (replayed := _replay(user, data["idempotency_key"], fingerprint)) is not None:
        return replayed
    parcel = db.session.scalar(
        select(Parcel).where(Parcel.office_id == user.office_id, Parcel.tracking_code == code).with_for_update()
    )
    if parcel is None or parcel.courier_partner_id is None or parcel.courier_partner_id != user.courier_partner_id:
        raise NotFound()
    if (replayed := _replay(user, data["idempotency_key"], fingerprint)) is not None:
        return replayed  # a twin request committed while this one waited for the lock
    action = ScanAction(data["action"])
    if action is ScanAction.delivered:
        _check_policy(user.office, data)
        delivery_codes.check_code(parcel, data.get("delivery_code"))
    facts = {k: data[k] for k in ("recipient_name", "recipient_relation", "failure_reason", "note") if data.get(k)}
    event = transition(parcel, ACTION_TARGETS[action], Move(
        actor_id=user.id, from_party=user.party, to_party=_to_party(action, data, parcel),
        device_at=data["at"], lat=data["lat"], lon=data["lon"], device_id=data["device_id"],
        idempotency_key=data["idempotency_key"], data=facts,
    ))
    _apply_facts(parcel, action, data, event)
    extra = {"reason": FAILURE_LABELS[FailureReason(data["failure_reason"])]} if action is ScanAction.failed else None
    if action is ScanAction.out_for_delivery and delivery_codes.required(user.office):
        extra = {"delivery_code": delivery_codes.issue_code(parcel)}  # sent to the recipient; only its hash is kept
    queue_parcel_message(parcel, event, extra)
    if action is ScanAction.delivered:
        close_if_done(parcel.recap, Move(actor_id=user.id, from_party=user.party))
    body = scan_response(event, parcel)
    db.session.add(ScanRecord(
        office_id=user.office_id, user_id=user.id, idempotency_key=data["idempotency_key"],
        request_sha256=fingerprint, parcel_id=parcel.id, event_id=event["id"], response=body,
    ))
    db.session.flush()
    return ScanResult(201, body)


def _to_party(action: ScanAction, data: dict[str, Any], parcel: Parcel) -> str | None:
    if action is ScanAction.delivered:
        return f"Penerima: {data['recipient_name']} ({data['recipient_relation']})"
    if action is ScanAction.out_for_delivery:
        return f"Menuju alamat penerima, Kec. {parcel.kecamatan}"
    if action is ScanAction.return_:
        return "Dinas (Kasubbag Umum)"
    return None


def _apply_facts(parcel: Parcel, action: ScanAction, data: dict[str, Any], event: dict[str, Any]) -> None:
    if action is ScanAction.delivered:
        parcel.delivered_to = data["recipient_name"]
        parcel.delivered_relation = data["recipient_relation"]
        parcel.delivered_at = data["at"] or event["recorded_at"]
    elif action is ScanAction.failed:
        parcel.failed_attempts += 1
        parcel.last_failure_reason = data["failure_reason"]
