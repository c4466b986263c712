"""The courier partner scorecard for a contract review: of the parcels handed to each partner in the period (the
period's cohort, followed up to now), how many were accepted, delivered (at the first attempt), failed, returned or
are missing, how fast, and with what proof; grouped SQL over the cohort, percentiles by rank."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from distribusi.courier.models import DeliveryPhoto
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.models import CourierPartner, Office, utcnow
from distribusi.recap.models import Parcel
from distribusi.reports.deliveries import failure_label
from distribusi.reports.periods import (
    Period, closed_calendar, day_number, epoch, percentiles, tune_for_reports, working_days,
)
from distribusi.returns.models import ReturnBatch
from distribusi.workflow import ParcelStatus

HELD = (ParcelStatus.packed, ParcelStatus.with_courier, ParcelStatus.out_for_delivery,
        ParcelStatus.failed_attempt, ParcelStatus.returning)
BACK = (ParcelStatus.returned, ParcelStatus.collected, ParcelStatus.repacked)


def _event(action: str):
    """An alias of the custody log for one parcel action, to outer-join on the parcel."""
    return aliased(CustodyEvent, name=f"event_{action}")


def _events_of(event, action: str, period: Period):
    """Join conditions for a cohort parcel's event of one action: it happened after the handover, so after the
    period began; saying so lets PostgreSQL read the (office, action, time) index instead of probing per parcel."""
    return and_(event.subject_type == "parcel", event.subject_id == Parcel.id, event.action == action,
                event.office_id == Handover.office_id, event.recorded_at >= period.start)


def _joined(accepted, delivered, period: Period):
    """The cohort's FROM: parcels of handovers, with their accept and delivered events when there are."""
    return (select().select_from(Handover).join(Parcel, Parcel.recap_id == Handover.recap_id)
            .outerjoin(accepted, _events_of(accepted, "accept", period))
            .outerjoin(delivered, _events_of(delivered, "delivered", period)))


def _in_cohort(office: Office, period: Period):
    return (Handover.office_id == office.id, Handover.handed_over_at >= period.start,
            Handover.handed_over_at < period.end)


def _counts(office: Office, period: Period) -> dict[int, dict[str, Any]]:
    accepted, delivered = _event("accept"), _event("delivered")
    is_delivered = Parcel.status == ParcelStatus.delivered
    reconciled_since = exists().where(ReturnBatch.office_id == office.id,
                                      ReturnBatch.courier_partner_id == Handover.courier_partner_id,
                                      ReturnBatch.created_at > Handover.handed_over_at)
    with_photo = exists().where(DeliveryPhoto.parcel_id == Parcel.id)

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    statement = _joined(accepted, delivered, period).add_columns(
        Handover.courier_partner_id, func.count(Parcel.id), func.count(accepted.id), total(is_delivered),
        total(and_(is_delivered, Parcel.failed_attempts == 0, Parcel.previous_parcel_id.is_(None))),
        func.coalesce(func.sum(Parcel.failed_attempts), 0), total(Parcel.status.in_(BACK)),
        total(and_(Parcel.status.in_(HELD), reconciled_since)),
        total(and_(is_delivered, with_photo)), total(and_(is_delivered, delivered.lat.is_not(None))),
    ).where(*_in_cohort(office, period)).group_by(Handover.courier_partner_id)
    names = ("handed_over", "accepted", "delivered", "first_attempt_delivered", "failed_attempts", "returned",
             "missing", "with_photo", "with_location")
    return {row[0]: dict(zip(names, (int(value) for value in row[1:]), strict=True))
            for row in db.session.execute(statement)}


def _failures(office: Office, period: Period) -> dict[int, list[dict[str, Any]]]:
    reason = CustodyEvent.data["failure_reason"].as_string()
    found: dict[int, list[dict[str, Any]]] = {}
    for partner_id, value, count in db.session.execute(
            select(Handover.courier_partner_id, reason, func.count())
            .join(Parcel, Parcel.recap_id == Handover.recap_id)
            .join(CustodyEvent, _events_of(CustodyEvent, "failed", period))
            .where(*_in_cohort(office, period))
            .group_by(Handover.courier_partner_id, reason).order_by(func.count().desc(), reason)):
        found.setdefault(partner_id, []).append(
            {"reason": value or "other", "label": failure_label(value or "other"), "attempts": count})
    return found


def _times(office: Office, period: Period) -> tuple[dict, dict]:
    """Per partner: hours from handover to acceptance, and working days from handover to delivery (percentiles)."""
    accepted, delivered = _event("accept"), _event("delivered")
    today = (utcnow() + period.offset).date()
    last = max(period.last, today) + timedelta(days=1)
    handed = epoch(Handover.handed_over_at)
    cohort = select().select_from(Handover).join(Parcel, Parcel.recap_id == Handover.recap_id)
    hours = (cohort.join(accepted, _events_of(accepted, "accept", period)).add_columns(
        Handover.courier_partner_id.label("key"), ((epoch(accepted.recorded_at) - handed) / 3600.0).label("value"))
        .where(*_in_cohort(office, period)).subquery("accept_hours"))
    start_days = closed_calendar(office, period.first, last, "start_days")
    end_days = closed_calendar(office, period.first, last, "end_days")
    done = epoch(delivered.recorded_at)
    days = (cohort.join(delivered, _events_of(delivered, "delivered", period))
            .outerjoin(start_days, start_days.c.dn == day_number(handed, period.offset))
            .outerjoin(end_days, end_days.c.dn == day_number(done, period.offset))
            .add_columns(Handover.courier_partner_id.label("key"),
                         working_days(handed, done, start_days, end_days, period.offset).label("value"))
            .where(*_in_cohort(office, period)).subquery("delivery_days"))
    return percentiles(hours), percentiles(days)


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def courier_scorecard(office: Office, period: Period) -> dict[str, Any]:
    """One row per partner of the office that was handed parcels in the period (or is active), by name."""
    tune_for_reports()
    counts, failures = _counts(office, period), _failures(office, period)
    hours, days = _times(office, period)
    partners = db.session.execute(select(CourierPartner.id, CourierPartner.name, CourierPartner.contract_number,
                                         CourierPartner.active)
                                  .where(CourierPartner.office_id == office.id).order_by(CourierPartner.name)).all()
    rows = []
    for partner_id, name, contract, active in partners:
        if partner_id not in counts and not active:
            continue
        figures = counts.get(partner_id) or dict.fromkeys(
            ("handed_over", "accepted", "delivered", "first_attempt_delivered", "failed_attempts", "returned",
             "missing", "with_photo", "with_location"), 0)
        accept, deliver = hours.get(partner_id), days.get(partner_id)
        delivered = figures["delivered"]
        rows.append({
            "courier_partner_id": partner_id, "name": name, "contract_number": contract, **figures,
            "delivery_rate": _rate(delivered, figures["handed_over"]),
            "first_attempt_rate": _rate(figures["first_attempt_delivered"], delivered),
            "median_hours_to_accept": _rounded(accept.median if accept else None),
            "p90_hours_to_accept": _rounded(accept.p90 if accept else None),
            "median_days_to_deliver": _rounded(deliver.median if deliver else None),
            "p90_days_to_deliver": _rounded(deliver.p90 if deliver else None),
            "photo_share": _rate(figures["with_photo"], delivered),
            "location_share": _rate(figures["with_location"], delivered),
            "failed_by_reason": failures.get(partner_id, []),
        })
    return {"period": period.as_dict(), "office": office.name, "partners": rows}
