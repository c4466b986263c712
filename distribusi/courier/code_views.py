"""The office's side of delivery codes on the parcel's control card: the lock state and the kasubbag's reset."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from distribusi.auth.permissions import ensure
from distribusi.courier import delivery_codes
from distribusi.extensions import db
from distribusi.recap.services import find_parcel
from distribusi.courier import bp


@bp.app_template_global("delivery_code_state")
def delivery_code_state(parcel) -> dict:
    """What the control card shows of a parcel's delivery code."""
    return delivery_codes.lock_state(parcel)


@bp.route("/kiriman/<code>/kode-serah-terima/buka", methods=["POST"])  # the office's action, beside the page
@login_required
def reset_delivery_code(code: str):
    ensure(current_user, "reset_delivery_codes")
    parcel = find_parcel(code[:300], current_user.office_id)
    if parcel is None:
        abort(404)
    delivery_codes.reset_lock(parcel, current_user)
    db.session.commit()
    flash("Kunci kode serah terima dibuka. Kurir dapat memasukkan kode dari penerima lagi.", "success")
    return redirect(url_for("web.parcel_card", code=parcel.tracking_code))
