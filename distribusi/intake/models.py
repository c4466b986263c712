"""A finished identity document waiting to reach its owner."""
from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from distribusi.models import ADDRESS_FIELDS, AddressMixin, Base, OfficeScoped, TimestampMixin, enum_type
from distribusi.workflow import DocumentStatus


class FlagReason(enum.StrEnum):
    data_error = "data_error"
    unsigned = "unsigned"


FLAG_REASON_LABELS = {FlagReason.data_error: "Kesalahan data", FlagReason.unsigned: "Belum ditandatangani"}

DEFAULT_DOC_TYPES = (
    "KK", "KTP_EL", "KIA", "AKTA_KELAHIRAN", "AKTA_KEMATIAN", "AKTA_PERKAWINAN", "AKTA_PERCERAIAN",
)
DOC_TYPE_LABELS = {
    "KK": "Kartu Keluarga",
    "KTP_EL": "KTP-el",
    "KIA": "Kartu Identitas Anak",
    "AKTA_KELAHIRAN": "Akta Kelahiran",
    "AKTA_KEMATIAN": "Akta Kematian",
    "AKTA_PERKAWINAN": "Akta Perkawinan",
    "AKTA_PERCERAIAN": "Akta Perceraian",
}



class Document(TimestampMixin, OfficeScoped, AddressMixin, Base):
    """Dokumen: KK, KTP-el, KIA or a civil-registry certificate, with its owner and delivery address."""

    __tablename__ = "documents"
    __custody_subject__ = "document"
    __table_args__ = (
        UniqueConstraint("office_id", "doc_type", "doc_number"),
        Index("ix_documents_office_status", "office_id", "status"),
        Index("ix_documents_office_created", "office_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(32))
    doc_number: Mapped[str] = mapped_column(String(64), index=True)
    nik: Mapped[str] = mapped_column(String(16), index=True)
    kk_number: Mapped[str] = mapped_column(String(16), index=True)
    owner_name: Mapped[str] = mapped_column(String(200), index=True)
    recipient_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20), index=True)
    application_number: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[DocumentStatus] = mapped_column(enum_type(DocumentStatus, "document_status"))
    flag_reason: Mapped[FlagReason | None] = mapped_column(enum_type(FlagReason, "flag_reason"))
    flag_note: Mapped[str | None] = mapped_column(Text)
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    def custody_label(self) -> str:
        return f"{self.doc_type} {self.doc_number}"

    def household_key(self) -> tuple[str, ...]:
        """Documents with the same KK number and address travel in one parcel."""
        return (self.kk_number, *(" ".join(getattr(self, name).split()).upper() for name in ADDRESS_FIELDS))
