"""Staff home (dashboard) and /health."""
from flask import jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select, text

from distribusi.extensions import db
from distribusi.intake.models import Document
from distribusi.recap.models import Parcel, Recap
from distribusi.web import bp
from distribusi.workflow import DocumentStatus, ParcelStatus, RecapStatus


def _counts(model, enum_cls) -> list[tuple]:
    rows = {
        state: count for state, count in db.session.execute(
            select(model.status, func.count()).where(model.office_id == current_user.office_id).group_by(model.status)
        )
    }
    return [(state, rows.get(state, 0)) for state in enum_cls]


@bp.route("/")
@login_required
def home():
    return render_template(
        "web/home.html",
        documents=_counts(Document, DocumentStatus),
        parcels=_counts(Parcel, ParcelStatus),
        recaps=_counts(Recap, RecapStatus),
    )


@bp.route("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
