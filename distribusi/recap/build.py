"""Building a recap: filter the registered documents, tick them, preview the household parcels, save."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import or_, select

from distribusi.auth.permissions import ensure
from distribusi.extensions import db
from distribusi.intake.models import DOC_TYPE_LABELS, Document
from distribusi.intake.services import doc_types
from distribusi.problems import Problem
from distribusi.recap import bp, services
from distribusi.recap.services import MAX_DOCUMENTS_PER_RECAP
from distribusi.web.pages import field_errors, refused
from distribusi.workflow import DocumentStatus

FILTERS = ("doc_type", "kecamatan", "date", "q")


def _registered_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _candidates(filters: dict[str, str]) -> tuple[list[Document], bool]:
    """The office's registered documents matching the filters, at most one recap's worth; and whether more matched."""
    stmt = select(Document).where(Document.office_id == current_user.office_id,
                                  Document.status == DocumentStatus.registered)
    if filters["doc_type"]:
        stmt = stmt.where(Document.doc_type == filters["doc_type"])
    if filters["kecamatan"]:
        stmt = stmt.where(Document.kecamatan == filters["kecamatan"])
    day = _registered_date(filters["date"])
    if day is not None:  # the office's calendar day, in stored UTC
        start = datetime.combine(day, time(), tzinfo=current_user.office.zone).astimezone(UTC).replace(tzinfo=None)
        stmt = stmt.where(Document.created_at >= start, Document.created_at < start + timedelta(days=1))
    if filters["q"]:
        pattern = f"%{filters['q']}%"
        stmt = stmt.where(or_(Document.doc_number.ilike(pattern), Document.owner_name.ilike(pattern),
                              Document.nik.ilike(pattern), Document.kk_number.ilike(pattern)))
    found = db.session.scalars(stmt.order_by(Document.created_at, Document.id).limit(MAX_DOCUMENTS_PER_RECAP + 1)).all()
    return list(found[:MAX_DOCUMENTS_PER_RECAP]), len(found) > MAX_DOCUMENTS_PER_RECAP


def _kecamatans() -> list[tuple[str, str]]:
    return [(name, name) for name in db.session.scalars(
        select(Document.kecamatan).where(Document.office_id == current_user.office_id,
                                         Document.status == DocumentStatus.registered)
        .distinct().order_by(Document.kecamatan))]


def _posted_ids() -> list[int]:
    return [int(value) for value in request.form.getlist("document_ids") if value.strip().isdigit()]


def _preview(ids: list[int]) -> dict:
    """The parcels the ticked documents would make, or the service's refusal."""
    if not ids:
        return {"households": [], "errors": {"document_ids": ["Belum ada dokumen yang dicentang."]}}
    try:
        return {"households": services.preview_households(current_user, ids), "errors": {}}
    except (ValidationError, Problem) as error:
        db.session.rollback()
        return {"households": [], "errors": field_errors(error),
                "message": None if isinstance(error, ValidationError) else error.message}


def _render_build(ticked: set[int] | None, errors: dict | None = None, status: int = 200):
    filters = {name: request.args.get(name, "").strip() for name in FILTERS}
    documents, more = _candidates(filters)
    ids = [d.id for d in documents] if ticked is None else [d.id for d in documents if d.id in ticked]
    return render_template(
        "recap/build.html", filters=filters, active_filters={k: v for k, v in filters.items() if v}, documents=documents, more=more, ticked=set(ids),
        preview=_preview(ids), errors=errors or {}, limit=MAX_DOCUMENTS_PER_RECAP, kecamatans=_kecamatans(),
        doc_type_options=[(t, DOC_TYPE_LABELS.get(t, t)) for t in doc_types(current_user.office)],
    ), status


@bp.route("/baru", methods=("GET", "POST"))
@login_required
def build():
    ensure(current_user, "create_recaps")
    if request.method == "GET":
        return _render_build(None)
    ids = _posted_ids()
    try:
        recap = services.create_recap(current_user, ids)
    except (ValidationError, Problem) as error:
        errors = refused(error)
        return _render_build(set(ids), errors, 422 if isinstance(error, ValidationError) else error.status)
    db.session.commit()
    flash(f"Rekapan {recap.number} tersimpan: {len(recap.parcels)} kiriman.", "success")
    return redirect(url_for("recap.recap", recap_id=recap.id))


@bp.route("/baru/pratinjau", methods=("POST",))
@login_required
def preview():
    ensure(current_user, "create_recaps")
    return render_template("recap/_preview.html", preview=_preview(_posted_ids()), limit=MAX_DOCUMENTS_PER_RECAP)
