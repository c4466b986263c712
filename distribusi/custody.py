"""The custody log (kartu kendali): append-only custody events, hash-chained per office."""
from __future__ import annotations

import enum
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from distribusi.database import insert_rows
from distribusi.extensions import db
from distribusi.models import Base, Office, utcnow
from distribusi.workdays import working_time_between

GENESIS_HASH = "0" * 64
HASH_VERSION = 2
_DIALECT_INSERT = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}


class CustodyEvent(Base):
    """One change of state of a document, parcel, recap or letter: who, to whom, when, where, which device."""

    __tablename__ = "custody_events"
    __table_args__ = (
        UniqueConstraint("office_id", "seq"),
        Index("ix_custody_events_subject", "subject_type", "subject_id", "seq"),
        Index("ix_custody_events_office_action_time", "office_id", "action", "recorded_at"),  # period reports
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"))
    seq: Mapped[int]
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[int]
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    from_party: Mapped[str | None] = mapped_column(String(200))
    to_party: Mapped[str | None] = mapped_column(String(200))
    recorded_at: Mapped[datetime]
    device_at: Mapped[datetime | None]
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    device_id: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # v1 hashed every field; v2 hashes a salted digest of the personal fields instead of the fields themselves
    hash_version: Mapped[int] = mapped_column(default=HASH_VERSION, server_default="1")
    personal_salt: Mapped[str | None] = mapped_column(String(32))  # None once the personal fields are erased
    personal_digest: Mapped[str | None] = mapped_column(String(64))
    personal_erased_at: Mapped[datetime | None]


class ChainHead(Base):
    """The last sequence number and hash of an office's chain; its row lock serialises appends."""

    __tablename__ = "custody_chain_heads"

    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)


HASHED_FIELDS = (
    "office_id", "seq", "subject_type", "subject_id", "action", "from_state", "to_state", "actor_id",
    "from_party", "to_party", "recorded_at", "device_at", "lat", "lon", "device_id", "idempotency_key",
    "data", "prev_hash",
)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    if isinstance(value, enum.Enum):
        return value.value
    return value


# Personal data an event may carry (where the courier stood at the door, and the free-text note typed there):
# v2 hashes sha256(salt + these) instead of them, so they can be erased while the chain still verifies.
PERSONAL_FIELDS = ("lat", "lon")
PERSONAL_DATA_KEYS = ("note",)


def _canonical(values: dict[str, Any]) -> bytes:
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def personal_values(values: dict[str, Any]) -> dict[str, Any]:
    """The personal part of an event: its location and the personal keys of its data."""
    data = values.get("data") or {}
    return {**{name: values.get(name) for name in PERSONAL_FIELDS},
            **{f"data.{key}": data.get(key) for key in PERSONAL_DATA_KEYS}}


def personal_digest(salt: str, values: dict[str, Any]) -> str:
    """SHA-256 of the per-event salt and the personal part; the salt is erased with the values."""
    return hashlib.sha256(salt.encode() + _canonical(personal_values(values))).hexdigest()


def compute_hash(values: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an event's hashed fields (v2: personal fields by their digest)."""
    if (values.get("hash_version") or 1) < 2:
        return hashlib.sha256(_canonical({name: _plain(values.get(name)) for name in HASHED_FIELDS})).hexdigest()
    hashed = {name: _plain(values.get(name)) for name in HASHED_FIELDS if name not in PERSONAL_FIELDS}
    hashed["data"] = {k: v for k, v in (values.get("data") or {}).items() if k not in PERSONAL_DATA_KEYS}
    hashed.update(hash_version=values["hash_version"], personal_digest=values.get("personal_digest"))
    return hashlib.sha256(_canonical(hashed)).hexdigest()


def seal_personal(event: dict[str, Any]) -> None:
    """Give a new event the current hash version, a fresh salt and the digest of its personal part."""
    event["hash_version"] = HASH_VERSION
    event["personal_salt"] = secrets.token_hex(16)
    event["personal_digest"] = personal_digest(event["personal_salt"], event)


def event_for(subject: Any, current: Any, target: Any, action: str, move: Any) -> dict[str, Any]:
    """The unchained values of one event for a subject's move."""
    return event_values(subject.office_id, subject.__custody_subject__, subject.id, current, target, action, move)


def event_values(office_id: int, subject_type: str, subject_id: int, current: Any, target: Any, action: str,
                 move: Any) -> dict[str, Any]:
    """The unchained values of one event."""
    return {
        "office_id": office_id,
        "subject_type": subject_type,
        "subject_id": subject_id,
        "action": action,
        "from_state": _plain(current),
        "to_state": _plain(target),
        "actor_id": move.actor_id,
        "from_party": move.from_party,
        "to_party": move.to_party,
        "recorded_at": utcnow(),
        "device_at": move.device_at,
        "lat": move.lat,
        "lon": move.lon,
        "device_id": move.device_id,
        "idempotency_key": move.idempotency_key,
        "data": dict(move.data),
    }


def _lock_head(office_id: int) -> tuple[int, str]:
    """Lock the office's chain head row for this transaction and return its sequence and hash."""
    dialect_insert = _DIALECT_INSERT[db.session.get_bind().dialect.name]
    stmt = (
        dialect_insert(ChainHead)
        .values(office_id=office_id, last_seq=0, last_hash=GENESIS_HASH)
        .on_conflict_do_update(index_elements=["office_id"], set_={"last_seq": ChainHead.last_seq})
        .returning(ChainHead.last_seq, ChainHead.last_hash)
    )
    seq, last_hash = db.session.execute(stmt).one()
    return seq, last_hash


# Called with every batch of appended events, in the same transaction (the report facts keep up this way).
_listeners: list[Callable[[list[dict[str, Any]]], None]] = []


def on_append(listener: Callable[[list[dict[str, Any]]], None]) -> None:
    """Have listener(events) called after each append_events, in its transaction; once however often registered."""
    if listener not in _listeners:
        _listeners.append(listener)


def append_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain and insert events (grouped per office) in the caller's transaction, then tell the on_append listeners;
    returns the events with id, seq and hash."""
    by_office: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        by_office.setdefault(event["office_id"], []).append(event)
    for office_id, office_events in by_office.items():
        seq, prev = _lock_head(office_id)
        for event in office_events:
            seq += 1
            event["seq"] = seq
            event["prev_hash"] = prev
            seal_personal(event)
            event["hash"] = prev = compute_hash(event)
        ids = insert_rows(CustodyEvent, office_events)
        for event, event_id in zip(office_events, ids, strict=True):
            event["id"] = event_id
        db.session.execute(
            update(ChainHead).where(ChainHead.office_id == office_id).values(last_seq=seq, last_hash=prev)
        )
    for listener in _listeners:
        listener(events)
    return events


def events_for(subject_type: str, subject_ids: list[int]) -> list[CustodyEvent]:
    """The events of some subjects in chain order."""
    return list(
        db.session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.subject_type == subject_type, CustodyEvent.subject_id.in_(subject_ids))
            .order_by(CustodyEvent.seq)
        )
    )


DEFAULT_STEP_LIMIT = timedelta(days=1)  # a step waiting longer is shown as late on the control card


@dataclass
class Step:
    """One event of a control card, with how long it waited since the step before and whether that was too long."""

    event: CustodyEvent
    waited: timedelta | None
    limit: timedelta
    late: bool


def step_limits(settings: dict[str, Any] | None) -> dict[str, timedelta]:
    """How long the office lets a subject wait in each state (its `wait_limits` setting, in minutes)."""
    minutes = (settings or {}).get("wait_limits") or {}
    return {state: timedelta(minutes=value) for state, value in minutes.items() if isinstance(value, int | float)}


def wait_limit(settings: dict[str, Any] | None, state: str) -> timedelta:
    """How long the office lets a subject wait in one state before it is shown as late."""
    return step_limits(settings).get(state, DEFAULT_STEP_LIMIT)


def timeline(subjects: dict[str, list[int]], office: Office) -> list[Step]:
    """The events of some subjects (by type) in chain order, each with its wait in working time (closed days left
    out, distribusi.workdays) and whether it passed the office's limit."""

    wanted = [and_(CustodyEvent.subject_type == kind, CustodyEvent.subject_id.in_(ids))
              for kind, ids in subjects.items() if ids]
    if not wanted:
        return []
    events = db.session.scalars(select(CustodyEvent).where(or_(*wanted)).order_by(CustodyEvent.seq)).all()
    limits, steps, previous = step_limits(office.settings), [], None
    for event in events:
        waited = working_time_between(office, previous, event.recorded_at) if previous is not None else None
        limit = limits.get(event.from_state or "", DEFAULT_STEP_LIMIT)
        steps.append(Step(event, waited, limit, waited is not None and waited > limit))
        previous = event.recorded_at
    return steps


@dataclass
class ChainProblem:
    """The first place an office's chain does not verify."""

    office_id: int
    seq: int | None
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event id={self.event_id} seq={self.seq}" if self.event_id else f"seq={self.seq}"
        return f"office {self.office_id}: {where}: {self.reason}"


@contextmanager
def _office_events(office_id: int) -> Iterator[Iterator[CustodyEvent]]:
    """The office's events in chain order, streamed; the cursor is closed even when the walk stops early."""
    stmt = select(CustodyEvent).where(CustodyEvent.office_id == office_id).order_by(CustodyEvent.seq, CustodyEvent.id)
    result = db.session.scalars(stmt.execution_options(yield_per=2000))
    try:
        yield iter(result)
    finally:
        result.close()


def verify_office(office_id: int) -> ChainProblem | None:
    """Walk one office's chain; return the first problem (edit, deletion, reordering) or None."""
    expected_seq, prev = 0, GENESIS_HASH
    with _office_events(office_id) as events:
        for event in events:
            expected_seq += 1
            values = {column.name: getattr(event, column.name) for column in CustodyEvent.__table__.columns}
            if event.seq != expected_seq:
                return ChainProblem(office_id, event.seq, event.id, f"nomor urut {expected_seq} hilang atau tertukar")
            if event.prev_hash != prev:
                return ChainProblem(office_id, event.seq, event.id,
                                    "hash sebelumnya tidak cocok (urutan diubah atau event dihapus)")
            if (personal := _personal_problem(event, values)) is not None:
                return ChainProblem(office_id, event.seq, event.id, personal)
            if compute_hash(values) != event.hash:
                return ChainProblem(office_id, event.seq, event.id, "isi event diubah")
            prev = event.hash
    head = db.session.get(ChainHead, office_id)
    if head is not None and (head.last_seq != expected_seq or head.last_hash != prev):
        return ChainProblem(office_id, head.last_seq, None, "event terakhir hilang dari rantai")
    return None


def _personal_problem(event: CustodyEvent, values: dict[str, Any]) -> str | None:
    """For a v2 event: its personal values match their digest, or, once erased, are all gone."""
    if (event.hash_version or 1) < 2:
        return None
    if event.personal_salt is not None:
        if personal_digest(event.personal_salt, values) != event.personal_digest:
            return "data pribadi event diubah (tidak cocok dengan digest-nya)"
        return None
    if any(value is not None for value in personal_values(values).values()):
        return "data pribadi muncul lagi setelah dihapus"
    return None


def erase_personal(event: CustodyEvent) -> bool:
    """Erase a v2 event's personal fields and its salt (the digest stays in the hash); False for a v1 event."""
    if (event.hash_version or 1) < 2:
        return False
    for name in PERSONAL_FIELDS:
        setattr(event, name, None)
    event.data = {k: v for k, v in (event.data or {}).items() if k not in PERSONAL_DATA_KEYS}
    event.personal_salt = None
    event.personal_erased_at = utcnow()
    return True


def verify_all() -> list[ChainProblem]:
    """Verify every office that has a chain; the list holds at most one problem per office."""
    office_ids = sorted(
        set(db.session.scalars(select(ChainHead.office_id)))
        | set(db.session.scalars(select(CustodyEvent.office_id).distinct()))
    )
    return [problem for office_id in office_ids if (problem := verify_office(office_id))]
