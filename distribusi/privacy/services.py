"""Trail requests and their answers: everything the office holds about a NIK and every step that processed it."""
from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from distribusi.auth.models import User
from distribusi.courier.models import DeliveryPhoto
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.models import Office, utcnow
from distribusi.notify.models import OutboxMessage
from distribusi.printing.data import doc_type_label
from distribusi.printing.office import office_info
from distribusi.printing.pdp_trail import render_trail
from distribusi.privacy.access import nik_digest, record_access
from distribusi.privacy.models import (
    PURPOSE_LABELS, AccessEvent, AccessPurpose, AccessSubject, TrailAnswer, TrailRequest,
)
from distribusi.privacy.schemas import TrailOut
from distribusi.recap.models import Parcel, parcel_documents
from distribusi.workflow import SUBJECT_NAMES, action_label, label

MESSAGE_LABELS = {
    "parcel_out_for_delivery": "Pemberitahuan: kiriman dibawa kurir",
    "parcel_delivered": "Pemberitahuan: kiriman diterima",
    "parcel_failed": "Pemberitahuan: pengantaran gagal",
    "parcel_returned": "Pemberitahuan: kiriman kembali ke Dinas",
}


def create_request(user: User, data: dict[str, Any]) -> TrailRequest:
    """Record a citizen's written request for the trail of a NIK."""
    trail_request = TrailRequest(
        office_id=user.office_id, nik=data["nik"], nik_digest=nik_digest(user.office_id, data["nik"]),
        requester_name=data["requester_name"], request_date=data["request_date"],
        letter_number=data["letter_number"], note=data.get("note"), created_by_id=user.id,
    )
    db.session.add(trail_request)
    db.session.flush()
    return trail_request


def request_query(user: User, *, q: str | None = None, status: str | None = None):
    """The office's requests, newest first, filtered by a NIK, requester or letter number and answered or not."""
    stmt = (select(TrailRequest).where(TrailRequest.office_id == user.office_id)
            .options(selectinload(TrailRequest.answers), selectinload(TrailRequest.created_by)))
    if q:
        term = q.strip()
        if term.isdigit() and len(term) == 16:
            stmt = stmt.where(TrailRequest.nik_digest == nik_digest(user.office_id, term))
        else:
            stmt = stmt.where(or_(TrailRequest.requester_name.icontains(term, autoescape=True),
                                  TrailRequest.letter_number.icontains(term, autoescape=True)))
    answered = select(TrailAnswer.id).where(TrailAnswer.request_id == TrailRequest.id).exists()
    if status == "answered":
        stmt = stmt.where(answered)
    elif status == "open":
        stmt = stmt.where(~answered)
    return stmt.order_by(TrailRequest.created_at.desc(), TrailRequest.id.desc())


def request_page(user: User, *, page: int = 1, per_page: int = 50, **filters) -> dict[str, Any]:
    """One page of the office's requests."""
    found = db.paginate(request_query(user, **filters), page=page, per_page=per_page, error_out=False, count=True)
    return {"items": found.items, "page": found.page, "per_page": found.per_page, "total": found.total,
            "pages": found.pages}


def _names(user_ids: set[int | None]) -> dict[int, User]:
    ids = {i for i in user_ids if i}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _who(users: dict[int, User], user_id: int | None) -> dict[str, Any] | None:
    user = users.get(user_id) if user_id else None
    return {"name": user.full_name, "role": user.role_label} if user else None


def _document(doc: Document, users: dict[int, User]) -> dict[str, Any]:
    return {"id": doc.id, "doc_type": doc.doc_type, "doc_type_label": doc_type_label(doc.doc_type),
            "doc_number": doc.doc_number, "nik": doc.nik, "kk_number": doc.kk_number, "owner_name": doc.owner_name,
            "recipient_name": doc.recipient_name, "phone": doc.phone, "application_number": doc.application_number,
            "address": doc.address, "status": doc.status.value, "registered_at": doc.created_at,
            "registered_by": _who(users, doc.created_by_id)}


def _parcel(parcel: Parcel, own_ids: set[int], photos: list[DeliveryPhoto], users: dict[int, User]) -> dict[str, Any]:
    return {"id": parcel.id, "tracking_code": parcel.tracking_code, "recap_number": parcel.recap.number,
            "status": parcel.status.value, "status_label": label(parcel.status),
            "recipient_name": parcel.recipient_name, "phone": parcel.phone,
            "address": parcel.address, "delivered_to": parcel.delivered_to, "delivered_at": parcel.delivered_at,
            "own_documents": [d.id for d in parcel.documents if d.id in own_ids],
            "other_documents": sum(d.id not in own_ids for d in parcel.documents),
            "photos": [{"taken_at": p.created_at, "by": _who(users, p.uploaded_by_id)} for p in photos]}


def _steps(documents, parcels, users_of) -> list[dict[str, Any]]:
    """The custody events of the citizen's documents, their parcels and those parcels' recaps, in chain order."""
    kinds = {"document": [d.id for d in documents], "parcel": [p.id for p in parcels],
             "recap": sorted({p.recap_id for p in parcels})}
    wanted = [and_(CustodyEvent.subject_type == kind, CustodyEvent.subject_id.in_(ids)) for kind, ids in kinds.items() if ids]
    if not wanted:
        return []
    office_id = documents[0].office_id
    events = db.session.scalars(select(CustodyEvent).where(CustodyEvent.office_id == office_id, or_(*wanted))
                                .order_by(CustodyEvent.seq)).all()
    names = {("document", d.id): f"{doc_type_label(d.doc_type)} {d.doc_number}" for d in documents}
    names.update({("parcel", p.id): p.tracking_code for p in parcels})
    names.update({("recap", p.recap_id): p.recap.number for p in parcels})
    users = users_of({e.actor_id for e in events})
    return [{"at": e.recorded_at, "subject_type": e.subject_type,
             "subject": f"{SUBJECT_NAMES.get(e.subject_type, e.subject_type)} {names.get((e.subject_type, e.subject_id), '')}".strip(),
             "action": e.action, "action_label": action_label(e.subject_type, e.action),
             "actor": _who(users, e.actor_id), "from_party": e.from_party, "to_party": e.to_party}
            for e in events]


def _messages(parcels) -> list[dict[str, Any]]:
    if not parcels:
        return []
    codes = {p.id: p.tracking_code for p in parcels}
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.parcel_id.in_(codes))
                              .order_by(OutboxMessage.created_at, OutboxMessage.id)).all()
    return [{"at": m.created_at, "tracking_code": codes[m.parcel_id], "channel": m.channel, "recipient": m.recipient,
             "template": m.template, "label": MESSAGE_LABELS.get(m.template, m.template), "status": m.status.value,
             "sent_at": m.sent_at} for m in rows]


def _accesses(office_id: int, digest: str, users_of) -> list[dict[str, Any]]:
    """Every recorded staff read of the NIK or its documents, oldest first."""
    events = db.session.scalars(
        select(AccessEvent).where(AccessEvent.office_id == office_id, AccessEvent.id.in_(
            select(AccessSubject.event_id).where(AccessSubject.office_id == office_id,
                                                 AccessSubject.nik_digest == digest)))
        .order_by(AccessEvent.recorded_at, AccessEvent.id)).all()
    users = users_of({e.actor_id for e in events})
    return [{"at": e.recorded_at, "actor": _who(users, e.actor_id), "purpose": e.purpose.value,
             "purpose_label": PURPOSE_LABELS[e.purpose], "channel": e.channel, "context": e.context}
            for e in events]


def build_trail(trail_request: TrailRequest, *, as_of: datetime | None = None) -> dict[str, Any]:
    """What the office holds about the request's NIK and every processing step, within the request's office."""
    office_id, nik = trail_request.office_id, trail_request.nik
    documents = db.session.scalars(select(Document).where(Document.office_id == office_id, Document.nik == nik)
                                   .order_by(Document.id)).all()
    parcels = db.session.scalars(
        select(Parcel).join(parcel_documents, parcel_documents.c.parcel_id == Parcel.id)
        .where(Parcel.office_id == office_id, parcel_documents.c.document_id.in_([d.id for d in documents]))
        .options(selectinload(Parcel.documents), selectinload(Parcel.recap)).distinct().order_by(Parcel.id)
    ).all() if documents else []
    photos = db.session.scalars(select(DeliveryPhoto).where(DeliveryPhoto.parcel_id.in_([p.id for p in parcels]))
                                .order_by(DeliveryPhoto.id)).all() if parcels else []
    users = _names({d.created_by_id for d in documents} | {p.uploaded_by_id for p in photos})
    own = {d.id for d in documents}
    office = db.session.get(Office, office_id)
    return {
        "request": trail_request, "office": {"code": office.code, "name": office.name},
        "as_of": as_of or utcnow(), "nik": nik,
        "documents": [_document(d, users) for d in documents],
        "parcels": [_parcel(p, own, [ph for ph in photos if ph.parcel_id == p.id], users) for p in parcels],
        "steps": _steps(documents, parcels, _names),
        "messages": _messages(parcels),
        "accesses": _accesses(office_id, trail_request.nik_digest, _names),
    }


def entry_count(trail: dict[str, Any]) -> int:
    """How many entries a trail holds (data held, steps, messages, reads)."""
    return sum(len(trail[key]) for key in ("documents", "parcels", "steps", "messages", "accesses"))


def trail_documents(trail_request: TrailRequest) -> list[Document]:
    return list(db.session.scalars(select(Document).where(Document.office_id == trail_request.office_id,
                                                          Document.nik == trail_request.nik)))


def review_trail(user: User, trail_request: TrailRequest) -> dict[str, Any]:
    """The trail for the operator to check on screen; the look is recorded as a read of the citizen's data."""
    trail = build_trail(trail_request)
    record_access(user, AccessPurpose.trail_review, trail_documents(trail_request), nik=trail_request.nik,
                  context=f"Permintaan PDP #{trail_request.id}")
    return trail


def record_answer(user: User, trail_request: TrailRequest, fmt: str, trail: dict[str, Any],
                  content: bytes) -> TrailAnswer:
    """Record that an answer was produced (when, by whom, its format, size and SHA-256) and that it read the data."""
    answer = TrailAnswer(office_id=trail_request.office_id, request_id=trail_request.id, produced_by_id=user.id,
                         format=fmt, entry_count=entry_count(trail), sha256=hashlib.sha256(content).hexdigest())
    db.session.add(answer)
    record_access(user, AccessPurpose.trail_answer, trail_documents(trail_request), nik=trail_request.nik,
                  context=f"Permintaan PDP #{trail_request.id} ({fmt.upper()})")
    db.session.flush()
    return answer


def produce_answer(user: User, trail_request: TrailRequest, fmt: str) -> tuple[bytes, dict[str, Any]]:
    """The answer as JSON or PDF bytes, recorded as produced by the user; returns (content, trail)."""
    trail = build_trail(trail_request)
    if fmt == "pdf":
        out = io.BytesIO()
        office = office_info(db.session.get(Office, trail_request.office_id), current_app.config["PUBLIC_BASE_URL"])
        render_trail(trail, office, out, printed_at=trail["as_of"])
        content = out.getvalue()
    else:
        content = json.dumps(TrailOut().dump(trail), ensure_ascii=False, indent=1).encode()
    record_answer(user, trail_request, fmt, trail, content)
    return content, trail
