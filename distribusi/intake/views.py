"""The clerk's document desk: the list with today's counts, one document, flag and resolve."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Bundle

from distribusi.auth.permissions import ensure
from distribusi.extensions import db
from distribusi.intake import bp, services
from distribusi.intake.models import DOC_TYPE_LABELS, FLAG_REASON_LABELS, Document, FlagReason
from distribusi.intake.schemas import FlagIn
from distribusi.privacy.access import record_access
from distribusi.problems import Problem
from distribusi.web.pages import form_payload, in_office, paginate, refused
from distribusi.workflow import DocumentStatus, is_allowed

MAX_SEARCH = 100  # characters of ?q=, as the API's DocumentQuery allows
LIST_COLUMNS = (Document.id, Document.doc_type, Document.doc_number, Document.owner_name, Document.nik, Document.kecamatan,
                Document.status, Document.created_at)


def today_start(office) -> datetime:
    """The stored (naive UTC) time of the office's last local midnight."""
    midnight = office.local_now().replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.replace(tzinfo=office.zone).astimezone(UTC).replace(tzinfo=None)


def doc_type_options(office) -> list[tuple[str, str]]:
    """(value, label) of the office's document types for a select."""
    return [(code, DOC_TYPE_LABELS.get(code, code)) for code in services.doc_types(office)]


def _filters() -> dict:
    """The list filters from the query string; an unknown value is ignored, never a 500."""
    status = request.args.get("status", "")
    doc_type = request.args.get("doc_type", "")
    return {
        "status": status if status in DocumentStatus.__members__ else None,
        "doc_type": doc_type if doc_type in services.doc_types(current_user.office) else None,
        "q": (request.args.get("q") or "").strip()[:MAX_SEARCH] or None,
        "today": request.args.get("today") == "1",
    }


def _today_counts(start: datetime) -> list[tuple[DocumentStatus, int]]:
    """How many of the documents registered since start are in each state now, every state listed."""
    found = dict(db.session.execute(
        select(Document.status, func.count())
        .where(Document.office_id == current_user.office_id, Document.created_at >= start)
        .group_by(Document.status)
    ).all())
    return [(state, found.get(state, 0)) for state in DocumentStatus]


@bp.route("")
@login_required
def documents():
    ensure(current_user, "view_documents")
    filters = _filters()
    start = today_start(current_user.office)
    stmt = services.document_query(current_user, status=filters["status"], doc_type=filters["doc_type"],
                                   q=filters["q"])
    if filters["today"]:
        stmt = stmt.where(Document.created_at >= start)
    # plain rows of the listed columns, not ORM objects: a 1,000-row page loads in a third of the time
    stmt = stmt.with_only_columns(Bundle("document", *LIST_COLUMNS), maintain_column_froms=True)
    return render_template(
        "intake/documents.html", pagination=paginate(stmt), filters=filters, today=_today_counts(start),
        doc_types=doc_type_options(current_user.office), states=list(DocumentStatus),
        build_url=url_for("recap.build") if "recap.build" in current_app.view_functions else None,
    )


def _render_document(document: Document, *, errors: dict | None = None, values=None, status: int = 200):
    from distribusi.recap.models import Parcel  # here: the recap package imports the pages' frame at load

    return render_template(
        "intake/document.html", document=document, errors=errors or {}, values=values or {},
        parcel=db.session.get(Parcel, document.parcel_id) if document.parcel_id else None,
        doc_type_label=DOC_TYPE_LABELS.get(document.doc_type, document.doc_type),
        flag_label=FLAG_REASON_LABELS.get(document.flag_reason) if document.flag_reason else None,
        reasons=[(reason.value, FLAG_REASON_LABELS[reason]) for reason in FlagReason],
        may_flag=is_allowed(document.status, DocumentStatus.needs_fix),
        may_resolve=is_allowed(document.status, DocumentStatus.registered),
    ), status


@bp.route("/<int:document_id>")
@login_required
def document(document_id: int):
    ensure(current_user, "view_documents")
    document = in_office(Document, document_id)
    page = _render_document(document)
    record_access(current_user, "document_view", [document], context=document.custody_label())  # UU PDP
    db.session.commit()
    return page


@bp.route("/<int:document_id>/tandai", methods=["POST"])
@login_required
def flag(document_id: int):
    ensure(current_user, "flag_documents")
    document = in_office(Document, document_id)
    try:
        data = FlagIn().load(form_payload("reason", "note"))
        services.flag_document(current_user, document, data["reason"], data.get("note"))
    except (ValidationError, Problem) as error:
        errors = refused(error)
        return _render_document(db.session.get(Document, document_id), errors=errors, values=request.form,
                                status=getattr(error, "status", 422))
    db.session.commit()
    flash(f"Dokumen {document.custody_label()} ditandai perlu perbaikan.", "success")
    return redirect(url_for("intake.document", document_id=document_id))


@bp.route("/<int:document_id>/selesai", methods=["POST"])
@login_required
def resolve(document_id: int):
    ensure(current_user, "flag_documents")
    document = in_office(Document, document_id)
    try:
        services.resolve_document(current_user, document)
    except Problem as error:
        refused(error)
        return _render_document(db.session.get(Document, document_id), status=error.status)
    db.session.commit()
    flash(f"Dokumen {document.custody_label()} sudah diperbaiki dan kembali terdaftar.", "success")
    return redirect(url_for("intake.document", document_id=document_id))


from distribusi.intake import forms  # noqa: E402,F401  (the register and import pages)
