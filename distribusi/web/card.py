"""The control card (kartu kendali): each step of a parcel, document or recap, who handed it to whom, when, how long."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from distribusi.auth.permissions import ensure, same_office
from distribusi.courier.models import FAILURE_LABELS, RELATION_LABELS
from distribusi.custody import Step, timeline
from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.letters.services import letters_of_recap
from distribusi.models import utcnow
from distribusi.printing.data import doc_type_label
from distribusi.privacy.access import record_access, record_parcel_read
from distribusi.problems import NotFound
from distribusi.schemas import MAX_ID
from distribusi.recap.models import Parcel, Recap, parcel_documents
from distribusi.recap.services import find_parcel, load_recap
from distribusi.web import bp
from distribusi.workflow import SUBJECT_NAMES, action_label, DocumentStatus, LetterStatus, ParcelStatus, RecapStatus, label

STATES = {"document": DocumentStatus, "parcel": ParcelStatus, "recap": RecapStatus, "letter": LetterStatus}
# The facts of an event worth reading on the card, and their names.
FACTS = {"recap": "Rekapan", "letter_number": "Nomor surat", "partner": "Mitra", "note": "Catatan", "received_by": "Diterima oleh",
         "recipient_name": "Penerima", "recipient_relation": "Hubungan", "failure_reason": "Alasan",
         "collected_by": "Diambil oleh"}
CODED_FACTS = {"failure_reason": {k.value: v for k, v in FAILURE_LABELS.items()},
               "recipient_relation": {k.value: v for k, v in RELATION_LABELS.items()}}
NOT_FOUND = "Kiriman dengan kode itu tidak ditemukan di kantor ini. Periksa kembali kode pada label."


@bp.app_template_filter("duration")
def duration(value: timedelta | None) -> str:
    """A wait in Indonesian, the two largest units: 2 hari 3 jam, 5 jam 12 menit, kurang dari 1 menit."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return "kurang dari 1 menit"
    parts = [(minutes // 1440, "hari"), (minutes % 1440 // 60, "jam"), (minutes % 60, "menit")]
    first = next(i for i, (amount, _unit) in enumerate(parts) if amount)
    return " ".join(f"{amount} {unit}" for amount, unit in parts[first:first + 2] if amount)


@bp.app_template_filter("age")
def age(since: datetime | None) -> str:
    """How long ago a stored UTC time was, as a duration."""
    return duration(utcnow() - since) if since is not None else "—"


def _state(kind: str, value: str | None) -> str:
    """The Indonesian name of a stored state of a subject kind."""
    states = STATES.get(kind)
    if value is None:
        return "—"
    return label(states(value)) if states is not None and value in states.__members__ else value


def _facts(data: dict | None) -> list[tuple[str, str]]:
    """The event's facts worth reading, named and translated."""
    return [(FACTS[key], CODED_FACTS.get(key, {}).get(value, value))
            for key, value in (data or {}).items() if key in FACTS and value]


def _row(step: Step, names: dict[tuple[str, int], str]) -> dict:
    event = step.event
    kind = event.subject_type
    return {
        "subject": f"{SUBJECT_NAMES.get(kind, kind)} {names.get((kind, event.subject_id), '')}".strip(),
        "action": action_label(kind, event.action),
        "from_state": _state(kind, event.from_state), "to_state": _state(kind, event.to_state),
        "from_party": event.from_party, "to_party": event.to_party,
        "at": event.recorded_at, "device_at": event.device_at,
        "waited": step.waited, "limit": step.limit, "late": step.late, "facts": _facts(event.data),
    }


def _render(template: str, steps: list[Step], names: dict, **context):
    rows = [_row(step, names) for step in steps]
    return render_template(template, rows=rows, late_count=sum(row["late"] for row in rows), doc_label=doc_type_label,
                           **context)


def _get(model, object_id: int):
    return db.session.get(model, object_id) if object_id <= MAX_ID else None  # the database refuses larger ids


def _in_office(obj, message: str):
    if obj is None or not same_office(current_user, obj):
        raise NotFound(message)
    return obj


@bp.route("/kartu")
@login_required
def card():
    ensure(current_user, "view_custody")
    code = (request.args.get("kode") or "").strip()[:300]
    if not code:
        return render_template("web/card_search.html", code="", error=None)
    parcel = find_parcel(code, current_user.office_id)
    if parcel is None:
        return render_template("web/card_search.html", code=code, error=NOT_FOUND), 404
    return redirect(url_for("web.parcel_card", code=parcel.tracking_code))


@bp.route("/kartu/kiriman/<code>")
@login_required
def parcel_card(code: str):
    ensure(current_user, "view_custody")
    parcel = _in_office(find_parcel(code[:300], current_user.office_id), NOT_FOUND)
    names = {("parcel", parcel.id): parcel.tracking_code, ("recap", parcel.recap_id): parcel.recap.number}
    names.update({("document", d.id): f"{doc_type_label(d.doc_type)} {d.doc_number}" for d in parcel.documents})
    # the recap's steps (letter, signature, handover to the partner) are the parcel's too
    steps = timeline({"parcel": [parcel.id], "document": [d.id for d in parcel.documents],
                      "recap": [parcel.recap_id]}, current_user.office)
    page = _render("web/card_parcel.html", steps, names, parcel=parcel)
    record_parcel_read(current_user, "control_card", [parcel])  # UU PDP: staff reads are logged
    db.session.commit()
    return page


@bp.route("/kartu/dokumen/<int:document_id>")
@login_required
def document_card(document_id: int):
    ensure(current_user, "view_custody")
    document = _in_office(_get(Document, document_id), "Dokumen tidak ditemukan di kantor ini.")
    parcels = db.session.scalars(
        select(Parcel).join(parcel_documents, parcel_documents.c.parcel_id == Parcel.id)
        .where(parcel_documents.c.document_id == document.id).order_by(Parcel.id)).all()
    names = {("document", document.id): f"{doc_type_label(document.doc_type)} {document.doc_number}"}
    names.update({("parcel", p.id): p.tracking_code for p in parcels})
    names.update({("recap", p.recap_id): p.recap.number for p in parcels})
    steps = timeline({"document": [document.id], "parcel": [p.id for p in parcels],
                      "recap": sorted({p.recap_id for p in parcels})}, current_user.office)
    page = _render("web/card_document.html", steps, names, document=document, parcels=parcels)
    record_access(current_user, "control_card", [document], context=document.custody_label())
    db.session.commit()
    return page


@bp.route("/kartu/rekap/<int:recap_id>")
@login_required
def recap_card(recap_id: int):
    ensure(current_user, "view_custody")
    recap = _in_office(_get(Recap, recap_id), "Rekapan tidak ditemukan di kantor ini.")
    recap = load_recap(recap.id)
    letters = letters_of_recap(recap.id)
    # the recap's own events already carry each letter's issue, rejection (with the note) and signature
    steps = timeline({"recap": [recap.id]}, current_user.office)
    names = {("recap", recap.id): recap.number}
    page = _render("web/card_recap.html", steps, names, recap=recap, letters=letters)
    record_parcel_read(current_user, "control_card", recap.parcels, recap.number)
    db.session.commit()
    return page
