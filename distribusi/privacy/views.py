"""The operator's pages for citizens' trail requests: the list, a new request, and the trail with its downloads."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError

from distribusi.auth.permissions import ensure, same_office
from distribusi.extensions import db
from distribusi.privacy import bp, services
from distribusi.privacy.models import TrailRequest
from distribusi.privacy.schemas import TrailRequestIn
from distribusi.problems import Problem
from distribusi.schemas import MAX_ID
from distribusi.web.pages import form_payload, paginate, refused

STATUSES = [("open", "Belum dijawab"), ("answered", "Sudah dijawab")]


def _get_in_office(request_id: int) -> TrailRequest:
    """The request if it belongs to the user's office; 404 otherwise."""
    trail_request = db.session.get(TrailRequest, request_id) if request_id <= MAX_ID else None
    if not same_office(current_user, trail_request):
        abort(404)
    return trail_request


@bp.route("")
@login_required
def requests():
    ensure(current_user, "answer_pdp_requests")
    status = request.args.get("status", "")
    filters = {"q": (request.args.get("q") or "").strip()[:100] or None,
               "status": status if status in dict(STATUSES) else None}
    return render_template("privacy/requests.html", pagination=paginate(services.request_query(current_user, **filters)),
                           values=request.args, statuses=STATUSES)


@bp.route("/baru", methods=("GET", "POST"))
@login_required
def new_request():
    ensure(current_user, "answer_pdp_requests")
    if request.method == "GET":
        return render_template("privacy/new.html", values={}, errors={})
    try:
        data = TrailRequestIn().load(form_payload("nik", "requester_name", "request_date", "letter_number", "note"))
        trail_request = services.create_request(current_user, data)
    except (ValidationError, Problem) as error:
        return render_template("privacy/new.html", values=request.form, errors=refused(error)), 422
    db.session.commit()
    flash(f"Permintaan #{trail_request.id} dari {trail_request.requester_name} dicatat.", "success")
    return redirect(url_for("privacy.trail", request_id=trail_request.id))


@bp.route("/<int:request_id>")
@login_required
def trail(request_id: int):
    ensure(current_user, "answer_pdp_requests")
    trail_request = _get_in_office(request_id)
    found = services.review_trail(current_user, trail_request)
    db.session.commit()
    return render_template("privacy/trail.html", trail_request=trail_request, trail=found,
                           json_url=url_for("api.pdp_trail_json", request_id=request_id),
                           pdf_url=url_for("api.pdp_trail_pdf", request_id=request_id))
