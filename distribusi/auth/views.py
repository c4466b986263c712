"""Login and logout pages for staff."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from distribusi.auth import bp
from distribusi.auth.models import User
from distribusi.auth.services import AuthenticationFailed
from distribusi.auth.throttle import log_in
from distribusi.extensions import db, login_manager

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
        return redirect(target if _is_local_path(target) else url_for("web.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    flash("Anda telah keluar.", "info")
    return redirect(url_for("auth.login"))
