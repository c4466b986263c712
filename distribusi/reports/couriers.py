"""The courier partner scorecard for a contract review: of the parcels handed to each partner in the period (the
period's cohort, followed up to now), how many were accepted, delivered (at the first attempt), failed, returned or
are missing, how fast, and with what proof; grouped SQL over the cohort's report facts, percentiles by rank."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, select

from distribusi.extensions import db
from distribusi.models import CourierPartner, Office, utcnow
from distribusi.reports.deliveries import failure_label
from distribusi.reports.facts import FailureFact as Failure
from distribusi.reports.facts import ParcelFact as F
from distribusi.reports.periods import (
    ClosedDays, Period, epoch, percentiles, tune_for_reports,
)
from distribusi.returns.models import ReturnBatch
from distribusi.workflow import ParcelStatus

HELD = (ParcelStatus.packed, ParcelStatus.with_courier, ParcelStatus.out_for_delivery,
        ParcelStatus.failed_attempt, ParcelStatus.returning)
BACK = (ParcelStatus.returned, ParcelStatus.collected, ParcelStatus.repacked)
FIGURES = ("handed_over", "accepted", "delivered", "first_attempt_delivered", "failed_attempts", "returned", "missing",
           "with_photo", "with_location")


def _cohort(office: Office, period: Period, facts=F):
    """The period's cohort: the office's parcels (or their failures) handed over in it."""
    return facts.office_id == office.id, facts.handed_over_at >= period.start, facts.handed_over_at < period.end


def _counts(office: Office, period: Period) -> dict[int, dict[str, Any]]:
    is_delivered = F.status == ParcelStatus.delivered
    latest = (select(ReturnBatch.courier_partner_id, func.max(ReturnBatch.created_at).label("at"))
              .where(ReturnBatch.office_id == office.id).group_by(ReturnBatch.courier_partner_id).subquery("latest"))

    def total(condition):
        return func.count().filter(condition)

    statement = (select(F.courier_partner_id, func.count(), total(F.accepted_at >= period.start), total(is_delivered),
                        total(and_(is_delivered, F.failures == 0, F.resent.is_(False))),
                        func.coalesce(func.sum(F.failures), 0), total(F.status.in_(BACK)),
                        total(and_(F.status.in_(HELD), latest.c.at > F.handed_over_at)),
                        total(and_(is_delivered, F.photo.is_(True))),
                        total(and_(is_delivered, F.located.is_(True), F.delivered_at >= period.start)))
                 .outerjoin(latest, latest.c.courier_partner_id == F.courier_partner_id)
                 .where(*_cohort(office, period)).group_by(F.courier_partner_id))
    return {row[0]: dict(zip(FIGURES, (int(value) for value in row[1:]), strict=True))
            for row in db.session.execute(statement)}


def _failures(office: Office, period: Period) -> dict[int, list[dict[str, Any]]]:
    found: dict[int, list[dict[str, Any]]] = {}
    for partner_id, value, count in db.session.execute(
            select(Failure.courier_partner_id, Failure.reason, func.count())
            .where(*_cohort(office, period, Failure), Failure.recorded_at >= period.start)
            .group_by(Failure.courier_partner_id, Failure.reason).order_by(func.count().desc(), Failure.reason)):
        found.setdefault(partner_id, []).append(
            {"reason": value or "other", "label": failure_label(value or "other"), "attempts": count})
    return found


def _times(office: Office, period: Period) -> tuple[dict, dict]:
    """Per partner: hours from handover to acceptance, and working days from handover to delivery (percentiles)."""
    today = (utcnow() + period.offset).date()
    last = max(period.last, today) + timedelta(days=1)
    handed, accepted, done = epoch(F.handed_over_at), epoch(F.accepted_at), epoch(F.delivered_at)
    hours = (select(F.courier_partner_id.label("key"), ((accepted - handed) / 3600.0).label("value"))
             .where(*_cohort(office, period), F.accepted_at >= period.start).subquery("accept_hours"))
    delivered = (select(F.courier_partner_id.label("key"))
                 .where(*_cohort(office, period), F.delivered_at >= period.start))
    days = ClosedDays(office, period.first, last, period.offset).working_days(delivered, handed, done, "days")
    days = days.subquery("delivery_days")
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
        figures = counts.get(partner_id) or dict.fromkeys(FIGURES, 0)
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
