"""The outbox of messages to citizens."""
from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from distribusi.models import Base, OfficeScoped, enum_type, utcnow


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    dead = "dead"


class OutboxMessage(OfficeScoped, Base):
    """One message to send, written in the same transaction as the state change that causes it."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("custody_events.id"), unique=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(32))
    template: Mapped[str] = mapped_column(String(64))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(enum_type(OutboxStatus, "outbox_status"), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class InboundMessage(OfficeScoped, Base):
    """One message a citizen sent to the office's WhatsApp number; its unique id makes a repeated delivery a no-op.

    `text` is kept only for a message that became a ticket here (no complaint book wired in); a tracking code or
    NIK/KK message is answered and its text is not stored.
    """

    __tablename__ = "inbound_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(16), default="whatsapp")
    sender: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # tracking, identity, ticket, unsupported
    reference: Mapped[str | None] = mapped_column(String(40))
    text: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
