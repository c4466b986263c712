"""Logging in, issuing and resolving bearer tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from distribusi.auth.models import ApiToken, User
from distribusi.auth.passwords import check_password, dummy_check, hash_password
from distribusi.extensions import db
from distribusi.models import utcnow
from distribusi.problems import Refused, Unauthorized


class AuthenticationFailed(Unauthorized):
    """Wrong username or password, or a disabled account; the web edge answers 401."""

    message = "Nama pengguna atau kata sandi salah."


def find_user(username: str) -> User | None:
    """The user with this username (case-insensitive), or None."""
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))  # stored lower case


def authenticate(username: str, password: str) -> User:
    """The active user with these credentials; raises AuthenticationFailed."""
    user = find_user(username)
    if user is None:
        dummy_check(password)
        raise AuthenticationFailed()
    if not check_password(user.password_hash, password) or not user.active:
        raise AuthenticationFailed()
    return user


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_token(user: User) -> tuple[str, ApiToken]:
    """A new random token (256 bits) for the user; only its hash is stored."""
    raw = secrets.token_urlsafe(32)
    now = utcnow()
    token = ApiToken(
        user_id=user.id,
        office_id=user.office_id,
        token_hash=_digest(raw),
        created_at=now,
        expires_at=now + timedelta(hours=current_app.config["TOKEN_LIFETIME_HOURS"]),
    )
    db.session.add(token)
    db.session.flush()
    return raw, token


def resolve_token(raw: str) -> User | None:
    """The active user behind an unexpired, unrevoked token, or None."""
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(raw)))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now or not token.user.active:
        return None
    return token.user


def revoke_tokens(user: User, *, at: datetime | None = None) -> int:
    """Revoke every live token of the user; returns how many."""
    result = db.session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=at or utcnow())
    )
    return result.rowcount


PASSWORD_MIN, PASSWORD_MAX = 10, 200  # as admin.schemas asks of a new user's password


def change_password(user: User, current: str, new: str, confirm: str) -> None:
    """Set the user's own new password after checking the current one; revokes their API tokens; raises Refused."""
    problems: dict[str, list[str]] = {}
    if not check_password(user.password_hash, current or ""):
        problems["current_password"] = ["Kata sandi sekarang salah."]
    if not PASSWORD_MIN <= len(new or "") <= PASSWORD_MAX:
        problems["new_password"] = [f"Panjang kata sandi {PASSWORD_MIN}–{PASSWORD_MAX} karakter."]
    elif new == current:
        problems["new_password"] = ["Kata sandi baru harus berbeda dari yang sekarang."]
    if new != confirm:
        problems["confirm_password"] = ["Tidak sama dengan kata sandi baru."]
    if problems:
        raise Refused("Kata sandi belum diganti. Periksa isian yang ditandai.", fields=problems)
    user.password_hash = hash_password(new)
    revoke_tokens(user)
    db.session.flush()
