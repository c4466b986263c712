"""Staff home (dashboard) and /health."""
from flask import jsonify, render_template
from flask_login import current_user, login_required
from sqlalchemy import text

from distribusi.extensions import db
from distribusi.recap.services import counts_by_state
from distribusi.web import bp


@bp.route("/")
@login_required
def home():
    return render_template("web/home.html", **counts_by_state(current_user.office_id))


@bp.route("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
