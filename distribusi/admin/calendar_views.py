"""The admin's working-day calendar page: national days off of a year, the office's own days off and working days,
and how many working days each complaint level has."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from distribusi.admin import bp, calendar
from distribusi.admin import services as admin_services
from distribusi.admin.schemas import OfficeSettingsIn
from distribusi.extensions import db
from distribusi.problems import Problem
from distribusi.web.pages import form_payload, refused

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year() -> int:
    year = request.values.get("tahun", type=int)
    return year if year and MIN_YEAR <= year <= MAX_YEAR else current_user.office.local_now().year


def _page(year: int, errors: dict, status: int = 200):
    settings = current_user.office.settings or {}
    return render_template("admin/calendar.html", view=calendar.year_view(current_user.office, year), kinds=calendar.KINDS,
                           errors=errors, values=request.form, level_days=settings.get("complaint_level_days") or 1), status


@bp.route("/kalender", endpoint="calendar")
def calendar_page():
    return _page(_year(), {})


def _done(year: int, message: str):
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("admin.calendar", tahun=year))


@bp.route("/kalender/tambah", methods=["POST"])
def calendar_add():
    year = _year()
    try:
        calendar.add_day(current_user.office, request.form.get("kind", ""), form_payload("date", "name"),
                         actor=current_user)
    except (ValidationError, Problem) as error:
        return _page(year, refused(error), 422)
    return _done(year, "Kalender kerja disimpan.")


@bp.route("/kalender/hapus", methods=["POST"])
def calendar_remove():
    year = _year()
    try:
        calendar.remove_day(current_user.office, request.form.get("kind", ""), request.form.get("date", ""),
                            actor=current_user)
    except Problem as error:
        return _page(year, refused(error), error.status)
    return _done(year, "Tanggal dihapus dari kalender kerja.")


@bp.route("/kalender/pengaduan", methods=["POST"])
def calendar_level_days():
    year = _year()
    payload = form_payload("complaint_level_days")
    try:
        data = OfficeSettingsIn().load(payload or {"complaint_level_days": None})
        admin_services.update_office(current_user.office, data, actor=current_user)
    except (ValidationError, Problem) as error:
        return _page(year, refused(error), 422)
    return _done(year, "Batas waktu pengaduan disimpan.")
