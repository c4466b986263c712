"""Reading the complaint book: filtered lists, overdue counts, a period's tickets, and the public ticket status."""
from __future__ import annotations

import hmac
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from distribusi.auth.models import User
from distribusi.complaints.models import LEVEL_LABELS, STATUS_LABELS, Channel, Complaint, ComplaintStatus, Level
from distribusi.database import contains_text
from distribusi.extensions import db
from distribusi.intake.validators import normalize_phone
from distribusi.models import Office, utcnow

S = ComplaintStatus


def phone_of(contact: str) -> str | None:
    """The contact in E.164 when it is an Indonesian mobile number, else None (a social-media account)."""
    try:
        return normalize_phone(contact)
    except ValidationError:
        return None


def complaint_query(user: User, *, status=None, level=None, channel=None, overdue=None, q=None,
                    now: datetime | None = None):
    """The office's tickets, newest first, filtered; overdue=True keeps the open ones past their due time."""
    now = now or utcnow()
    stmt = select(Complaint).where(Complaint.office_id == user.office_id)
    if status:
        stmt = stmt.where(Complaint.status == ComplaintStatus(status))
    if level:
        stmt = stmt.where(Complaint.level == Level(level))
    if channel:
        stmt = stmt.where(Complaint.channel == Channel(channel))
    if overdue is True:
        stmt = stmt.where(Complaint.status != S.resolved, Complaint.due_at < now)
    elif overdue is False:
        stmt = stmt.where(or_(Complaint.status == S.resolved, Complaint.due_at >= now))
    if q:
        term = q.strip()
        stmt = stmt.where(or_(Complaint.ticket_number == term.upper(), contains_text(Complaint.complainant_name, term),
                              Complaint.nik == term, Complaint.kk_number == term, Complaint.contact == term,
                              Complaint.phone == (phone_of(term) or term), Complaint.tracking_code == term.upper()))
    order = (Complaint.due_at.asc(), Complaint.id) if overdue else (Complaint.id.desc(),)
    return stmt.options(selectinload(Complaint.parcels)).order_by(*order)


def overdue_count(user: User, level: Level | None = None, *, now: datetime | None = None) -> int:
    """How many open tickets of the office (at one level, if given) are past their due time."""
    stmt = select(func.count(Complaint.id)).where(Complaint.office_id == user.office_id, Complaint.status != S.resolved,
                                                  Complaint.due_at < (now or utcnow()))
    if level is not None:
        stmt = stmt.where(Complaint.level == level)
    return db.session.scalar(stmt) or 0


def public_status(ticket_number: str, verify: str | None) -> dict[str, Any] | None:
    """The ticket's state for whoever quotes its number and the last four digits of the phone given; else None.

    A wrong or missing verify answers like an unknown ticket, so numbers cannot be probed for existence.
    """
    number = (ticket_number or "").strip().upper()[:40]
    if not verify or len(verify) != 4 or not (verify.isascii() and verify.isdigit()):
        return None
    complaint = db.session.scalar(select(Complaint).where(Complaint.ticket_number == number))
    if complaint is None:
        return None
    digits = complaint.phone or "".join(ch for ch in complaint.contact if ch.isascii() and ch.isdigit())
    if len(digits) < 4 or not _same(digits[-4:], verify):
        return None
    return {"ticket_number": complaint.ticket_number, "status": complaint.status.value,
            "status_label": STATUS_LABELS[complaint.status], "level": complaint.level.value,
            "level_label": LEVEL_LABELS[complaint.level], "received_at": complaint.received_at,
            "due_at": complaint.due_at, "resolved_at": complaint.resolved_at}


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def local_day_bounds(office: Office, first: date, last: date) -> tuple[datetime, datetime]:
    """Stored-time bounds [start of first, start of the day after last) of whole days in the office's zone."""
    start = datetime.combine(first, time(0), tzinfo=office.zone).astimezone(UTC).replace(tzinfo=None)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=office.zone).astimezone(UTC).replace(tzinfo=None)
    return start, end


def complaints_in_period(user: User, first: date, last: date) -> list[Complaint]:
    """The tickets received in the period, in the order of their numbers, with their history."""
    start, end = local_day_bounds(user.office, first, last)
    return list(db.session.scalars(
        select(Complaint).where(Complaint.office_id == user.office_id, Complaint.received_at >= start,
                                Complaint.received_at < end)
        .options(selectinload(Complaint.events), selectinload(Complaint.parcels))
        .order_by(Complaint.received_at, Complaint.id)
    ))
