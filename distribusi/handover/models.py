"""The handover of one recap to a courier partner's staff."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from distribusi.letters.models import CoverLetter
from distribusi.models import Base, CourierPartner, OfficeScoped
from distribusi.recap.models import Recap


class Handover(OfficeScoped, Base):
    """Serah terima: which recap went to which partner, received by whom, when."""

    __tablename__ = "handovers"
    __table_args__ = (UniqueConstraint("recap_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(ForeignKey("recaps.id"))
    letter_id: Mapped[int] = mapped_column(ForeignKey("cover_letters.id"))
    courier_partner_id: Mapped[int] = mapped_column(ForeignKey("courier_partners.id"), index=True)
    received_by: Mapped[str] = mapped_column(String(200))
    handed_over_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handed_over_at: Mapped[datetime]

    recap: Mapped[Recap] = relationship()
    letter: Mapped[CoverLetter] = relationship()
    courier_partner: Mapped[CourierPartner] = relationship()
