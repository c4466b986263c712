"""A reconciliation of parcels received back from a courier partner."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from distribusi.models import Base, OfficeScoped, utcnow


class ReturnBatch(OfficeScoped, Base):
    """Pengembalian: what came back from one partner at one time, and what did not."""

    __tablename__ = "return_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    courier_partner_id: Mapped[int] = mapped_column(ForeignKey("courier_partners.id"), index=True)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received: Mapped[list[Any]] = mapped_column(JSON, default=list)
    unexpected: Mapped[list[Any]] = mapped_column(JSON, default=list)
    missing: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
