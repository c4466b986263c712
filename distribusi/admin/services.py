"""Creating offices, users and courier partners, changing office settings, and the audit row each change writes."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from distribusi.admin.models import AuditAction, AuditEntry, AuditVia
from distribusi.admin.schemas import DEFAULT_SETTINGS
from distribusi.auth.models import Role, User
from distribusi.auth.passwords import hash_password
from distribusi.auth.services import find_user, revoke_tokens
from distribusi.extensions import db
from distribusi.models import CourierPartner, Office
from distribusi.workflow import DomainError

PASSWORD_MARK = "diubah"  # what the audit log says of a password: never the password, never its hash
TARGET_TYPES = {Office: "office", User: "user", CourierPartner: "courier_partner"}
USER_FIELDS = ("full_name", "nip")
PARTNER_FIELDS = ("name", "contract_number", "contact", "active")


# --- the audit log --------------------------------------------------------------------------------------------


def record_admin_change(office_id: int, action: AuditAction, target: Any, changes: dict[str, list[Any]],
                        actor: User | None) -> AuditEntry:
    """Append one audit row in the caller's transaction; a field naming a password only ever says it changed."""
    entry = AuditEntry(
        office_id=office_id, actor_id=actor.id if actor else None, via=AuditVia.app if actor else AuditVia.cli,
        action=action.value, target_type=TARGET_TYPES[type(target)], target_id=target.id,
        changes={key: [None, PASSWORD_MARK] if "password" in key else value for key, value in changes.items()},
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _flat(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested settings as dotted keys (officials.head.nip), so a diff names the one field that changed."""
    if not isinstance(value, dict):
        return {prefix: value}
    flat: dict[str, Any] = {}
    for key, inner in value.items():
        flat.update(_flat(inner, f"{prefix}.{key}" if prefix else str(key)))
    return flat


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every dotted field that differs; a field added or removed has None on one side."""
    old, new = _flat(before), _flat(after)
    keys = sorted(old.keys() | new.keys())
    return {key: [old.get(key), new.get(key)] for key in keys if old.get(key) != new.get(key)}


def _office_midnight(office: Office, day: date) -> datetime:
    zone = ZoneInfo((office.settings or {}).get("timezone") or "Asia/Jakarta")
    return datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC).replace(tzinfo=None)


def audit_page(office: Office, *, action: str | None = None, date_from: date | None = None,
               date_to: date | None = None, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """One page of the office's audit rows, newest first; dates are whole days of the office's own time zone."""
    stmt = select(AuditEntry).where(AuditEntry.office_id == office.id).options(selectinload(AuditEntry.actor))
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if date_from:
        stmt = stmt.where(AuditEntry.recorded_at >= _office_midnight(office, date_from))
    if date_to:
        stmt = stmt.where(AuditEntry.recorded_at < _office_midnight(office, date_to + timedelta(days=1)))
    stmt = stmt.order_by(AuditEntry.recorded_at.desc(), AuditEntry.id.desc())
    found = db.paginate(stmt, page=page, per_page=per_page, error_out=False, count=True)
    return {"items": found.items, "page": found.page, "per_page": found.per_page, "total": found.total,
            "pages": found.pages}


# --- offices --------------------------------------------------------------------------------------------------


def _office_fields(office: Office) -> dict[str, Any]:
    return {"name": office.name, **(office.settings or {})}


def create_office(code: str, name: str, settings: dict[str, Any] | None = None, *,
                  actor: User | None = None) -> Office:
    """A new office with default settings; raises DomainError when the code is taken."""
    if db.session.scalar(select(Office).where(Office.code == code)):
        raise DomainError(f"Kode kantor {code} sudah dipakai.", code="duplicate_office")
    office = Office(code=code, name=name, settings={**DEFAULT_SETTINGS, **(settings or {})})
    db.session.add(office)
    db.session.flush()
    record_admin_change(office.id, AuditAction.create_office, office,
                        diff({}, {"code": code, **_office_fields(office)}), actor)
    return office


def update_office(office: Office, data: dict[str, Any], *, actor: User | None = None) -> Office:
    """Merge new settings into the office's settings; an actual change writes one audit row."""
    before = _office_fields(office)
    if "name" in data:
        office.name = data.pop("name")
    office.settings = {**(office.settings or {}), **data}
    db.session.flush()
    changes = diff(before, _office_fields(office))
    if changes:
        record_admin_change(office.id, AuditAction.update_office, office, changes, actor)
    return office


# --- courier partners -----------------------------------------------------------------------------------------


def list_partners(office: Office) -> list[CourierPartner]:
    """The office's courier partners by name."""
    return list(db.session.scalars(
        select(CourierPartner).where(CourierPartner.office_id == office.id).order_by(CourierPartner.name)
    ))


def create_partner(office: Office, data: dict[str, Any], *, actor: User | None = None) -> CourierPartner:
    """A courier partner of the office."""
    partner = CourierPartner(office_id=office.id, **data)
    db.session.add(partner)
    db.session.flush()
    record_admin_change(office.id, AuditAction.create_partner, partner, diff({}, data), actor)
    return partner


def update_partner(partner: CourierPartner, data: dict[str, Any], *, actor: User | None = None) -> CourierPartner:
    """Change a partner's name, contract, contact or active flag; an actual change writes one audit row."""
    before = {name: getattr(partner, name) for name in PARTNER_FIELDS}
    for name in PARTNER_FIELDS:
        if name in data:
            setattr(partner, name, data[name])
    db.session.flush()
    changes = diff(before, {name: getattr(partner, name) for name in PARTNER_FIELDS})
    if changes:
        record_admin_change(partner.office_id, AuditAction.update_partner, partner, changes, actor)
    return partner


# --- users ----------------------------------------------------------------------------------------------------


def list_users(office: Office) -> list[User]:
    """The office's users by user name."""
    return list(db.session.scalars(select(User).where(User.office_id == office.id).order_by(User.username)))


def _check_partner(office: Office, role: Role, partner_id: int | None) -> None:
    """A courier needs a partner of the office; any other role none. Raises DomainError."""
    if role is Role.courier:
        partner = db.session.get(CourierPartner, partner_id) if partner_id else None
        if partner is None or partner.office_id != office.id:
            raise DomainError("Kurir harus terhubung ke mitra kurir kantor ini.", code="partner_required",
                              fields={"courier_partner_id": ["Pilih mitra kurir kantor ini."]})
    elif partner_id is not None:
        raise DomainError("Hanya kurir yang terhubung ke mitra kurir.", code="partner_not_allowed",
                          fields={"courier_partner_id": ["Kosongkan untuk peran selain kurir."]})


def create_user(office: Office, data: dict[str, Any], *, actor: User | None = None) -> User:
    """A user of the office; a courier needs a partner of the same office. Raises DomainError."""
    role = Role(data["role"])
    partner_id = data.get("courier_partner_id")
    _check_partner(office, role, partner_id)
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
    created = {"username": username, "full_name": user.full_name, "role": role.value,
               "courier_partner_id": partner_id, "nip": user.nip, "active": True, "password": PASSWORD_MARK}
    record_admin_change(office.id, AuditAction.create_user, user, diff({}, created), actor)
    return user


def update_user(user: User, data: dict[str, Any], *, actor: User | None = None) -> User:
    """Change name, NIP, password or active flag, one audit row per kind; disabling or a new password revokes tokens."""
    before = {name: getattr(user, name) for name in USER_FIELDS}
    for name in USER_FIELDS:
        if name in data:
            setattr(user, name, data[name])
    changes = diff(before, {name: getattr(user, name) for name in USER_FIELDS})
    if changes:
        record_admin_change(user.office_id, AuditAction.update_user, user, changes, actor)
    if "password" in data:
        user.password_hash = hash_password(data["password"])
        revoke_tokens(user)
        record_admin_change(user.office_id, AuditAction.reset_password, user, {"password": [None, PASSWORD_MARK]},
                            actor)
    if "active" in data and data["active"] != user.active:
        user.active = data["active"]
        if not user.active:
            revoke_tokens(user)
        action = AuditAction.enable_user if user.active else AuditAction.disable_user
        record_admin_change(user.office_id, action, user, {"active": [not user.active, user.active]}, actor)
    db.session.flush()
    return user


def change_role(user: User, data: dict[str, Any], *, actor: User | None = None) -> User:
    """Give a user another role (a courier with a partner of the office), revoking their tokens; one audit row.
    An admin may not change their own role, so the office never loses its last admin by a slip."""
    if actor is not None and actor.id == user.id:
        raise DomainError("Anda tidak dapat mengubah peran sendiri.", code="own_role",
                          fields={"role": ["Minta admin lain mengubah peran Anda."]})
    role = Role(data["role"])
    partner_id = data.get("courier_partner_id")
    _check_partner(user.office, role, partner_id)
    before = {"role": user.role.value, "courier_partner_id": user.courier_partner_id}
    user.role, user.courier_partner_id = role, partner_id
    changes = diff(before, {"role": role.value, "courier_partner_id": partner_id})
    if changes:
        revoke_tokens(user)
        record_admin_change(user.office_id, AuditAction.change_role, user, changes, actor)
    db.session.flush()
    return user
