"""Declarative base with a constraint naming convention, shared column helpers and the office-wide models."""
from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Enum, ForeignKey, MetaData, String, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from distribusi.zones import office_zone, to_office_time

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every model; constraints get predictable names for migrations."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    """Current time in UTC without tzinfo, the way every timestamp is stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def enum_type(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A string column restricted by a CHECK constraint to the enum's values."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        validate_strings=True,
        values_callable=lambda cls: [member.value for member in cls],
    )


class TimestampMixin:
    """Creation and update times, set by the database session."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, server_default=func.now())


class OfficeScoped:
    """Every row belongs to one office."""

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)


ADDRESS_FIELDS = ("street", "rt", "rw", "kelurahan", "kecamatan", "city", "postal_code")


class AddressMixin:
    """A delivery address as the office's export spells it (documents, and the parcels made from them)."""

    street: Mapped[str] = mapped_column(String(300))
    rt: Mapped[str] = mapped_column(String(3))
    rw: Mapped[str] = mapped_column(String(3))
    kelurahan: Mapped[str] = mapped_column(String(100))
    kecamatan: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(100))
    postal_code: Mapped[str] = mapped_column(String(5))

    @property
    def address(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


class Office(TimestampMixin, Base):
    """One Dinas Dukcapil; the unit of data isolation."""

    __tablename__ = "offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    @property
    def zone(self) -> ZoneInfo:
        """The office's time zone (the setting `timezone`: WIB, WITA or WIT)."""
        return office_zone((self.settings or {}).get("timezone"))

    def local_now(self) -> datetime:
        """The office's wall-clock time, naive."""
        return to_office_time(utcnow(), self.zone).replace(tzinfo=None)


class CourierPartner(TimestampMixin, OfficeScoped, Base):
    """A third party (Pihak ke III) contracted to deliver documents."""

    __tablename__ = "courier_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    contract_number: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Counter(Base):
    """Gap-free numbering per office, name and year (recap and letter numbers); bumped under a row lock."""

    __tablename__ = "counters"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(default=0)
