"""The counter (loket): hand a returned parcel to the citizen who came, or put returned parcels into a new recap."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from distribusi.auth.permissions import ensure
from distribusi.extensions import db
from distribusi.intake.models import DOC_TYPE_LABELS
from distribusi.problems import Problem
from distribusi.recap import bp, services
from distribusi.recap.codes import display
from distribusi.recap.models import Parcel
from distribusi.returns.services import collect_parcel, failure_label, returned_documents
from distribusi.web.pages import form_payload, paginate, refused
from distribusi.workflow import ParcelStatus


def _render_counter(code: str = "", parcel: Parcel | None = None, values=None, errors=None, status: int = 200):
    query = request.args.get("q", "").strip()
    stmt = (select(Parcel).where(Parcel.office_id == current_user.office_id, Parcel.status == ParcelStatus.returned)
            .options(selectinload(Parcel.documents), selectinload(Parcel.recap)))
    if query:
        pattern = f"%{query}%"
        stmt = stmt.where(Parcel.recipient_name.ilike(pattern) | Parcel.tracking_code.ilike(pattern))
    page = paginate(stmt.order_by(Parcel.updated_at.desc(), Parcel.id.desc()))
    return render_template("recap/counter.html", code=code, parcel=parcel, page=page, query=query,
                           values=values or {}, errors=errors or {}, failure_label=failure_label,
                           doc_labels=DOC_TYPE_LABELS, display=display), status


def _lookup(code: str) -> tuple[Parcel | None, int]:
    parcel = services.find_parcel(code, current_user.office_id) if code else None
    if code and parcel is None:
        flash(f"Kiriman dengan kode {code} tidak ditemukan.", "error")
        return None, 404
    return parcel, 200


@bp.route("/loket", methods=("GET", "POST"))
@login_required
def counter():
    ensure(current_user, "collect_parcels")
    code = (request.values.get("code") or "").strip()
    parcel, status = _lookup(code)
    if request.method == "GET" or parcel is None:
        return _render_counter(code, parcel, status=status if code else 200)
    data = form_payload("collected_by", "note")
    try:
        collect_parcel(current_user, parcel, data.get("collected_by"), data.get("note"))
    except Problem as error:
        errors = refused(error)
        return _render_counter(code, parcel, request.form, errors, error.status)
    db.session.commit()
    flash(f"Kiriman {display(parcel.tracking_code)} sudah diserahkan kepada "
          f"{data.get('collected_by') or parcel.recipient_name}.", "success")
    return redirect(url_for("recap.counter"))


@bp.route("/loket/kemas-ulang", methods=("POST",))
@login_required
def repack():
    ensure(current_user, "create_recaps")
    parcel_ids = [int(value) for value in request.form.getlist("parcel_ids") if value.strip().isdigit()]
    held = returned_documents(current_user, parcel_ids)
    document_ids = [document_id for ids in held.values() for document_id in ids]
    if not document_ids:
        flash("Centang minimal satu kiriman yang kembali.", "error")
        return _render_counter(status=422)
    try:
        recap = services.create_recap(current_user, document_ids)
    except (ValidationError, Problem) as error:
        refused(error)
        return _render_counter(status=422 if isinstance(error, ValidationError) else error.status)
    db.session.commit()
    flash(f"Rekapan {recap.number} dibuat dari {len(held)} kiriman yang kembali.", "success")
    return redirect(url_for("recap.recap", recap_id=recap.id))
