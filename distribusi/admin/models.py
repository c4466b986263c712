"""The admin audit log: one append-only row per change to users, courier partners or office settings."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from distribusi.auth.models import User
from distribusi.models import Base, utcnow


class AuditAction(enum.StrEnum):
    create_office = "create_office"
    update_office = "update_office"
    create_partner = "create_partner"
    update_partner = "update_partner"
    create_user = "create_user"
    update_user = "update_user"
    disable_user = "disable_user"
    enable_user = "enable_user"
    reset_password = "reset_password"
    change_role = "change_role"


AUDIT_ACTION_LABELS = {
    AuditAction.create_office: "Kantor dibuat",
    AuditAction.update_office: "Pengaturan kantor diubah",
    AuditAction.create_partner: "Mitra kurir ditambahkan",
    AuditAction.update_partner: "Mitra kurir diubah",
    AuditAction.create_user: "Pengguna ditambahkan",
    AuditAction.update_user: "Data pengguna diubah",
    AuditAction.disable_user: "Pengguna dinonaktifkan",
    AuditAction.enable_user: "Pengguna diaktifkan kembali",
    AuditAction.reset_password: "Kata sandi diatur ulang",
    AuditAction.change_role: "Peran pengguna diubah",
}


class AuditVia(enum.StrEnum):
    app = "app"  # a signed-in user, through the API or the staff pages
    cli = "cli"  # a command run on the server; no user


class AuditEntry(Base):
    """Who changed what in an office's administration, when, and the fields before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_office_recorded", "office_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    via: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[int]
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _append_only(_mapper, _connection, entry: AuditEntry) -> None:
    raise TypeError(f"audit entry {entry.id} is append-only")
