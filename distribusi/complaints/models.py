"""Complaint tickets, the parcels and documents they concern, and the history of every move."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from distribusi.intake.models import Document
from distribusi.models import Base, OfficeScoped, TimestampMixin, enum_type, utcnow
from distribusi.recap.models import Parcel


class Channel(enum.StrEnum):
    akapela_phone = "akapela_phone"
    pandawa_whatsapp = "pandawa_whatsapp"
    bamsos_social = "bamsos_social"
    letter = "letter"
    email = "email"
    walk_in = "walk_in"
    complaint_box = "complaint_box"


class Category(enum.StrEnum):
    delivery_status = "delivery_status"
    data_error = "data_error"
    unsigned_document = "unsigned_document"
    service_information = "service_information"
    other = "other"


class Level(enum.StrEnum):
    """The escalation ladder of the complaint SOP, bottom to top."""

    officer = "officer"
    kasi = "kasi"
    kabid = "kabid"
    secretary = "secretary"
    head = "head"


class ComplaintStatus(enum.StrEnum):
    open = "open"
    answered = "answered"
    routed = "routed"
    resolved = "resolved"


class Route(enum.StrEnum):
    correction = "correction"
    signers = "signers"


LADDER = tuple(Level)

CHANNEL_LABELS = {
    Channel.akapela_phone: "AKAPELA (telepon)",
    Channel.pandawa_whatsapp: "PANDAWA (WhatsApp)",
    Channel.bamsos_social: "BAMSOS (media sosial)",
    Channel.letter: "Surat",
    Channel.email: "E-mail",
    Channel.walk_in: "Datang langsung",
    Channel.complaint_box: "Kotak pengaduan",
}
CATEGORY_LABELS = {
    Category.delivery_status: "Status pengiriman",
    Category.data_error: "Kesalahan data",
    Category.unsigned_document: "Dokumen belum ditandatangani",
    Category.service_information: "Informasi layanan",
    Category.other: "Lainnya",
}
LEVEL_LABELS = {
    Level.officer: "Petugas",
    Level.kasi: "Kepala Seksi",
    Level.kabid: "Kepala Bidang",
    Level.secretary: "Sekretaris",
    Level.head: "Kepala Dinas",
}
STATUS_LABELS = {
    ComplaintStatus.open: "Terbuka",
    ComplaintStatus.answered: "Sudah dijawab",
    ComplaintStatus.routed: "Diteruskan",
    ComplaintStatus.resolved: "Selesai",
}
ROUTE_LABELS = {Route.correction: "Ke operator perbaikan data", Route.signers: "Ke pejabat penanda tangan"}
ACTION_LABELS = {"register": "Dicatat", "respond": "Dijawab", "route": "Diteruskan", "escalate": "Dinaikkan",
                 "resolve": "Diselesaikan", "link": "Ditautkan"}

complaint_parcels = Table(
    "complaint_parcels", Base.metadata,
    Column("complaint_id", ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True),
    Column("parcel_id", ForeignKey("parcels.id"), primary_key=True, index=True),
)
complaint_documents = Table(
    "complaint_documents", Base.metadata,
    Column("complaint_id", ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True),
    Column("document_id", ForeignKey("documents.id"), primary_key=True, index=True),
)


class Complaint(TimestampMixin, OfficeScoped, Base):
    """One complaint or question, its place on the ladder and its due time."""

    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("ticket_number"),
        Index("ix_complaints_office_open_due", "office_id", "status", "due_at"),
        Index("ix_complaints_office_level", "office_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_number: Mapped[str] = mapped_column(String(40))
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "complaint_channel"))
    category: Mapped[Category] = mapped_column(enum_type(Category, "complaint_category"))
    complainant_name: Mapped[str] = mapped_column(String(200))
    contact: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20), index=True)  # the contact in E.164 when it is a phone
    nik: Mapped[str | None] = mapped_column(String(16), index=True)
    kk_number: Mapped[str | None] = mapped_column(String(16), index=True)
    tracking_code: Mapped[str | None] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[ComplaintStatus] = mapped_column(enum_type(ComplaintStatus, "complaint_status"))
    level: Mapped[Level] = mapped_column(enum_type(Level, "complaint_level"))
    due_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    route: Mapped[Route | None] = mapped_column(enum_type(Route, "complaint_route"))
    outcome: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    parcels: Mapped[list[Parcel]] = relationship(secondary=complaint_parcels, order_by=Parcel.id)
    documents: Mapped[list[Document]] = relationship(secondary=complaint_documents, order_by=Document.id)
    events: Mapped[list[ComplaintEvent]] = relationship(back_populates="complaint", order_by="ComplaintEvent.id",
                                                        cascade="all, delete-orphan")

    def is_overdue(self, now: datetime) -> bool:
        return self.status is not ComplaintStatus.resolved and self.due_at < now


class ComplaintEvent(Base):
    """One move of a ticket: who, when, from which state and level to which, and the note given."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    from_level: Mapped[str | None] = mapped_column(String(32))
    to_level: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
