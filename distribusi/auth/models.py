"""Users with roles, and hashed API tokens."""
from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from distribusi.models import Base, CourierPartner, Office, OfficeScoped, TimestampMixin, enum_type


class Role(enum.StrEnum):
    clerk = "clerk"
    kasubbag = "kasubbag"
    secretary = "secretary"
    courier = "courier"
    operator = "operator"
    kasi = "kasi"
    kabid = "kabid"
    head = "head"
    admin = "admin"


ROLE_LABELS = {
    Role.clerk: "Petugas FO",
    Role.kasubbag: "Kasubbag Umum",
    Role.secretary: "Sekretaris Dinas",
    Role.courier: "Kurir",
    Role.operator: "Operator Pengaduan",
    Role.kasi: "Kepala Seksi",
    Role.kabid: "Kepala Bidang",
    Role.head: "Kepala Dinas",
    Role.admin: "Admin",
}


class User(UserMixin, TimestampMixin, OfficeScoped, Base):
    """A staff member or courier of one office."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("username"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    courier_partner_id: Mapped[int | None] = mapped_column(ForeignKey("courier_partners.id"), index=True)
    nip: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)

    office: Mapped[Office] = relationship(lazy="joined")
    courier_partner: Mapped[CourierPartner | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login: a disabled user cannot log in
        return self.active

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def party(self) -> str:
        """How the user appears in the custody log."""
        return f"{self.role_label}: {self.full_name}"


class ApiToken(OfficeScoped, Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship(lazy="joined")
