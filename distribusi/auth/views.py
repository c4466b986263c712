"""Login, logout and change-password pages for staff."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from distribusi.auth import bp
from distribusi.auth.models import Role, User
from distribusi.auth.services import AuthenticationFailed, change_password
from distribusi.auth.throttle import log_in
from distribusi.extensions import db, login_manager
from distribusi.problems import Refused

login_manager.login_view = "auth.login"
login_manager.login_message = "Silakan masuk untuk membuka halaman ini."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
    return user if user is not None and user.active else None


class LoginForm(FlaskForm):
    username = StringField("Nama pengguna", validators=[DataRequired("Wajib diisi."), Length(max=64)])
    password = PasswordField("Kata sandi", validators=[DataRequired("Wajib diisi."), Length(max=200)])


def _is_local_path(target: str) -> bool:
    """A path on this site; browsers read "\\" as "/" and drop tabs and newlines, so "/\\evil" leaves the site."""
    return (
        target.startswith("/") and not target.startswith("//")
        and "\\" not in target and not any(ch < " " or ch == "\x7f" for ch in target)
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = log_in(form.username.data, form.password.data)  # failed-login limits shared with the token API
        except AuthenticationFailed as failed:
            flash(failed.message, "error")
            return render_template("auth/login.html", form=form), 401
        login_user(user)
        target = request.args.get("next") or ""
        return redirect(target if _is_local_path(target) else url_for(_home_of(user)))
    return render_template("auth/login.html", form=form)


def _home_of(user: User) -> str:
    """Couriers start on their phone page, everyone else on the dashboard."""
    if user.role is Role.courier and "courier.home" in current_app.view_functions:
        return "courier.home"
    return "web.home"


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    errors: dict = {}
    if request.method == "POST":
        try:
            change_password(current_user, request.form.get("current_password", ""),
                            request.form.get("new_password", ""), request.form.get("confirm_password", ""))
        except Refused as error:
            from distribusi.web.pages import refused  # here: the web package's views read services that read auth

            return render_template("auth/password.html", errors=refused(error)), 422
        db.session.commit()
        flash("Kata sandi sudah diganti.", "success")
        return redirect(url_for("web.home"))
    return render_template("auth/password.html", errors=errors)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
