"""The handover pages: recaps ready to go, recording a handover, its Berita Acara and the courier's acceptance."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from distribusi.auth.permissions import ensure
from distribusi.extensions import db
from distribusi.handover import bp, services
from distribusi.handover.models import Handover
from distribusi.handover.schemas import HandoverIn
from distribusi.letters.services import signed_letter_of
from distribusi.problems import Problem
from distribusi.recap.codes import display
from distribusi.recap.models import Recap
from distribusi.returns.services import partners
from distribusi.web.pages import form_payload, in_office, paginate, refused
from distribusi.workflow import RecapStatus

READY_SHOWN = 100  # signed recaps waiting are few; more than this asks for the filters


def _numbers(payload: dict) -> dict:
    """The form's id as the API's JSON carries it: a number (anything else is left for the schema to refuse)."""
    value = payload.get("courier_partner_id")
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 11:
        payload["courier_partner_id"] = int(value)
    return payload


def _filters() -> dict:
    return {"partner_id": request.args.get("mitra", type=int), "search": (request.args.get("q") or "").strip()[:100]}


@bp.route("")
@login_required
def handovers():
    ensure(current_user, "hand_over")
    filters = _filters()
    ready = db.session.scalars(services.ready_letters(current_user.office_id, **filters).limit(READY_SHOWN + 1)).all()
    pagination = paginate(services.handovers_of(current_user.office_id, **filters))
    return render_template(
        "handover/handovers.html", ready=ready[:READY_SHOWN], more_ready=len(ready) > READY_SHOWN,
        pagination=pagination, progress=services.acceptance_counts(pagination.items),
        partners=partners(current_user), filters=filters,
    )


@bp.route("/rekap/<int:recap_id>", methods=["GET", "POST"])
@login_required
def record(recap_id: int):
    ensure(current_user, "hand_over")
    recap = in_office(Recap, recap_id)
    done = db.session.scalar(select(Handover).where(Handover.recap_id == recap.id))
    if done is not None and request.method == "GET":
        flash(f"Rekapan {recap.number} sudah diserahterimakan.", "info")
        return redirect(url_for("handover.handover", handover_id=done.id))
    letter = signed_letter_of(recap)
    values = {"courier_partner_id": letter.courier_partner_id if letter else None, "received_by": ""}
    if request.method == "POST":
        values = request.form
        try:
            data = HandoverIn().load(_numbers(form_payload("courier_partner_id", "received_by")))
            handover = services.hand_over(current_user, recap, data["courier_partner_id"], data["received_by"])
        except (ValidationError, Problem) as error:
            return _record_page(recap, letter, values, refused(error)), getattr(error, "status", 422)
        db.session.commit()
        flash(f"Serah terima rekapan {recap.number} kepada {handover.courier_partner.name} tercatat.", "success")
        return redirect(url_for("handover.handover", handover_id=handover.id))
    if recap.status is not RecapStatus.signed or letter is None:
        flash(f"Rekapan {recap.number} belum dapat diserahterimakan: surat pengantarnya belum ditandatangani.", "error")
        return _record_page(recap, letter, values, {}), 409
    return _record_page(recap, letter, values, {})


def _record_page(recap: Recap, letter, values, errors) -> str:
    options = [(p.id, p.name) for p in partners(current_user)]
    return render_template("handover/record.html", recap=recap, letter=letter, values=values, errors=errors,
                           options=options, ready=recap.status is RecapStatus.signed and letter is not None)


@bp.route("/<int:handover_id>")
@login_required
def handover(handover_id: int):
    ensure(current_user, "hand_over")
    item = in_office(Handover, handover_id)
    return render_template("handover/handover.html", handover=item, acceptance=services.acceptance(item),
                           display=display)


@bp.route("/<int:handover_id>/kemajuan")
@login_required
def progress(handover_id: int):
    """The acceptance partial the handover page polls."""
    ensure(current_user, "hand_over")
    item = in_office(Handover, handover_id)
    return render_template("handover/_progress.html", handover=item, acceptance=services.acceptance(item),
                           display=display)
