"""Public tracking (masked), staff lookups and the control card of a parcel."""
from __future__ import annotations

import hmac
from bisect import bisect_right
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import selectinload

from distribusi.auth.models import User
from distribusi.custody import CustodyEvent
from distribusi.database import PreparedRead, contains_text
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.intake.models import Document
from distribusi.intake.validators import normalize_phone
from distribusi.models import CourierPartner, Office
from distribusi.recap import codes
from distribusi.recap.models import Parcel, parcel_documents
from distribusi.recap.services import find_parcel  # noqa: F401  (lookup by code lives where parcels are made)
from distribusi.workflow import ParcelStatus, label
from distribusi.zones import office_zone

NEXT_STEPS = {
    ParcelStatus.packed: "Dokumen sedang disiapkan untuk dikirim.",
    ParcelStatus.with_courier: "Dokumen sudah di tangan kurir dan akan segera diantar.",
    ParcelStatus.out_for_delivery: "Kurir sedang menuju alamat Anda. Pastikan ada penerima di rumah.",
    ParcelStatus.delivered: "Dokumen sudah diterima.",
    ParcelStatus.failed_attempt: "Pengantaran gagal; kurir akan mencoba lagi atau mengembalikan ke Dinas.",
    ParcelStatus.returning: "Dokumen sedang dikembalikan ke Dinas.",
    ParcelStatus.returned: "Dokumen ada di Dinas. Ambil di loket Dinas dengan membawa KTP-el atau KK asli.",
    ParcelStatus.collected: "Dokumen sudah diambil di loket Dinas.",
    ParcelStatus.repacked: "Dokumen dikirim ulang dengan nomor kiriman baru; hubungi Dinas untuk nomornya.",
}
OFFICE_STEPS = {"pack", "receive_return", "collect", "repack"}
OFFICE_PLACE = "Dinas Dukcapil"


def mask_name(name: str) -> str:
    """S*** A***** for Siti Aminah: the first letter of each word."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in name.split() if word)


def _place(event: CustodyEvent, parcel: Parcel) -> str:
    if event.action in OFFICE_STEPS:
        return OFFICE_PLACE
    return f"Kec. {parcel.kecamatan}, {parcel.city}"


def phone_matches(parcel: Parcel, last_four: str | None) -> bool:
    """Whether the caller proved knowledge of the recipient's phone (its last four digits)."""
    if not last_four or len(last_four) != 4 or not (last_four.isascii() and last_four.isdigit()):
        return False  # compare_digest refuses non-ASCII text ("١٢٣٤" is digits too) with a TypeError
    return hmac.compare_digest(parcel.phone[-4:], last_four)


def _public_timeline_statement():
    """The parcel's shown columns, its office's zone and its recap's handover beside each of its events, for one code.

    This is the busiest public page: one round trip, no ORM objects, and a statement compiled once per process
    and run straight on the driver (database.PreparedRead). The handover (unique per recap) and the office and
    partner (by primary key) add columns, not rows.
    """
    parcels, events = Parcel.__table__.c, CustodyEvent.__table__.c
    offices, handovers, partners = Office.__table__, Handover.__table__, CourierPartner.__table__
    return (
        select(parcels.id, parcels.tracking_code, parcels.status, parcels.recipient_name, parcels.phone,
               parcels.kelurahan, parcels.kecamatan, parcels.city,
               offices.c.settings["timezone"].as_string().label("timezone"),
               handovers.c.handed_over_at, partners.c.name.label("partner"),
               events.recorded_at, events.to_state, events.action)
        .select_from(Parcel.__table__)
        .join(offices, offices.c.id == parcels.office_id)
        .outerjoin(handovers, handovers.c.recap_id == parcels.recap_id)
        .outerjoin(partners, partners.c.id == handovers.c.courier_partner_id)
        .outerjoin(CustodyEvent.__table__, (events.subject_type == "parcel") & (events.subject_id == parcels.id))
        .where(parcels.tracking_code == bindparam("code"))
        .order_by(events.seq)
    )


PUBLIC_TIMELINE = PreparedRead(_public_timeline_statement())
HANDED_OVER = "handed_over"  # a public milestone, not a parcel state: the recap went to the courier partner


def _timeline(rows, parcel) -> list[dict[str, Any]]:
    """The parcel's steps in order, the handover to the partner placed among them by its time."""
    steps = [{"at": row.recorded_at, "status": row.to_state, "label": label(ParcelStatus(row.to_state)),
              "place": _place(row, parcel)} for row in rows if row.to_state is not None]
    if parcel.handed_over_at is not None:
        at = bisect_right([step["at"] for step in steps], parcel.handed_over_at)
        steps.insert(at, {"at": parcel.handed_over_at, "status": HANDED_OVER,
                          "label": f"Diserahkan ke {parcel.partner}", "place": OFFICE_PLACE})
    return steps


def _status(parcel) -> tuple[str, str, str]:
    """The status, its label and the next step a citizen reads: a packed parcel already handed over says so."""
    if parcel.status is ParcelStatus.packed and parcel.handed_over_at is not None:
        return (HANDED_OVER, f"Diserahkan ke {parcel.partner}",
                f"Dokumen sudah diserahkan kepada {parcel.partner} dan akan segera diantar ke alamat Anda.")
    return parcel.status.value, label(parcel.status), NEXT_STEPS[parcel.status]


def public_view(raw_code: str, verify: str | None) -> dict[str, Any] | None:
    """Status and timeline with a masked name; the full name and kelurahan only with a correct phone hint.

    `zone` (the office's time zone) is for the page to show local times; the public schema does not carry it.
    """
    code = codes.normalize(raw_code)
    if code is None:
        return None
    rows = PUBLIC_TIMELINE.rows(code=code)
    if not rows:
        return None
    parcel = rows[0]
    verified = phone_matches(parcel, verify)
    status, status_label, next_step = _status(parcel)
    return {
        "tracking_code": parcel.tracking_code,
        "status": status,
        "status_label": status_label,
        "next_step": next_step,
        "recipient_name": parcel.recipient_name if verified else mask_name(parcel.recipient_name),
        "kecamatan": parcel.kecamatan,
        "city": parcel.city,
        "kelurahan": parcel.kelurahan if verified else None,
        "verified": verified,
        "timeline": _timeline(rows, parcel),
        "zone": office_zone(parcel.timezone),
    }


def lookup(user: User, *, nik=None, kk=None, phone=None, name=None, tracking_code=None) -> dict[str, Any]:
    """The user's office's documents and parcels matching any of the given keys."""
    return lookup_in_office(user.office_id, nik=nik, kk=kk, phone=phone, name=name, tracking_code=tracking_code)


def lookup_in_office(office_id: int, *, nik=None, kk=None, phone=None, name=None, tracking_code=None) -> dict[str, Any]:
    """One office's documents and parcels matching any of the given keys (also for a channel with no staff user)."""
    doc_filters, parcel_filters = [], []
    if nik:
        doc_filters.append(Document.nik == nik.strip())
    if kk:
        doc_filters.append(Document.kk_number == kk.strip())
        parcel_filters.append(Parcel.kk_number == kk.strip())
    if phone:
        try:
            e164 = normalize_phone(phone)
        except ValidationError:
            e164 = phone.strip()
        doc_filters.append(Document.phone == e164)
        parcel_filters.append(Parcel.phone == e164)
    if name:
        term = name.strip()
        doc_filters.append(or_(contains_text(Document.owner_name, term), contains_text(Document.recipient_name, term)))
        parcel_filters.append(contains_text(Parcel.recipient_name, term))
    if tracking_code:
        code = codes.normalize(tracking_code) or tracking_code.strip().upper()
        parcel_filters.append(Parcel.tracking_code == code)
        doc_filters.append(Document.id.in_(
            select(parcel_documents.c.document_id).join(Parcel, Parcel.id == parcel_documents.c.parcel_id)
            .where(Parcel.tracking_code == code)))
    documents = db.session.scalars(
        select(Document).where(Document.office_id == office_id, or_(*doc_filters)).limit(200)
    ).all() if doc_filters else []
    parcel_ids = {d.parcel_id for d in documents if d.parcel_id}
    if parcel_filters or parcel_ids:
        parcels = db.session.scalars(
            select(Parcel).where(Parcel.office_id == office_id,
                                 or_(*parcel_filters, Parcel.id.in_(parcel_ids)))
            .options(selectinload(Parcel.documents)).order_by(Parcel.id.desc()).limit(200)
        ).all()
    else:
        parcels = []
    return {"documents": documents, "parcels": parcels}


def control_card(parcel: Parcel) -> list[dict[str, Any]]:
    """The custody events of a parcel and its documents in chain order, with the time each step waited."""
    document_ids = [d.id for d in parcel.documents]
    events = db.session.scalars(
        select(CustodyEvent).where(or_(
            (CustodyEvent.subject_type == "parcel") & (CustodyEvent.subject_id == parcel.id),
            (CustodyEvent.subject_type == "document") & CustodyEvent.subject_id.in_(document_ids),
        )).order_by(CustodyEvent.seq)
    ).all()
    actors = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id})))}
    card, previous = [], None
    for event in events:
        actor = actors.get(event.actor_id)
        card.append({
            "seq": event.seq, "subject_type": event.subject_type, "subject_id": event.subject_id,
            "action": event.action, "from_state": event.from_state, "to_state": event.to_state,
            "actor": actor.full_name if actor else None, "actor_role": actor.role.value if actor else None,
            "from_party": event.from_party, "to_party": event.to_party,
            "at": event.recorded_at, "device_at": event.device_at, "lat": event.lat, "lon": event.lon,
            "data": event.data,
            "waited_seconds": int((event.recorded_at - previous).total_seconds()) if previous else None,
            "prev_hash": event.prev_hash, "hash": event.hash,
        })
        previous = event.recorded_at
    return card
