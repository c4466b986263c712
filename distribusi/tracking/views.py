"""Public pages a citizen reaches from a label's QR (/k/<code>), the tracking form (/lacak) and letter verification."""
from datetime import date, datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from distribusi.auth.models import Role
from distribusi.letters.services import verify_letter
from distribusi.printing.text import format_date_id, format_datetime_id
from distribusi.ratelimit import public_limit
from distribusi.tracking.services import public_view
from distribusi.zones import Zone

bp = Blueprint("public", __name__)


@bp.app_template_filter("office_time")
def office_time(value: datetime, zone: Zone = None) -> str:
    """A stored time in the office's zone, as a citizen reads it: 22 November 2026 14.05 WIB."""
    return format_datetime_id(value, zone, joiner=" ")


@bp.app_template_filter("indonesian_date")
def indonesian_date(value: date) -> str:
    """A date as Indonesians write it: 22 November 2026."""
    return format_date_id(value)


@bp.route("/lacak")
@public_limit()
def track_form():
    code = (request.args.get("kode") or "").strip()
    view = public_view(code[:300], request.args.get("hp")) if code else None
    return render_template("public/track.html", code=code, view=view, searched=bool(code))


@bp.route("/k/<code>")
@public_limit()
def track(code: str):
    if getattr(current_user, "role", None) is Role.courier:  # a courier's camera app opened the label: the parcel card
        return redirect(url_for("courier.home", kode=code[:40]))
    view = public_view(code[:300], request.args.get("hp"))
    return render_template("public/track.html", code=code, view=view, searched=True), (200 if view else 404)


@bp.route("/verifikasi/<code>")
@public_limit()
def verify(code: str):
    facts = verify_letter(code[:100])
    return render_template("public/verify.html", facts=facts), (200 if facts else 404)
