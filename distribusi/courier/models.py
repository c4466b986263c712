"""Idempotency records of courier scans and proof-of-delivery photos."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from distribusi.models import Base, OfficeScoped, utcnow


class ScanAction(enum.StrEnum):
    accept = "accept"
    out_for_delivery = "out_for_delivery"
    delivered = "delivered"
    failed = "failed"
    # "return" is a Python keyword; the wire value stays "return".
    return_ = "return"


class FailureReason(enum.StrEnum):
    address_not_found = "address_not_found"
    recipient_absent = "recipient_absent"
    moved = "moved"
    refused = "refused"
    incomplete_address = "incomplete_address"
    not_named_person = "not_named_person"
    other = "other"


FAILURE_LABELS = {
    FailureReason.address_not_found: "Alamat tidak ditemukan",
    FailureReason.recipient_absent: "Penerima tidak di tempat",
    FailureReason.moved: "Penerima pindah alamat",
    FailureReason.refused: "Penerima menolak",
    FailureReason.incomplete_address: "Alamat tidak lengkap",
    FailureReason.not_named_person: "Bukan orang yang dituju",
    FailureReason.other: "Lainnya",
}


class Relation(enum.StrEnum):
    self_ = "self"
    family = "family"
    other = "other"


RELATION_LABELS = {Relation.self_: "Pemilik sendiri", Relation.family: "Keluarga serumah", Relation.other: "Lainnya"}


class ScanRecord(OfficeScoped, Base):
    """A courier's idempotency key with the request's fingerprint and the first answer given to it."""

    __tablename__ = "scan_records"
    __table_args__ = (UniqueConstraint("user_id", "idempotency_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    request_sha256: Mapped[str] = mapped_column(String(64))
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("custody_events.id"), unique=True)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryPhoto(OfficeScoped, Base):
    """A proof-of-delivery photo, re-encoded without metadata and stored under instance/."""

    __tablename__ = "delivery_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("custody_events.id"), index=True)
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), index=True)
    storage_name: Mapped[str] = mapped_column(String(100), unique=True)
    width: Mapped[int]
    height: Mapped[int]
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
