"""Keeping the report facts (reports.facts) up to date in the same transaction as what they follow: each batch of
custody events (a parcel packed, moved, failed; a recap handed over) and each proof photo added or erased."""
from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import bindparam, event, exists, func, insert, select, update

from distribusi import custody
from distribusi.courier.models import DeliveryPhoto
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.recap.models import Parcel
from distribusi.reports.facts import COPIED, FAILURE_COLUMNS, STEP_TIMES, FailureFact, ParcelFact, add_facts

FACTS = ParcelFact.__table__


def _moves(events: list[dict[str, Any]]) -> None:
    """One UPDATE per action, executed for many parcels at once: the new state, the step's first time, a failure."""
    by_action: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in events:
        by_action[item["action"]].append({"b_parcel": item["subject_id"], "b_status": item["to_state"],
                                          "b_at": item["recorded_at"], "b_located": item["lat"] is not None})
    for action, rows in by_action.items():
        values: dict[str, Any] = {"status": bindparam("b_status")}
        if action in STEP_TIMES:
            column = FACTS.c[STEP_TIMES[action]]
            values[column.name] = func.coalesce(column, bindparam("b_at"))
        if action == "delivered":
            values["located"] = FACTS.c.located | bindparam("b_located")
        elif action == "failed":
            values["failures"] = FACTS.c.failures + 1
        db.session.execute(update(FACTS).where(FACTS.c.parcel_id == bindparam("b_parcel")).values(values), rows)


def _failures(events: list[dict[str, Any]]) -> None:
    """One row per failed attempt, with what it takes from its parcel's facts (one INSERT ... SELECT, executemany)."""
    rows = [{"b_event": item["id"], "b_office": item["office_id"], "b_parcel": item["subject_id"],
             "b_at": item["recorded_at"], "b_reason": (item["data"] or {}).get("failure_reason")}
            for item in events if item["action"] == "failed"]
    if rows:
        values = select(*(bindparam(name) for name in ("b_event", "b_office", "b_parcel", "b_at", "b_reason")),
                        *COPIED).where(ParcelFact.parcel_id == bindparam("b_parcel"))
        db.session.execute(insert(FailureFact.__table__).from_select(FAILURE_COLUMNS, values), rows)


def _handovers(recap_ids: list[int]) -> None:
    """Every parcel of the recap takes its handover's time and partner, in one UPDATE per recap."""
    for recap_id in recap_ids:
        handover = db.session.execute(select(Handover.handed_over_at, Handover.courier_partner_id)
                                      .where(Handover.recap_id == recap_id)).first()
        if handover is None:  # the recap moved without a handover record: there is no handover to count
            continue
        db.session.execute(update(FACTS).where(FACTS.c.parcel_id.in_(select(Parcel.id).where(
            Parcel.recap_id == recap_id))).values(handed_over_at=handover[0], courier_partner_id=handover[1]))


def record_events(events: list[dict[str, Any]]) -> None:
    """Bring the facts up to date with freshly appended custody events (custody.on_append, same transaction)."""
    parcels = [item for item in events if item["subject_type"] == "parcel"]
    packed = [item["subject_id"] for item in parcels if item["action"] == "pack"]
    if packed:
        add_facts(packed)
    moves = [item for item in parcels if item["action"] != "pack"]
    if moves:
        _moves(moves)
        _failures(moves)
    handed = [item["subject_id"] for item in events
              if item["subject_type"] == "recap" and item["action"] == "hand_over"]
    if handed:
        _handovers(handed)


custody.on_append(record_events)


@event.listens_for(DeliveryPhoto, "after_insert")
@event.listens_for(DeliveryPhoto, "after_delete")
def _photo_changed(_mapper, connection, photo: DeliveryPhoto) -> None:
    """A proof photo added or erased: whether the parcel still has one."""
    connection.execute(update(FACTS).where(FACTS.c.parcel_id == photo.parcel_id).values(
        photo=exists().where(DeliveryPhoto.parcel_id == photo.parcel_id)))
