"""Access events (staff reads of personal data), kept apart from the custody chain, and the citizens' trail requests."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from distribusi.auth.models import User
from distribusi.models import Base, OfficeScoped, enum_type, utcnow


class AccessPurpose(enum.StrEnum):
    lookup = "lookup"
    custody_card = "custody_card"
    control_card = "control_card"
    document_view = "document_view"
    labels_print = "labels_print"
    recap_print = "recap_print"
    recap_export = "recap_export"
    undelivered_print = "undelivered_print"
    undelivered_export = "undelivered_export"
    trail_review = "trail_review"
    trail_answer = "trail_answer"


PURPOSE_LABELS = {
    AccessPurpose.lookup: "Pencarian data oleh petugas",
    AccessPurpose.custody_card: "Kartu kendali kiriman (API)",
    AccessPurpose.control_card: "Kartu kendali dibuka",
    AccessPurpose.document_view: "Halaman dokumen dibuka",
    AccessPurpose.labels_print: "Label kiriman dicetak",
    AccessPurpose.recap_print: "Daftar rekapan dicetak (PDF)",
    AccessPurpose.recap_export: "Daftar rekapan diunduh (XLSX)",
    AccessPurpose.undelivered_print: "Daftar belum diserahkan dicetak (PDF)",
    AccessPurpose.undelivered_export: "Daftar belum diserahkan diunduh (XLSX)",
    AccessPurpose.trail_review: "Jejak PDP diperiksa operator",
    AccessPurpose.trail_answer: "Jawaban permintaan PDP dibuat",
}


class AccessEvent(OfficeScoped, Base):
    """One staff read of citizens' personal data: who, when, why, through which channel."""

    __tablename__ = "pdp_access_events"
    __table_args__ = (Index("ix_pdp_access_events_office_recorded", "office_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[AccessPurpose] = mapped_column(enum_type(AccessPurpose, "access_purpose"))
    channel: Mapped[str] = mapped_column(String(16))
    context: Mapped[str | None] = mapped_column(String(200))
    subject_count: Mapped[int] = mapped_column(default=0)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])


class AccessSubject(Base):
    """Whose data one access event read: a keyed digest of the NIK, and the document when there is one."""

    __tablename__ = "pdp_access_subjects"
    __table_args__ = (Index("ix_pdp_access_subjects_office_nik", "office_id", "nik_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("pdp_access_events.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    nik_digest: Mapped[str] = mapped_column(String(64))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)


class DigestKey(Base):
    """The office's random key for NIK digests; kept in the database so a restored backup still finds its rows."""

    __tablename__ = "pdp_digest_keys"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(64))


class TrailRequest(OfficeScoped, Base):
    """A citizen's written request for the trail of their personal data (UU PDP Pasal 32)."""

    __tablename__ = "pdp_requests"
    __table_args__ = (Index("ix_pdp_requests_office_nik", "office_id", "nik_digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nik: Mapped[str] = mapped_column(String(16))
    nik_digest: Mapped[str] = mapped_column(String(64))
    requester_name: Mapped[str] = mapped_column(String(200))
    request_date: Mapped[date]
    letter_number: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    answers: Mapped[list[TrailAnswer]] = relationship(back_populates="request", order_by="TrailAnswer.id")

    @property
    def masked_nik(self) -> str:
        return f"{self.nik[:4]}********{self.nik[-4:]}"

    @property
    def answered_at(self) -> datetime | None:
        return self.answers[0].produced_at if self.answers else None


class TrailAnswer(OfficeScoped, Base):
    """One produced answer to a request: when, by whom, in which format, what it held, and its SHA-256."""

    __tablename__ = "pdp_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("pdp_requests.id"), index=True)
    produced_at: Mapped[datetime] = mapped_column(default=utcnow)
    produced_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    format: Mapped[str] = mapped_column(String(8))
    entry_count: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str] = mapped_column(String(64))

    request: Mapped[TrailRequest] = relationship(back_populates="answers")
    produced_by: Mapped[User | None] = relationship(foreign_keys=[produced_by_id])


@event.listens_for(AccessEvent, "before_update")
@event.listens_for(AccessEvent, "before_delete")
@event.listens_for(AccessSubject, "before_update")
@event.listens_for(AccessSubject, "before_delete")
@event.listens_for(TrailAnswer, "before_update")
@event.listens_for(TrailAnswer, "before_delete")
def _append_only(_mapper, _connection, row) -> None:
    raise TypeError(f"{type(row).__name__} {row.id} is append-only")
