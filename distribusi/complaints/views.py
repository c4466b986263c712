"""The complaint pages in the staff frame: my desk, the complaint book, a new ticket with a live lookup, the ticket."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from distribusi.auth.permissions import can, ensure
from distribusi.complaints import bp, services
from distribusi.complaints.models import (ACTION_LABELS, CATEGORY_LABELS, CHANNEL_LABELS, LEVEL_LABELS, ROUTE_LABELS,
                                          STATUS_LABELS, Category, Channel, Complaint, ComplaintStatus, Level, Route)
from distribusi.extensions import db
from distribusi.models import utcnow
from distribusi.problems import Problem
from distribusi.web.pages import form_payload, paginate, refused
from distribusi.workflow import label

FORM_FIELDS = ("channel", "complainant_name", "contact", "nik", "kk_number", "category", "description",
               "tracking_code")
LOOKUP_KEYS = ("nik", "kk", "phone", "tracking_code")
CHOICES = {
    "channels": [(c.value, CHANNEL_LABELS[c]) for c in Channel],
    "categories": [(c.value, CATEGORY_LABELS[c]) for c in Category],
    "levels": [(level.value, LEVEL_LABELS[level]) for level in Level],
    "statuses": [(s.value, STATUS_LABELS[s]) for s in ComplaintStatus],
    "routes": [(r.value, ROUTE_LABELS[r]) for r in Route],
}
LABELS = {"channel": CHANNEL_LABELS, "category": CATEGORY_LABELS, "level": LEVEL_LABELS, "status": STATUS_LABELS,
          "route": ROUTE_LABELS, "action": ACTION_LABELS}


@bp.app_template_global("complaint_label")
def complaint_label(kind: str, value) -> str:
    """The Indonesian name of a channel, category, level, status, route or history action."""
    table = LABELS[kind]
    for key, text in table.items():
        if key == value or getattr(key, "value", key) == value:
            return text
    return value or "—"


@bp.app_template_global("complaints_overdue")
def complaints_overdue() -> int | None:
    """Overdue tickets at the user's level (the whole office for roles off the ladder); None if they may not see."""
    if not can(current_user, "view_complaints"):
        return None
    return services.overdue_count(current_user, services.desk_level(current_user))


def _filters() -> dict:
    args = request.args
    pick = {
        "status": args.get("status") if args.get("status") in {s.value for s in ComplaintStatus} else None,
        "level": args.get("level") if args.get("level") in {lv.value for lv in Level} else None,
        "channel": args.get("channel") if args.get("channel") in {c.value for c in Channel} else None,
        "overdue": True if args.get("overdue") == "1" else None,
        "q": (args.get("q") or "").strip()[:100] or None,
    }
    return pick


def _list_page(template: str, **context):
    filters, now = _filters(), utcnow()
    pagination = paginate(services.complaint_query(current_user, now=now, **filters), per_page=25)
    return render_template(template, pagination=pagination, filters=filters, now=now, **CHOICES, **context)


@bp.route("/")
@login_required
def desk():
    """My desk: the tickets at my level of the ladder, the overdue ones first."""
    ensure(current_user, "handle_complaints")
    level = services.desk_level(current_user)
    filters = _filters()
    now = utcnow()
    stmt = services.complaint_query(current_user, now=now, **{**filters, "level": level.value})
    if filters["status"] is None:
        stmt = stmt.where(Complaint.status != ComplaintStatus.resolved).order_by(None).order_by(Complaint.due_at,
                                                                                                Complaint.id)
    pagination = paginate(stmt, per_page=25)
    return render_template("complaints/desk.html", pagination=pagination, filters=filters, now=now, level=level,
                           overdue=services.overdue_count(current_user, level, now=now), **CHOICES)


@bp.route("/buku")
@login_required
def book():
    """The complaint book: every ticket of the office, with filters and the printed papers of a period."""
    ensure(current_user, "view_complaints")
    today = current_user.office.local_now().date()
    return _list_page("complaints/book.html", today=today)


@bp.route("/baru", methods=["GET", "POST"])
@login_required
def new():
    ensure(current_user, "register_complaints")
    if request.method == "GET":
        return render_template("complaints/new.html", values={"channel": "akapela_phone", "category": "delivery_status"},
                               errors={}, found=None, **CHOICES)
    try:
        complaint = services.register_complaint(current_user, form_payload(*FORM_FIELDS))
    except (ValidationError, Problem) as error:
        return render_template("complaints/new.html", values=request.form, errors=refused(error), found=None,
                               **CHOICES), 422
    db.session.commit()
    flash(f"Pengaduan {complaint.ticket_number} dicatat.", "success")
    return redirect(url_for("complaints.ticket", complaint_id=complaint.id))


@bp.route("/cari")
@login_required
def lookup():
    """The documents and parcels the typed keys find, as a fragment under the form (htmx) or a page of its own."""
    ensure(current_user, "lookup")
    keys = {"nik": request.args.get("nik"), "kk": request.args.get("kk_number") or request.args.get("kk"),
            "phone": request.args.get("contact") or request.args.get("phone"),
            "tracking_code": request.args.get("tracking_code")}
    keys = {key: (value or "").strip()[:32] or None for key, value in keys.items()}
    if keys["phone"] and services.phone_of(keys["phone"]) is None:
        keys["phone"] = None  # a social-media account is no search key
    found = services.find_related(current_user, **keys) if any(keys.values()) else None
    return render_template("complaints/_lookup.html", found=found)


@bp.route("/<int:complaint_id>")
@login_required
def ticket(complaint_id: int):
    ensure(current_user, "view_complaints")
    return _ticket_page(services.get_complaint(current_user, complaint_id), {})


def _ticket_page(complaint, errors: dict, status: int = 200):
    return render_template("complaints/ticket.html", complaint=complaint, errors=errors, values=request.form,
                           next_level=services.next_level(complaint.level),
                           document_options=[(d.id, f"{d.doc_type} a.n. {d.owner_name} ({label(d.status)})")
                                             for d in complaint.documents], **CHOICES), status


ACTIONS = {
    "jawab": (services.respond, ("answer",), "handle_complaints", "Jawaban dicatat."),
    "teruskan": (services.route, ("route", "note", "document_id"), "handle_complaints", "Pengaduan diteruskan."),
    "naikkan": (services.escalate, ("note",), "escalate_complaints", "Pengaduan dinaikkan satu tingkat."),
    "selesai": (services.resolve, ("outcome",), "handle_complaints", "Pengaduan diselesaikan."),
}


@bp.route("/<int:complaint_id>/<any(jawab, teruskan, naikkan, selesai):action>", methods=["POST"])
@login_required
def act(complaint_id: int, action: str):
    service, names, verb, done = ACTIONS[action]
    ensure(current_user, verb)
    complaint = services.get_complaint(current_user, complaint_id)
    payload = form_payload(*names)
    if "document_id" in payload:
        payload["document_id"] = int(payload["document_id"]) if payload["document_id"].isdigit() else -1
    try:
        service(current_user, complaint, payload)
    except (ValidationError, Problem) as error:
        return _ticket_page(services.get_complaint(current_user, complaint_id), refused(error),
                            getattr(error, "status", 422))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("complaints.ticket", complaint_id=complaint_id))


@bp.route("/<int:complaint_id>/tautkan", methods=["POST"])
@login_required
def link(complaint_id: int):
    ensure(current_user, "handle_complaints")
    complaint = services.get_complaint(current_user, complaint_id)
    keys = {key: (request.form.get(key) or "").strip()[:32] or None for key in LOOKUP_KEYS}
    try:
        added = services.link_related(current_user, complaint, keys)
    except Problem as error:
        return _ticket_page(services.get_complaint(current_user, complaint_id), refused(error), error.status)
    db.session.commit()
    flash(f"{added} kiriman/dokumen ditautkan." if added else "Tidak ada kiriman atau dokumen baru yang ditemukan.",
          "success" if added else "info")
    return redirect(url_for("complaints.ticket", complaint_id=complaint_id))
