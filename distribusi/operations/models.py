"""The record of each retention purge that ran."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from distribusi.models import Base, OfficeScoped, utcnow


class RetentionRun(OfficeScoped, Base):
    """One purge of an office's expired personal data: when, under which periods, and how much went per kind."""

    __tablename__ = "retention_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    periods: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # months per kind, as applied
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # rows or files erased per kind
    run_by: Mapped[str] = mapped_column(String(100), default="flask retention purge")
