"""The recap pages: the list of recaps, one recap with its parcels and papers, submitting it."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from distribusi.auth.permissions import ensure, same_office
from distribusi.extensions import db
from distribusi.intake.models import DOC_TYPE_LABELS
from distribusi.printing.layouts import available_layouts, load_layout
from distribusi.printing.services import DEFAULT_LAYOUT
from distribusi.problems import Problem
from distribusi.recap import bp, services
from distribusi.recap.codes import display
from distribusi.recap.models import Parcel, Recap, parcel_documents
from distribusi.web.pages import paginate, refused
from distribusi.workflow import RecapStatus


def recap_in_office(recap_id: int) -> Recap:
    """The recap with parcels and documents loaded, if it is the user's office's; 404 otherwise."""
    recap = services.load_recap(recap_id)
    if not same_office(current_user, recap):
        abort(404)
    return recap


@bp.route("")
@login_required
def recaps():
    ensure(current_user, "view_recaps")
    stmt = select(Recap).where(Recap.office_id == current_user.office_id)
    state = request.args.get("state", "")
    if state in RecapStatus.__members__:
        stmt = stmt.where(Recap.status == RecapStatus(state))
    query = request.args.get("q", "").strip()
    if query:
        stmt = stmt.where(Recap.number.ilike(f"%{query}%"))
    page = paginate(stmt.order_by(Recap.created_at.desc(), Recap.id.desc()))
    return render_template("recap/recaps.html", page=page, counts=_counts([r.id for r in page.items]),
                           states=list(RecapStatus), state=state, query=query)


def _counts(recap_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Parcels and documents per recap, in one query for the page."""
    if not recap_ids:
        return {}
    rows = db.session.execute(
        select(Parcel.recap_id, func.count(func.distinct(Parcel.id)), func.count(parcel_documents.c.document_id))
        .outerjoin(parcel_documents, parcel_documents.c.parcel_id == Parcel.id)
        .where(Parcel.recap_id.in_(recap_ids)).group_by(Parcel.recap_id)
    ).all()
    return {recap_id: (parcels, documents) for recap_id, parcels, documents in rows}


def _layouts() -> list[tuple[str, str]]:
    """The label layouts in labels/ as (name, title), the default first."""
    names = sorted(available_layouts(), key=lambda name: (name != DEFAULT_LAYOUT, name))
    return [(name, load_layout(name).title) for name in names]


def render_recap(recap: Recap, status: int = 200):
    """The recap page; its parcels as plain rows (services.parcel_rows), not ORM objects."""
    parcels = services.parcel_rows(recap.id)
    return render_template("recap/recap.html", recap=recap, parcels=parcels, layouts=_layouts(),
                           default_layout=DEFAULT_LAYOUT, doc_labels=DOC_TYPE_LABELS,
                           groups=services.parcel_groups(parcels), display=display,
                           document_count=sum(len(p.documents) for p in parcels)), status


@bp.route("/<int:recap_id>")
@login_required
def recap(recap_id: int):
    ensure(current_user, "view_recaps")
    found = db.session.get(Recap, recap_id)
    if not same_office(current_user, found):
        abort(404)
    return render_recap(found)


@bp.route("/<int:recap_id>/ajukan", methods=("POST",))
@login_required
def submit(recap_id: int):
    ensure(current_user, "submit_recaps")
    found = recap_in_office(recap_id)
    try:
        services.submit_recap(current_user, found)
    except Problem as error:
        refused(error)
        return render_recap(recap_in_office(recap_id), error.status)
    db.session.commit()
    flash(f"Rekapan {found.number} sudah diajukan ke Kasubbag Umum.", "success")
    return redirect(url_for("recap.recap", recap_id=recap_id))


from distribusi.recap import build, counter  # noqa: E402,F401  (the build and counter pages register their routes)
