"""The admin pages: users here; courier partners, office settings and the audit trail in office_views."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import or_, select

from distribusi.admin import bp
from distribusi.admin import services as admin_services
from distribusi.admin.schemas import RoleChangeIn, UserIn, UserUpdateIn
from distribusi.auth.models import ROLE_LABELS, Role, User
from distribusi.auth.permissions import ensure
from distribusi.extensions import db
from distribusi.problems import Problem
from distribusi.web.pages import form_payload, in_office, paginate, refused

USER_FIELDS = ("username", "password", "full_name", "role", "courier_partner_id", "nip")


@bp.before_request
@login_required
def _admins_only():
    """Every page under /admin is for the office's admin only."""
    ensure(current_user, "administer")


def user_payload(*names: str) -> dict:
    """The form's fields as the API's JSON: the partner select's value as the integer id the schema wants."""
    payload = form_payload(*names)
    if str(payload.get("courier_partner_id", "")).isdigit():
        payload["courier_partner_id"] = int(payload["courier_partner_id"])
    return payload


def _choices() -> dict:
    """Roles and the office's courier partners for the selects."""
    partners = admin_services.list_partners(current_user.office)
    return {"roles": [(role.value, ROLE_LABELS[role]) for role in Role],
            "partners": [(partner.id, partner.name) for partner in partners]}


@bp.route("/pengguna")
def users():
    stmt = select(User).where(User.office_id == current_user.office_id)
    if query := request.args.get("q", "").strip():
        pattern = f"%{query}%"
        stmt = stmt.where(or_(User.username.ilike(pattern), User.full_name.ilike(pattern), User.nip.ilike(pattern)))
    if (role := request.args.get("role")) in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    if (active := request.args.get("active")) in ("1", "0"):
        stmt = stmt.where(User.active.is_(active == "1"))
    return render_template("admin/users.html", pagination=paginate(stmt.order_by(User.username)), **_choices())


@bp.route("/pengguna/baru", methods=["GET", "POST"])
def new_user():
    if request.method == "GET":
        return render_template("admin/user_new.html", values={}, errors={}, **_choices())
    try:
        user = admin_services.create_user(current_user.office, UserIn().load(user_payload(*USER_FIELDS)),
                                          actor=current_user)
    except (ValidationError, Problem) as error:
        values = {name: value for name, value in request.form.items() if name != "password"}
        return render_template("admin/user_new.html", values=values, errors=refused(error), **_choices()), 422
    db.session.commit()
    flash(f"Pengguna {user.username} ditambahkan.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


def _user_page(user: User, errors: dict | None = None, status: int = 200):
    return render_template("admin/user.html", user=user, errors=errors or {},
                           values={"role": user.role.value, "courier_partner_id": user.courier_partner_id,
                                   **request.form.to_dict()}, **_choices()), status


@bp.route("/pengguna/<int:user_id>")
def user(user_id: int):
    return _user_page(in_office(User, user_id))


@bp.route("/pengguna/<int:user_id>/status", methods=["POST"])
def user_status(user_id: int):
    user = in_office(User, user_id)
    if user.id == current_user.id:
        flash("Anda tidak dapat menonaktifkan akun sendiri.", "error")
        return redirect(url_for("admin.user", user_id=user.id))
    active = request.form.get("active") == "1"
    admin_services.update_user(user, UserUpdateIn().load({"active": active}), actor=current_user)
    db.session.commit()
    flash(f"Pengguna {user.username} {'diaktifkan kembali' if active else 'dinonaktifkan'}.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/kata-sandi", methods=["POST"])
def user_password(user_id: int):
    user = in_office(User, user_id)
    try:
        admin_services.update_user(user, UserUpdateIn().load(form_payload("password") or {"password": ""}),
                                   actor=current_user)
    except (ValidationError, Problem) as error:
        return _user_page(user, refused(error), 422)
    db.session.commit()
    flash(f"Kata sandi {user.username} sudah diatur ulang. Sampaikan kepada pengguna secara langsung.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


@bp.route("/pengguna/<int:user_id>/peran", methods=["POST"])
def user_role(user_id: int):
    user = in_office(User, user_id)
    try:
        admin_services.change_role(user, RoleChangeIn().load(user_payload("role", "courier_partner_id")),
                                   actor=current_user)
    except (ValidationError, Problem) as error:
        return _user_page(user, refused(error), 422)
    db.session.commit()
    flash(f"Peran {user.username} sekarang {user.role_label}.", "success")
    return redirect(url_for("admin.user", user_id=user.id))


from distribusi.admin import calendar_views, office_views  # noqa: E402,F401  (calendar; partners, settings, audit)
from distribusi.notify import admin_views  # noqa: E402,F401  (the outbox of citizen notifications)
