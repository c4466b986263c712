"""Recap lists (Daftar Rekapan) and the parcels (Kiriman) they hold."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from distribusi.intake.models import Document
from distribusi.models import AddressMixin, Base, OfficeScoped, TimestampMixin, enum_type
from distribusi.workflow import ParcelStatus, RecapStatus


# Which documents travelled in which parcel; kept when a returned parcel's documents are repacked, so a
# signed letter's content (and its hash) stays as it was signed.
parcel_documents = Table(
    "parcel_documents",
    Base.metadata,
    Column("parcel_id", ForeignKey("parcels.id"), primary_key=True),
    Column("document_id", ForeignKey("documents.id"), primary_key=True, index=True),
)


FROZEN_RECAP_STATES = frozenset({RecapStatus.signed, RecapStatus.handed_over, RecapStatus.closed})


class Recap(TimestampMixin, OfficeScoped, Base):
    """A numbered list of parcels built by a clerk; frozen once its letter is signed."""

    __tablename__ = "recaps"
    __custody_subject__ = "recap"
    __table_args__ = (
        UniqueConstraint("office_id", "number"),
        Index("ix_recaps_office_status", "office_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    year: Mapped[int]
    seq: Mapped[int]
    status: Mapped[RecapStatus] = mapped_column(enum_type(RecapStatus, "recap_status"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    courier_partner_id: Mapped[int | None] = mapped_column(ForeignKey("courier_partners.id"), index=True)
    submitted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    parcels: Mapped[list[Parcel]] = relationship(
        back_populates="recap", order_by="Parcel.position", foreign_keys="Parcel.recap_id"
    )

    def custody_label(self) -> str:
        return self.number

    @property
    def frozen(self) -> bool:
        return self.status in FROZEN_RECAP_STATES


class Parcel(TimestampMixin, OfficeScoped, AddressMixin, Base):
    """Documents of one household in one recap, under one label and tracking code."""

    __tablename__ = "parcels"
    __custody_subject__ = "parcel"
    __table_args__ = (
        UniqueConstraint("tracking_code"),
        Index("ix_parcels_office_status", "office_id", "status"),
        Index("ix_parcels_partner_status", "courier_partner_id", "status"),
        Index("ix_parcels_recap_status", "recap_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recap_id: Mapped[int] = mapped_column(ForeignKey("recaps.id"), index=True)
    position: Mapped[int]
    tracking_code: Mapped[str] = mapped_column(String(10))
    status: Mapped[ParcelStatus] = mapped_column(enum_type(ParcelStatus, "parcel_status"))
    group_doc_type: Mapped[str] = mapped_column(String(32))
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    courier_partner_id: Mapped[int | None] = mapped_column(ForeignKey("courier_partners.id"))
    previous_parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id"))
    failed_attempts: Mapped[int] = mapped_column(default=0)
    last_failure_reason: Mapped[str | None] = mapped_column(String(32))
    delivered_to: Mapped[str | None] = mapped_column(String(200))
    delivered_relation: Mapped[str | None] = mapped_column(String(16))
    delivered_at: Mapped[datetime | None]

    recap: Mapped[Recap] = relationship(back_populates="parcels", foreign_keys=[recap_id])
    documents: Mapped[list[Document]] = relationship(secondary=parcel_documents, order_by="Document.id")

    def custody_label(self) -> str:
        return self.tracking_code
