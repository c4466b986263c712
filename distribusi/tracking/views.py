"""Public pages a citizen reaches from a label's QR (/k/<code>), the tracking form (/lacak) and letter verification."""
from flask import Blueprint, render_template, request

from distribusi.letters.services import verify_letter
from distribusi.ratelimit import public_limit
from distribusi.tracking.services import public_view

bp = Blueprint("public", __name__)


@bp.route("/lacak")
@public_limit()
def track_form():
    code = (request.args.get("kode") or "").strip()
    view = public_view(code[:300], request.args.get("hp")) if code else None
    return render_template("public/track.html", code=code, view=view, searched=bool(code))


@bp.route("/k/<code>")
@public_limit()
def track(code: str):
    view = public_view(code[:300], request.args.get("hp"))
    return render_template("public/track.html", code=code, view=view, searched=True), (200 if view else 404)


@bp.route("/verifikasi/<code>")
@public_limit()
def verify(code: str):
    facts = verify_letter(code[:100])
    return render_template("public/verify.html", facts=facts), (200 if facts else 404)
