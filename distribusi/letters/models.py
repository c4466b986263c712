"""Cover letters addressed to a courier partner for one recap."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from distribusi.models import Base, CourierPartner, OfficeScoped, TimestampMixin, enum_type
from distribusi.recap.models import Recap
from distribusi.workflow import LetterStatus


class CoverLetter(TimestampMixin, OfficeScoped, Base):
    """Surat Pengantar: numbered per office and year, signed or rejected by the secretary."""

    __tablename__ = "cover_letters"
    __custody_subject__ = "letter"
    __table_args__ = (
        UniqueConstraint("office_id", "letter_number"),
        UniqueConstraint("verification_code"),
        Index("ix_cover_letters_office_status", "office_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(ForeignKey("recaps.id"), index=True)
    courier_partner_id: Mapped[int] = mapped_column(ForeignKey("courier_partners.id"))
    letter_number: Mapped[str] = mapped_column(String(100))
    year: Mapped[int]
    seq: Mapped[int]
    letter_date: Mapped[date]
    subject: Mapped[str] = mapped_column(String(300))
    status: Mapped[LetterStatus] = mapped_column(enum_type(LetterStatus, "letter_status"))
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None]
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    verification_code: Mapped[str | None] = mapped_column(String(64))
    signed_content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rejected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rejected_at: Mapped[datetime | None]
    rejection_note: Mapped[str | None] = mapped_column(Text)

    recap: Mapped[Recap] = relationship()
    courier_partner: Mapped[CourierPartner] = relationship()

    def custody_label(self) -> str:
        return self.letter_number
