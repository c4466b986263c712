"""Creating offices, users and courier partners; changing office settings."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from distribusi.admin.schemas import DEFAULT_SETTINGS
from distribusi.auth.models import Role, User
from distribusi.auth.passwords import hash_password
from distribusi.auth.services import find_user, revoke_tokens
from distribusi.extensions import db
from distribusi.models import CourierPartner, Office
from distribusi.workflow import DomainError


def create_office(code: str, name: str, settings: dict[str, Any] | None = None) -> Office:
    """A new office with default settings; raises DomainError when the code is taken."""
    if db.session.scalar(select(Office).where(Office.code == code)):
        raise DomainError(f"Kode kantor {code} sudah dipakai.", code="duplicate_office")
    office = Office(code=code, name=name, settings={**DEFAULT_SETTINGS, **(settings or {})})
    db.session.add(office)
    db.session.flush()
    return office


def create_partner(office: Office, data: dict[str, Any]) -> CourierPartner:
    """A courier partner of the office."""
    partner = CourierPartner(office_id=office.id, **data)
    db.session.add(partner)
    db.session.flush()
    return partner


def create_user(office: Office, data: dict[str, Any]) -> User:
    """A user of the office; a courier needs a partner of the same office. Raises DomainError."""
    role = Role(data["role"])
    partner_id = data.get("courier_partner_id")
    if role is Role.courier:
        partner = db.session.get(CourierPartner, partner_id) if partner_id else None
        if partner is None or partner.office_id != office.id:
            raise DomainError("Kurir harus terhubung ke mitra kurir kantor ini.", code="partner_required",
                              fields={"courier_partner_id": ["Pilih mitra kurir kantor ini."]})
    elif partner_id is not None:
        raise DomainError("Hanya kurir yang terhubung ke mitra kurir.", code="partner_not_allowed",
                          fields={"courier_partner_id": ["Kosongkan untuk peran selain kurir."]})
    username = data["username"].strip().lower()  # stored lower case: the unique constraint then holds case-blind
    if find_user(username):
        raise DomainError(f"Nama pengguna {username} sudah dipakai.", code="duplicate_username",
                          fields={"username": ["Sudah dipakai."]})
    user = User(
        office_id=office.id, username=username, full_name=data["full_name"], role=role,
        courier_partner_id=partner_id, nip=data.get("nip"), password_hash=hash_password(data["password"]),
    )
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, data: dict[str, Any]) -> User:
    """Change name, NIP, password or active flag; disabling or a new password revokes every token at once."""
    if "full_name" in data:
        user.full_name = data["full_name"]
    if "nip" in data:
        user.nip = data["nip"]
    if "password" in data:
        user.password_hash = hash_password(data["password"])
        revoke_tokens(user)
    if "active" in data:
        user.active = data["active"]
        if not user.active:
            revoke_tokens(user)
    db.session.flush()
    return user


def update_office(office: Office, data: dict[str, Any]) -> Office:
    """Merge new settings into the office's settings."""
    if "name" in data:
        office.name = data.pop("name")
    office.settings = {**(office.settings or {}), **data}
    db.session.flush()
    return office
