"""Retention of personal data (UU 27/2022 PDP Pasal 42–44): once a parcel has been finished for the office's
period, its proof photos, phone numbers and street addresses (with the delivery location and note in its custody
events) are erased; names, NIK, KK and document numbers, the area and the custody chain stay for the archive.
WhatsApp messages citizens sent in (their number and, for a ticket, their text) are erased after the phone period
counted from their arrival: the ticket made from one keeps its own record in the complaint book."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update

from distribusi.courier.models import DeliveryPhoto
from distribusi.courier.photos import photo_dir
from distribusi.custody import CustodyEvent, erase_personal
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.models import Office, utcnow
from distribusi.notify.models import InboundMessage, OutboxMessage, OutboxStatus
from distribusi.operations.models import RetentionRun
from distribusi.recap.models import Parcel
from distribusi.reports.facts import refresh_facts
from distribusi.workflow import ParcelStatus

# Months after a parcel is finished. Photos and the street address prove a delivery if it is disputed (a year
# covers the complaint and audit cycle); the phone number only served the notifications (half a year).
DEFAULT_PERIODS = {"photos_months": 12, "phone_months": 6, "address_months": 12}
FINISHED = (ParcelStatus.delivered, ParcelStatus.collected, ParcelStatus.repacked)
ERASED_STREET = "[dihapus]"  # what pages and papers show in place of an erased street address
KINDS = {
    "photos": "Foto bukti serah",
    "parcel_phones": "Nomor HP kiriman",
    "document_phones": "Nomor HP dokumen",
    "message_phones": "Nomor HP pesan terkirim",
    "inbound_messages": "Pesan WhatsApp masuk (nomor dan isi)",
    "parcel_addresses": "Alamat jalan/RT/RW kiriman",
    "document_addresses": "Alamat jalan/RT/RW dokumen",
    "event_locations": "Event kartu kendali yang lokasi/catatannya dihapus",
    "v1_events_kept": "Event lama (hash v1) yang lokasinya belum dapat dihapus",
}


def periods(office: Office) -> dict[str, int]:
    """The office's retention periods in months (setting `retention`), defaults for what it does not set."""
    return {**DEFAULT_PERIODS, **((office.settings or {}).get("retention") or {})}


def _months_ago(now: datetime, months: int) -> datetime:
    return now - timedelta(days=round(months * 30.4375))


@dataclass
class PurgePlan:
    """What a purge of one office erases: the parcel ids per kind of data, and the counts per kind."""

    office: Office
    periods: dict[str, int]
    photo_parcels: list[int] = field(default_factory=list)
    phone_parcels: list[int] = field(default_factory=list)
    address_parcels: list[int] = field(default_factory=list)
    inbound_before: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _expired_parcels(office: Office, before: datetime) -> list[int]:
    """Parcels of the office finished (delivered, collected or repacked) before a moment."""
    finished_at = (
        select(CustodyEvent.subject_id, func.max(CustodyEvent.recorded_at).label("at"))
        .where(CustodyEvent.office_id == office.id, CustodyEvent.subject_type == "parcel",
               CustodyEvent.to_state.in_([state.value for state in FINISHED]))
        .group_by(CustodyEvent.subject_id).subquery()
    )
    return list(db.session.scalars(
        select(Parcel.id).join(finished_at, finished_at.c.subject_id == Parcel.id)
        .where(Parcel.office_id == office.id, Parcel.status.in_(FINISHED), finished_at.c.at < before)
        .order_by(Parcel.id)
    ))


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery()))


def plan_purge(office: Office, now: datetime | None = None) -> PurgePlan:
    """Find what the office's periods say must go now; changes nothing."""
    now = now or utcnow()
    plan = PurgePlan(office, periods(office))
    plan.photo_parcels = _expired_parcels(office, _months_ago(now, plan.periods["photos_months"]))
    plan.phone_parcels = _expired_parcels(office, _months_ago(now, plan.periods["phone_months"]))
    plan.address_parcels = _expired_parcels(office, _months_ago(now, plan.periods["address_months"]))
    plan.inbound_before = _months_ago(now, plan.periods["phone_months"])
    events = select(CustodyEvent.id).where(CustodyEvent.subject_type == "parcel",
                                           CustodyEvent.subject_id.in_(plan.address_parcels))
    plan.counts = {
        "photos": _count(select(DeliveryPhoto.id).where(DeliveryPhoto.parcel_id.in_(plan.photo_parcels))),
        "parcel_phones": _count(select(Parcel.id).where(Parcel.id.in_(plan.phone_parcels), Parcel.phone != "")),
        "document_phones": _count(select(Document.id).where(Document.parcel_id.in_(plan.phone_parcels),
                                                            Document.phone != "")),
        "message_phones": _count(_messages(plan.phone_parcels).with_only_columns(OutboxMessage.id)),
        "inbound_messages": _count(select(InboundMessage.id).where(*_inbound(office, plan.inbound_before))),
        "parcel_addresses": _count(select(Parcel.id).where(Parcel.id.in_(plan.address_parcels),
                                                           Parcel.street != ERASED_STREET)),
        "document_addresses": _count(select(Document.id).where(Document.parcel_id.in_(plan.address_parcels),
                                                               Document.street != ERASED_STREET)),
        "event_locations": _count(events.where(CustodyEvent.hash_version >= 2,
                                               CustodyEvent.personal_salt.is_not(None))),
        "v1_events_kept": _count(events.where(CustodyEvent.hash_version < 2,
                                              (CustodyEvent.lat.is_not(None)) | (CustodyEvent.lon.is_not(None)))),
    }
    return plan


def _messages(parcel_ids: list[int]):
    return select(OutboxMessage).where(OutboxMessage.parcel_id.in_(parcel_ids), OutboxMessage.recipient != "")


def _inbound(office: Office, before: datetime) -> tuple:
    """Conditions: the office's inbound messages that arrived before a moment and still hold a number or a text."""
    return (InboundMessage.office_id == office.id, InboundMessage.received_at < before,
            (InboundMessage.sender != "") | InboundMessage.text.is_not(None))


def purge(office: Office, now: datetime | None = None,
          run_by: str = "flask retention purge") -> tuple[RetentionRun, list[str]]:
    """Erase what the plan finds and record the run, in the caller's transaction; returns the run and the photo
    files to remove once that transaction has committed (remove_photo_files)."""
    started = utcnow()
    plan = plan_purge(office, now)
    photos = list(db.session.scalars(select(DeliveryPhoto).where(DeliveryPhoto.parcel_id.in_(plan.photo_parcels))))
    for photo in photos:
        db.session.delete(photo)
    # bulk UPDATEs: a signed recap's content is frozen for staff edits, not for the erasure the law requires
    db.session.execute(update(Parcel).where(Parcel.id.in_(plan.phone_parcels)).values(phone=""),
                       execution_options={"synchronize_session": False})
    db.session.execute(update(Document).where(Document.parcel_id.in_(plan.phone_parcels)).values(phone=""),
                       execution_options={"synchronize_session": False})
    for message in db.session.scalars(_messages(plan.phone_parcels)):
        message.recipient, message.params = "", {}
        if message.status is OutboxStatus.pending:  # months stale: it will not be sent to an erased number
            message.status, message.last_error = OutboxStatus.dead, "Nomor dihapus: masa simpan data berakhir."
    db.session.execute(update(InboundMessage).where(*_inbound(office, plan.inbound_before)).values(sender="", text=None),
                       execution_options={"synchronize_session": False})
    erased_address = {"street": ERASED_STREET, "rt": "", "rw": ""}
    db.session.execute(update(Parcel).where(Parcel.id.in_(plan.address_parcels)).values(**erased_address),
                       execution_options={"synchronize_session": False})
    db.session.execute(update(Document).where(Document.parcel_id.in_(plan.address_parcels)).values(**erased_address),
                       execution_options={"synchronize_session": False})
    for event in db.session.scalars(select(CustodyEvent).where(
            CustodyEvent.subject_type == "parcel", CustodyEvent.subject_id.in_(plan.address_parcels),
            CustodyEvent.personal_salt.is_not(None))):
        erase_personal(event)
    db.session.flush()
    refresh_facts([*plan.photo_parcels, *plan.address_parcels])  # the reports count photos and delivery locations
    applied = {**plan.periods, **({"as_of": now.isoformat()} if now else {})}
    run = RetentionRun(office_id=office.id, started_at=started, finished_at=utcnow(), periods=applied,
                       counts=plan.counts, run_by=run_by)
    db.session.add(run)
    db.session.flush()
    db.session.expire_all()
    return run, [photo.storage_name for photo in photos]


def remove_photo_files(names: list[str]) -> None:
    """Delete the stored files of erased photos (after the commit, so a failed purge keeps them)."""
    folder = photo_dir()
    for name in names:
        path = os.path.join(folder, os.path.basename(name))
        if os.path.exists(path):
            os.remove(path)


def describe(counts: dict[str, Any]) -> list[str]:
    """One Indonesian line per kind, for the command's output."""
    return [f"  {KINDS[kind]}: {counts.get(kind, 0)}" for kind in KINDS]
