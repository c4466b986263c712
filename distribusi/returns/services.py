"""Receiving returned parcels, reconciling them against what the partner still holds, the undelivered list."""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from distribusi.auth.models import User
from distribusi.courier.models import FAILURE_LABELS, FailureReason
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.models import CourierPartner
from distribusi.notify.services import queue_parcel_message
from distribusi.recap import codes
from distribusi.recap.models import Parcel
from distribusi.recap.services import close_if_done
from distribusi.returns.models import ReturnBatch
from distribusi.workflow import DomainError, Move, ParcelStatus, is_allowed, transition, transition_each

# Parcels a partner holds: handed over to it and neither delivered nor back at the office.
HELD_BY_PARTNER = (ParcelStatus.packed, ParcelStatus.with_courier, ParcelStatus.out_for_delivery,
                   ParcelStatus.failed_attempt, ParcelStatus.returning)

UNEXPECTED_REASONS = {
    ParcelStatus.delivered: "sudah tercatat diterima warga",
    ParcelStatus.returned: "sudah diterima kembali sebelumnya",
    ParcelStatus.collected: "sudah diambil di loket",
    ParcelStatus.repacked: "sudah dikemas ulang",
}


def _partner(user: User, partner_id: int) -> CourierPartner:
    partner = db.session.get(CourierPartner, partner_id)
    if partner is None or partner.office_id != user.office_id:
        raise DomainError("Mitra kurir tidak ditemukan.", code="unknown_partner",
                          fields={"courier_partner_id": ["Pilih mitra kurir kantor ini."]})
    return partner


def receive_returns(user: User, partner_id: int, scanned: Sequence[str]) -> ReturnBatch:
    """Mark the scanned parcels returned and report received, unexpected and missing ones."""
    partner = _partner(user, partner_id)
    received, unexpected = _classify(user, partner, scanned, lock=True)
    move = Move(actor_id=user.id, from_party=f"Mitra kurir: {partner.name}", to_party=user.party)
    events = transition_each([(parcel, ParcelStatus.returned) for parcel in received], move)
    for parcel, event in zip(received, events, strict=True):
        queue_parcel_message(parcel, event)
    missing = held_by_partner(user, partner)
    batch = ReturnBatch(
        office_id=user.office_id, courier_partner_id=partner.id, received_by_id=user.id,
        received=[_row(p) for p in received], unexpected=unexpected, missing=[_row(p) for p in missing],
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def preview_returns(user: User, partner_id: int, scanned: Sequence[str]) -> dict[str, Any]:
    """What receive_returns would make of these codes now, writing nothing, with how often each code was scanned."""
    partner = _partner(user, partner_id)
    received, unexpected = _classify(user, partner, scanned, lock=False)
    taken = {parcel.id for parcel in received}
    missing = [p for p in held_by_partner(user, partner) if p.id not in taken]
    return {
        "partner": partner, "received": [_row(p) for p in received], "unexpected": unexpected,
        "missing": [_row(p) for p in missing], "times": dict(Counter(scan_key(raw) for raw in scanned)),
    }


def scan_key(raw: str) -> str:
    """How a scanned text is told apart from the others: its code, or the text itself when it is no code."""
    return codes.normalize(raw) or str(raw)[:40]


def _classify(user: User, partner: CourierPartner, scanned: Sequence[str], *,
              lock: bool) -> tuple[list[Parcel], list[dict[str, Any]]]:
    """Split the scanned texts, each once, into the partner's parcels that may come back and unexpected rows."""
    received: list[Parcel] = []
    unexpected: list[dict[str, Any]] = []
    seen: set[str] = set()
    wanted: dict[str, str] = {}
    for raw in scanned:
        code = codes.normalize(raw)
        key = scan_key(raw)
        if key in seen:  # a label scanned twice, readable or not, counts once
            continue
        seen.add(key)
        if code is None:
            reason = "kode tidak sah: karakter periksa salah (salah ketik?)" if codes.mistyped(raw) else "kode tidak sah"
            unexpected.append({"tracking_code": key, "reason": reason})
        else:
            wanted[code] = raw
    stmt = select(Parcel).where(Parcel.office_id == user.office_id, Parcel.tracking_code.in_(list(wanted)))
    parcels = {p.tracking_code: p for p in db.session.scalars(stmt.with_for_update() if lock else stmt)} if wanted else {}
    for code in wanted:
        parcel = parcels.get(code)
        if parcel is None:
            unexpected.append({"tracking_code": code, "reason": "kode tidak dikenal"})
        elif parcel.courier_partner_id != partner.id:
            unexpected.append({"tracking_code": code, "reason": "bukan kiriman mitra ini"})
        elif not is_allowed(parcel.status, ParcelStatus.returned):
            unexpected.append({"tracking_code": code, "reason": UNEXPECTED_REASONS.get(parcel.status, parcel.status.value)})
        else:
            received.append(parcel)
    return received, unexpected


def held_by_partner(user: User, partner: CourierPartner) -> list[Parcel]:
    """The parcels the partner still holds (expected back or delivered), by recap and position."""
    return list(db.session.scalars(
        select(Parcel).where(Parcel.office_id == user.office_id, Parcel.courier_partner_id == partner.id,
                             Parcel.status.in_(HELD_BY_PARTNER)).order_by(Parcel.recap_id, Parcel.position)
    ))


def partners(user: User) -> list[CourierPartner]:
    """The office's active courier partners by name, for choosing whose returns are scanned."""
    return list(db.session.scalars(
        select(CourierPartner).where(CourierPartner.office_id == user.office_id, CourierPartner.active)
        .order_by(CourierPartner.name)))


def _row(parcel: Parcel) -> dict[str, Any]:
    return {"tracking_code": parcel.tracking_code, "status": parcel.status.value, "recap_id": parcel.recap_id,
            "recipient_name": parcel.recipient_name, "kecamatan": parcel.kecamatan}


def undelivered_parcels(user: User) -> list[Parcel]:
    """Returned parcels not yet collected or repacked, by failure reason and kecamatan."""
    parcels = db.session.scalars(
        select(Parcel).where(Parcel.office_id == user.office_id, Parcel.status == ParcelStatus.returned)
        .options(selectinload(Parcel.documents), selectinload(Parcel.recap))
    ).all()
    return sorted(parcels, key=lambda p: (failure_label(p), p.kecamatan.upper(), p.recipient_name.upper()))


def returned_documents(user: User, parcel_ids: Sequence[int]) -> dict[int, list[int]]:
    """The document ids each of these returned parcels of the office holds, for packing them into a new recap."""
    rows = db.session.execute(
        select(Parcel.id, Document.id).join(Document, Document.parcel_id == Parcel.id)
        .where(Parcel.office_id == user.office_id, Parcel.id.in_(list(parcel_ids)),
               Parcel.status == ParcelStatus.returned).order_by(Parcel.id, Document.id)
    ).all() if parcel_ids else []
    held: dict[int, list[int]] = {}
    for parcel_id, document_id in rows:
        held.setdefault(parcel_id, []).append(document_id)
    return held


def failure_label(parcel: Parcel) -> str:
    """Why the parcel came back, in Indonesian."""
    if parcel.last_failure_reason:
        return FAILURE_LABELS[FailureReason(parcel.last_failure_reason)]
    return "Tidak dicoba diantar"


def collect_parcel(user: User, parcel: Parcel, collected_by: str | None, note: str | None) -> Parcel:
    """A returned parcel handed to its owner at the counter; raises InvalidTransition."""
    move = Move(actor_id=user.id, from_party=user.party, to_party=f"Warga di loket: {collected_by or parcel.recipient_name}",
                data={k: v for k, v in {"collected_by": collected_by, "note": note}.items() if v})
    transition(parcel, ParcelStatus.collected, move)
    close_if_done(parcel.recap, move)
    return parcel


def batches_of(office_id: int, partner_id: int | None = None):
    """A select() of the office's recorded returns, newest first, optionally of one partner."""
    stmt = select(ReturnBatch).where(ReturnBatch.office_id == office_id)
    if partner_id:
        stmt = stmt.where(ReturnBatch.courier_partner_id == partner_id)
    return stmt.order_by(ReturnBatch.created_at.desc(), ReturnBatch.id.desc())
