"""The period reports' narrow facts: one row per parcel (its dimensions, document count, state and the time of each
step) and one per failed attempt, so a report over a year reads these instead of joining millions of custody events
to their parcels. reports.upkeep keeps them in the same transaction as each event; here they are rebuilt from the
custody log and the rows it describes (parcels, handovers, photos), set-based, for all parcels or some."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import (
    Boolean, ForeignKey, Index, String, case, delete, except_, exists, func, insert, select, text,
)
from sqlalchemy.orm import Mapped, mapped_column

from distribusi.courier.models import DeliveryPhoto
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.models import Base, enum_type
from distribusi.recap.models import Parcel, parcel_documents
from distribusi.workflow import ParcelStatus


# handed over, neither delivered nor received back: still out
OPEN = "handed_over_at IS NOT NULL AND delivered_at IS NULL AND returned_at IS NULL"


def _when(column: str) -> Index:
    """An index on the office and one step's time, of the parcels that took that step (a fresh parcel adds no entry
    to it, and a period's condition on the time implies the index's)."""
    return Index(f"ix_parcel_facts_office_{column}", "office_id", column,
                 postgresql_where=text(f"{column} IS NOT NULL"), sqlite_where=text(f"{column} IS NOT NULL"))


class ParcelFact(Base):
    """A parcel as the reports count it; rebuilt from the custody log by `flask reports rebuild-facts`."""

    __tablename__ = "parcel_facts"
    __table_args__ = (
        *(_when(column) for column in ("handed_over_at", "accepted_at", "delivered_at", "returned_at", "collected_at",
                                       "repacked_at")),
        # parcels still out: few, whatever the history's length
        Index("ix_parcel_facts_office_open", "office_id", "handed_over_at",
              postgresql_where=text(OPEN), sqlite_where=text(OPEN)),
    )

    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), primary_key=True, autoincrement=False)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    doc_type: Mapped[str] = mapped_column(String(32))
    kecamatan: Mapped[str] = mapped_column(String(100))
    courier_partner_id: Mapped[int | None]
    documents: Mapped[int] = mapped_column(default=0)
    resent: Mapped[bool] = mapped_column(Boolean(create_constraint=False), default=False)  # a repacked parcel's
    status: Mapped[ParcelStatus] = mapped_column(enum_type(ParcelStatus, "parcel_fact_status"))
    handed_over_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    located: Mapped[bool] = mapped_column(Boolean(create_constraint=False), default=False)  # delivered with a place
    failures: Mapped[int] = mapped_column(default=0)
    returned_at: Mapped[datetime | None]
    collected_at: Mapped[datetime | None]
    repacked_at: Mapped[datetime | None]
    photo: Mapped[bool] = mapped_column(Boolean(create_constraint=False), default=False)


class FailureFact(Base):
    """One failed delivery attempt: when, why, of which parcel (a parcel may fail several times), with the parcel's
    handover, partner, dimensions and documents copied from its facts (set at its handover, before any attempt), so
    the reports count attempts without joining them to the parcels."""

    __tablename__ = "failure_facts"
    __table_args__ = (Index("ix_failure_facts_office_time", "office_id", "recorded_at"),
                      Index("ix_failure_facts_office_handed_over", "office_id", "handed_over_at"))

    event_id: Mapped[int] = mapped_column(ForeignKey("custody_events.id"), primary_key=True, autoincrement=False)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    parcel_id: Mapped[int] = mapped_column(ForeignKey("parcels.id"), index=True)
    recorded_at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(String(32))
    handed_over_at: Mapped[datetime | None]
    courier_partner_id: Mapped[int | None]
    doc_type: Mapped[str] = mapped_column(String(32))
    kecamatan: Mapped[str] = mapped_column(String(100))
    documents: Mapped[int] = mapped_column(default=0)


# the parcel action that sets each time (its first occurrence counts)
STEP_TIMES = {"accept": "accepted_at", "delivered": "delivered_at", "receive_return": "returned_at",
              "collect": "collected_at", "repack": "repacked_at"}
FAILURE_COLUMNS = ("event_id", "office_id", "parcel_id", "recorded_at", "reason", "handed_over_at",
                   "courier_partner_id", "doc_type", "kecamatan", "documents")
# what a failure takes from its parcel's facts
COPIED = (ParcelFact.handed_over_at, ParcelFact.courier_partner_id, ParcelFact.doc_type, ParcelFact.kecamatan,
          ParcelFact.documents)


def _among(column, parcel_ids) -> list:
    """The condition limiting a query to some parcels; none for all (parcel_ids None)."""
    return [] if parcel_ids is None else [column.in_(parcel_ids)]


def _steps(parcel_ids):
    """Per parcel (subject id): the first time of each step, the failures and whether the delivery had a place."""
    located = case((CustodyEvent.action == "delivered", case((CustodyEvent.lat.is_not(None), 1), else_=0)), else_=0)
    first = {column: func.min(case((CustodyEvent.action == action, CustodyEvent.recorded_at)))
             for action, column in STEP_TIMES.items()}
    return (select(CustodyEvent.subject_id.label("parcel_id"), *(value.label(name) for name, value in first.items()),
                   func.sum(case((CustodyEvent.action == "failed", 1), else_=0)).label("failures"),
                   func.max(located).label("located"))
            .where(CustodyEvent.subject_type == "parcel", *_among(CustodyEvent.subject_id, parcel_ids))
            .group_by(CustodyEvent.subject_id).subquery("steps"))


def fact_rows(parcel_ids):
    """A select() of the parcels' facts (parcel_ids: a list, or None for all) in ParcelFact's column order."""
    steps = _steps(parcel_ids)
    documents = (select(func.count()).select_from(parcel_documents)
                 .where(parcel_documents.c.parcel_id == Parcel.id).scalar_subquery())
    return (select(Parcel.id, Parcel.office_id, Parcel.group_doc_type, Parcel.kecamatan, Parcel.courier_partner_id,
                   documents, Parcel.previous_parcel_id.is_not(None), Parcel.status, Handover.handed_over_at,
                   steps.c.accepted_at, steps.c.delivered_at, func.coalesce(steps.c.located, 0) == 1,
                   func.coalesce(steps.c.failures, 0), steps.c.returned_at, steps.c.collected_at,
                   steps.c.repacked_at, exists().where(DeliveryPhoto.parcel_id == Parcel.id))
            .select_from(Parcel).outerjoin(Handover, Handover.recap_id == Parcel.recap_id)
            .outerjoin(steps, steps.c.parcel_id == Parcel.id).where(*_among(Parcel.id, parcel_ids)))


def failure_rows(parcel_ids):
    """A select() of the failed attempts of the parcels (with facts), in FailureFact's column order."""
    return (select(CustodyEvent.id, CustodyEvent.office_id, CustodyEvent.subject_id, CustodyEvent.recorded_at,
                   CustodyEvent.data["failure_reason"].as_string(), *COPIED)
            .join(ParcelFact, ParcelFact.parcel_id == CustodyEvent.subject_id)
            .where(CustodyEvent.subject_type == "parcel", CustodyEvent.action == "failed",
                   *_among(CustodyEvent.subject_id, parcel_ids)))


def add_facts(parcel_ids) -> None:
    """Insert the facts of parcels that have none yet (None: of all parcels), from the log and the rows it describes."""
    columns = [column.name for column in ParcelFact.__table__.columns]
    db.session.execute(insert(ParcelFact.__table__).from_select(columns, fact_rows(parcel_ids)))
    db.session.execute(insert(FailureFact.__table__).from_select(FAILURE_COLUMNS, failure_rows(parcel_ids)))


def rebuild_facts() -> int:
    """Replace every fact with what the log and the parcels say now (in the caller's transaction); returns how many
    parcels have facts."""
    db.session.execute(delete(FailureFact.__table__))
    db.session.execute(delete(ParcelFact.__table__))
    add_facts(None)
    return db.session.scalar(select(func.count()).select_from(ParcelFact.__table__)) or 0


def refresh_facts(parcel_ids: Sequence[int]) -> None:
    """Recompute some parcels' facts from the log, e.g. after their photos or delivery locations were erased."""
    ids = sorted(set(parcel_ids))
    for start in range(0, len(ids), 5000):  # bounded IN lists
        chunk = ids[start:start + 5000]
        db.session.execute(delete(FailureFact.__table__).where(FailureFact.parcel_id.in_(chunk)))
        db.session.execute(delete(ParcelFact.__table__).where(ParcelFact.parcel_id.in_(chunk)))
        add_facts(chunk)


def facts_differ(limit: int = 10) -> list[str]:
    """Where the kept facts differ from a rebuild from the log, compared in SQL (EXCEPT both ways, nothing written):
    up to `limit` rows a side and table, [] when they are equal."""
    problems = []
    for table, rebuilt in ((ParcelFact.__table__, fact_rows(None)), (FailureFact.__table__, failure_rows(None))):
        kept = select(table)
        for side, extra in (("kept", except_(kept, rebuilt)), ("rebuilt", except_(rebuilt, kept))):
            for row in db.session.execute(select(extra.subquery()).limit(limit)):
                problems.append(f"{table.name} {row[0]}: {side} {tuple(row[1:])!r}")
    return problems
