"""The complaint book: register a ticket from any channel, link what it concerns, answer, route, escalate, resolve.

Every function takes `now` (a stored, naive UTC time) so that tests can move the clock; it defaults to utcnow().
Services flush; the edge commits.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from distribusi.auth.models import Role, User
from distribusi.complaints import states
from distribusi.complaints.models import LADDER, LEVEL_LABELS, Category, Channel, Complaint, ComplaintStatus, Level, Route
from distribusi.complaints.queries import (  # noqa: F401  (read by the pages and the API through services)
    complaint_query, complaints_in_period, local_day_bounds, overdue_count, phone_of, public_status)
from distribusi.complaints.schemas import ComplaintIn, EscalateIn, ResolveIn, RespondIn, RouteIn
from distribusi.extensions import db
from distribusi.intake.models import FlagReason
from distribusi.intake.services import flag_document
from distribusi.models import Office, utcnow
from distribusi.numbering import next_number
from distribusi.problems import Conflict, NotFound, Refused
from distribusi.tracking import services as tracking
from distribusi.workdays import due_after_working_days
from distribusi.workflow import DocumentStatus, label

S = ComplaintStatus
DEFAULT_LEVEL_DAYS = 1
MAX_LINKED = 50  # a NIK or phone shared by a large household still fits on one ticket page
ROLE_LEVELS = {Role.operator: Level.officer, Role.kasi: Level.kasi, Role.kabid: Level.kabid,
               Role.secretary: Level.secretary, Role.head: Level.head}
ROUTE_FLAGS = {Route.correction: FlagReason.data_error, Route.signers: FlagReason.unsigned}


def level_days(office: Office) -> int:
    """Working days each level has before the ticket is overdue (office setting complaint_level_days, default 1)."""
    value = (office.settings or {}).get("complaint_level_days")
    return value if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 30 else DEFAULT_LEVEL_DAYS


def desk_level(user: User) -> Level | None:
    """The rung of the ladder the user's role sits on (operators are the officer level)."""
    return ROLE_LEVELS.get(user.role)


def _office_year(office: Office, moment: datetime) -> int:
    return moment.replace(tzinfo=UTC).astimezone(office.zone).year


def next_ticket_number(office: Office, moment: datetime) -> str:
    """ADU-PKU-2026-000123: gap-free per office and year (the office's local year)."""
    year = _office_year(office, moment)
    return f"ADU-{office.code}-{year}-{next_number(office.id, 'complaint', year):06d}"


def find_related(user: User, *, nik=None, kk=None, phone=None, tracking_code=None, name=None) -> dict[str, list]:
    """The office's documents and parcels matching any key given (the staff lookup); empty when no key is given."""
    keys = {"nik": nik, "kk": kk, "phone": phone, "tracking_code": tracking_code, "name": name}
    keys = {key: value for key, value in keys.items() if value}
    if not keys:
        return {"documents": [], "parcels": []}
    return tracking.lookup(user, **keys)


def _link(complaint: Complaint, found: dict[str, list]) -> int:
    added = 0
    for parcel in found["parcels"]:
        if parcel not in complaint.parcels and len(complaint.parcels) < MAX_LINKED:
            complaint.parcels.append(parcel)
            added += 1
    for document in found["documents"]:
        if document not in complaint.documents and len(complaint.documents) < MAX_LINKED:
            complaint.documents.append(document)
            added += 1
    return added


def delivery_status(complaint: Complaint) -> str | None:
    """What to tell the citizen at once: the newest linked parcel's state and next step, else a document's state."""
    if complaint.parcels:
        parcel = complaint.parcels[-1]
        return f"{label(parcel.status)}: {tracking.NEXT_STEPS[parcel.status]}"
    if complaint.documents:
        return f"Dokumen {label(complaint.documents[-1].status).lower()}, belum dikirim."
    return None


def decorate(complaint: Complaint, now: datetime | None = None) -> Complaint:
    """Set the read-only facts the pages and the API show beside the stored fields."""
    complaint.overdue = complaint.is_overdue(now or utcnow())
    complaint.delivery_status = delivery_status(complaint)
    return complaint


def register_complaint(user: User, payload: Any, *, now: datetime | None = None) -> Complaint:
    """Log a ticket at the officer level, due after the office's working days, linked to what its keys find."""
    return _open(user.office, ComplaintIn().load(payload), user, now or utcnow())


def open_whatsapp_ticket(office: Office, phone: str, text: str, message_id: str, *,
                         now: datetime | None = None) -> str:
    """A PANDAWA ticket for a WhatsApp message no automatic answer covers; returns the number to reply with."""
    data = ComplaintIn().load({"channel": Channel.pandawa_whatsapp.value, "complainant_name": "Pengirim WhatsApp",
                               "contact": phone, "description": (text or "").strip()[:2000] or "(pesan kosong)"})
    complaint = _open(office, data, None, now or utcnow(), note=f"WhatsApp {message_id[:100]}")
    return complaint.ticket_number


def _open(office: Office, data: dict[str, Any], user: User | None, now: datetime, note: str | None = None) -> Complaint:
    complaint = Complaint(
        office_id=office.id, ticket_number=next_ticket_number(office, now), channel=Channel(data["channel"]),
        category=Category(data["category"]), complainant_name=data["complainant_name"], contact=data["contact"],
        phone=phone_of(data["contact"]), nik=data.get("nik"), kk_number=data.get("kk_number"),
        tracking_code=data.get("tracking_code"), description=data["description"], status=None, level=Level.officer,
        due_at=due_after_working_days(office, now, level_days(office)), received_at=now,
        created_by_id=user.id if user else None, created_at=now,
    )
    db.session.add(complaint)
    states.move(complaint, S.open, "register", actor_id=user.id if user else None, at=now, note=note)
    keys = {"nik": complaint.nik, "kk": complaint.kk_number, "phone": complaint.phone,
            "tracking_code": complaint.tracking_code}
    _link(complaint, tracking.lookup_in_office(office.id, **{k: v for k, v in keys.items() if v})
          if any(keys.values()) else {"documents": [], "parcels": []})
    db.session.flush()
    return decorate(complaint, now)


def link_related(user: User, complaint: Complaint, keys: dict[str, str | None]) -> int:
    """Link more parcels and documents found by the given keys; returns how many were added."""
    if not any(keys.values()):
        raise Refused("Isi salah satu: kode kiriman, NIK, nomor KK atau nomor HP.",
                      fields={"q": ["Minimal satu kriteria pencarian."]})
    added = _link(complaint, find_related(user, **keys))
    db.session.flush()
    return added


def respond(user: User, complaint: Complaint, payload: Any, *, now: datetime | None = None) -> Complaint:
    """Record the answer given to the citizen."""
    data = RespondIn().load(payload)
    now = now or utcnow()
    states.move(complaint, S.answered, "respond", actor_id=user.id, at=now, note=data["answer"])
    complaint.answer = data["answer"]
    db.session.flush()
    return decorate(complaint, now)


def route(user: User, complaint: Complaint, payload: Any, *, now: datetime | None = None) -> Complaint:
    """Send a data-entry error to correction or an unsigned document to the signers, flagging the documents.

    With document_id, that linked document is flagged (refused if it cannot be); without, every linked document
    still registered is flagged, and those already in a recap or already flagged are left as they are.
    """
    data = RouteIn().load(payload)
    now = now or utcnow()
    target = Route(data["route"])
    reason, note = ROUTE_FLAGS[target].value, data.get("note") or f"Pengaduan {complaint.ticket_number}"
    if data.get("document_id") is not None:
        chosen = [d for d in complaint.documents if d.id == data["document_id"]]
        if not chosen:
            raise Refused("Dokumen itu tidak tertaut pada pengaduan ini.", fields={"document_id": ["Pilih dokumen tertaut."]})
    else:
        chosen = [d for d in complaint.documents if d.status is DocumentStatus.registered]
    states.move(complaint, S.routed, "route", actor_id=user.id, at=now,
                note=f"{target.value}: {data.get('note') or ''}".strip(": "))
    for document in chosen:
        flag_document(user, document, reason, note)
    complaint.route = target
    db.session.flush()
    return decorate(complaint, now)


def next_level(level: Level) -> Level | None:
    index = LADDER.index(level)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


def escalate(user: User, complaint: Complaint, payload: Any | None = None, *, now: datetime | None = None) -> Complaint:
    """Raise the ticket one level; it is due again after the office's working days per level."""
    data = EscalateIn().load(payload or {})
    now = now or utcnow()
    higher = next_level(complaint.level)
    if higher is None:
        raise Conflict("Pengaduan sudah di tingkat tertinggi (Kepala Dinas); selesaikan dengan hasilnya.",
                       code="top_level")
    states.move(complaint, S.open, "escalate", actor_id=user.id, at=now, note=data.get("note"), level=higher)
    complaint.due_at = due_after_working_days(user.office, now, level_days(user.office))
    db.session.flush()
    return decorate(complaint, now)


def resolve(user: User, complaint: Complaint, payload: Any, *, now: datetime | None = None) -> Complaint:
    """Close the ticket with its outcome."""
    data = ResolveIn().load(payload)
    now = now or utcnow()
    states.move(complaint, S.resolved, "resolve", actor_id=user.id, at=now, note=data["outcome"])
    complaint.outcome, complaint.resolved_at = data["outcome"], now
    db.session.flush()
    return decorate(complaint, now)


def get_complaint(user: User, complaint_id: int) -> Complaint:
    """The office's ticket by id; NotFound for another office's or a missing one."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or complaint.office_id != user.office_id:
        raise NotFound("Pengaduan tidak ditemukan.")
    return decorate(complaint)


AUTO_NOTE = "Otomatis: melewati batas waktu di tingkat {}."


def escalate_overdue(office: Office, *, now: datetime | None = None) -> list[Complaint]:
    """Raise every open ticket of the office past its due time one level (those at the head stay, listed as overdue).

    Run by `flask --app distribusi complaints escalate-overdue` (e.g. every hour from cron); the move is recorded
    without an actor, with a note saying why.
    """
    now = now or utcnow()
    late = db.session.scalars(
        select(Complaint).where(Complaint.office_id == office.id, Complaint.status != S.resolved,
                                Complaint.due_at < now, Complaint.level != Level.head)
        .order_by(Complaint.due_at, Complaint.id).with_for_update(skip_locked=True)
    ).all()
    for complaint in late:
        note = AUTO_NOTE.format(LEVEL_LABELS[complaint.level])
        states.move(complaint, S.open, "escalate", actor_id=None, at=now, note=note, level=next_level(complaint.level))
        complaint.due_at = due_after_working_days(office, now, level_days(office))
    db.session.flush()
    return list(late)
