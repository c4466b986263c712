"""Staff home (dashboard), its chart data, and /health."""
from flask import abort, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from distribusi.auth.models import Role
from distribusi.auth.permissions import ensure
from distribusi.database import read_only
from distribusi.web import bp


def _services():
    """The recap and report services, imported on first use: the web package loads before the stages' models."""
    from distribusi.recap import services as recap_services
    from distribusi.reports import services as reports

    return recap_services, reports


def counts_by_state(office_id: int) -> dict:
    """The office's documents, parcels and recaps per state (the recap service's figures)."""
    recap_services, _reports = _services()
    return recap_services.counts_by_state(office_id)


def _staff_only():
    """Couriers go to their phone page (403 while it does not exist); other staff need view_documents."""
    if current_user.role is Role.courier:
        if "courier.home" in current_app.view_functions:
            return redirect(url_for("courier.home"))
        abort(403)
    ensure(current_user, "view_documents")
    return None


@bp.route("/")
@login_required
def home():
    if (elsewhere := _staff_only()) is not None:
        return elsewhere
    _recaps, reports = _services()
    figures = reports.dashboard(current_user.office)
    desks = {step.desk for step in reports.WAIT_STEPS if step.desk in current_app.view_functions}
    return render_template("web/home.html", **counts_by_state(current_user.office_id), **figures,
                           charts=reports.chart_data(figures), desks=desks)


@bp.route("/beranda/data.json")
@login_required
def dashboard_data():
    if current_user.role is Role.courier:
        abort(403)
    ensure(current_user, "view_documents")
    _recaps, reports = _services()
    office = current_user.office
    figures = reports.figures_by_day(office)
    return jsonify(reports.chart_data({"flow": reports.daily_flow(office, figures=figures),
                                       "kecamatan": reports.outcomes_by_kecamatan(office, figures=figures)}))


@bp.route("/health")
def health():
    read_only(text("SELECT 1"), {})  # one round trip, outside any transaction
    return jsonify({"status": "ok"})
