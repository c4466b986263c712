"""The delivery report for a period (Laporan Pengiriman Dokumen Kependudukan): what was registered, handed over,
delivered, failed, returned, collected, re-sent and is still out, in parcels and documents, by document type,
kecamatan and courier partner; every figure is a grouped SQL count over the period's report facts (reports.facts)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, or_, select

from distribusi.courier.models import FAILURE_LABELS, FailureReason
from distribusi.extensions import db
from distribusi.intake.models import DOC_TYPE_LABELS, Document
from distribusi.models import CourierPartner, Office
from distribusi.reports.facts import FailureFact as Failure
from distribusi.reports.facts import ParcelFact as F
from distribusi.reports.periods import Period, tune_for_reports

FIGURES = ("registered", "handed_over", "delivered", "delivered_first", "delivered_later", "failed", "returned",
           "collected", "resent", "still_out")
FIGURE_LABELS = {
    "registered": "Terdaftar", "handed_over": "Diserahkan ke kurir", "delivered": "Diterima warga",
    "delivered_first": "Diterima pada antaran pertama", "delivered_later": "Diterima pada antaran berikutnya",
    "failed": "Percobaan antar gagal", "returned": "Dikembalikan ke Dinas", "collected": "Diambil di loket",
    "resent": "Dikirim ulang", "still_out": "Masih di kurir (akhir periode)",
}
DIMENSIONS = ("doc_type", "kecamatan", "partner")
NO_PARTNER = 0  # the partner key of documents not handed to any partner yet


def _blank() -> dict[str, dict[str, int]]:
    return {"parcels": dict.fromkeys(FIGURES, 0), "documents": dict.fromkeys(FIGURES, 0)}


class _Tally:
    """Grouped counts rolled up into the totals and the three breakdowns (a few hundred rows at most)."""

    def __init__(self) -> None:
        self.totals = _blank()
        self.rows: dict[str, dict[Any, dict]] = {name: {} for name in DIMENSIONS}
        self.reasons: dict[str, dict[str, int]] = {}

    def add(self, figure: str, keys: dict[str, Any], parcels: int | None, documents: int | None) -> None:
        targets = [self.totals] + [self.rows[name].setdefault(keys[name], _blank()) for name in DIMENSIONS]
        for target in targets:
            target["parcels"][figure] += parcels or 0
            target["documents"][figure] += documents or 0


def _keys(doc_type: str, kecamatan: str, partner_id: int | None) -> dict[str, Any]:
    return {"doc_type": doc_type, "kecamatan": kecamatan, "partner": partner_id or NO_PARTNER}


def _registered(office: Office, period: Period, tally: _Tally) -> None:
    for doc_type, kecamatan, count in db.session.execute(
            select(Document.doc_type, Document.kecamatan, func.count())
            .where(Document.office_id == office.id, Document.created_at >= period.start,
                   Document.created_at < period.end)
            .group_by(Document.doc_type, Document.kecamatan)):
        tally.add("registered", _keys(doc_type, kecamatan, None), 0, count)


def _during(column, period: Period):
    return and_(column >= period.start, column < period.end)


def _figures(period: Period) -> dict[str, Any]:
    """Each parcel figure as a condition on a parcel's facts; still out: handed over before the period's end and
    neither delivered nor received back by then."""
    end = period.end
    return {
        "handed_over": _during(F.handed_over_at, period),
        "delivered": _during(F.delivered_at, period),
        "delivered_first": and_(_during(F.delivered_at, period), F.failures == 0, F.resent.is_(False)),
        "delivered_later": and_(_during(F.delivered_at, period), or_(F.failures > 0, F.resent.is_(True))),
        "returned": _during(F.returned_at, period),
        "collected": _during(F.collected_at, period),
        "resent": _during(F.repacked_at, period),
        "still_out": and_(F.handed_over_at < end, or_(F.delivered_at.is_(None), F.delivered_at >= end),
                          or_(F.returned_at.is_(None), F.returned_at >= end)),
    }


def _candidates(office: Office, period: Period):
    """The facts any figure may count, each part an index range: handed over in the period, delivered, received
    back, collected or re-sent since it began, or still open (handed over, neither delivered nor back)."""
    return (F.office_id == office.id,
            or_(_during(F.handed_over_at, period), F.delivered_at >= period.start, F.returned_at >= period.start,
                _during(F.collected_at, period), _during(F.repacked_at, period),
                and_(F.delivered_at.is_(None), F.returned_at.is_(None), F.handed_over_at < period.end)))


def _parcel_figures(office: Office, period: Period, tally: _Tally) -> None:
    figures = _figures(period)
    columns = []
    for condition in figures.values():
        columns += [func.count().filter(condition), func.sum(F.documents).filter(condition)]
    for doc_type, kecamatan, partner_id, *counts in db.session.execute(
            select(F.doc_type, F.kecamatan, F.courier_partner_id, *columns).where(*_candidates(office, period))
            .group_by(F.doc_type, F.kecamatan, F.courier_partner_id)):
        keys = _keys(doc_type, kecamatan, partner_id)
        for index, figure in enumerate(figures):
            tally.add(figure, keys, counts[2 * index], counts[2 * index + 1])


def _failures(office: Office, period: Period, tally: _Tally) -> None:
    for reason, doc_type, kecamatan, partner_id, count, documents in db.session.execute(
            select(Failure.reason, Failure.doc_type, Failure.kecamatan, Failure.courier_partner_id, func.count(),
                   func.sum(Failure.documents))
            .where(Failure.office_id == office.id, _during(Failure.recorded_at, period))
            .group_by(Failure.reason, Failure.doc_type, Failure.kecamatan, Failure.courier_partner_id)):
        tally.add("failed", _keys(doc_type, kecamatan, partner_id), count, documents)
        found = tally.reasons.setdefault(reason or "other", {"attempts": 0, "documents": 0})
        found["attempts"] += count
        found["documents"] += documents or 0


def delivery_report(office: Office, period: Period) -> dict[str, Any]:
    """The delivery report of one office for one period, in parcels and documents, from the report facts."""
    tune_for_reports()
    tally = _Tally()
    _registered(office, period, tally)
    _parcel_figures(office, period, tally)
    _failures(office, period, tally)
    return _shape(office, period, tally)


def _label_of(dimension: str, key: Any, partners: dict[int, str]) -> str:
    if dimension == "doc_type":
        return DOC_TYPE_LABELS.get(key, key)
    if dimension == "partner":
        return partners.get(key, "Belum diserahkan ke mitra")
    return key or "-"


def failure_label(reason: str) -> str:
    try:
        return FAILURE_LABELS[FailureReason(reason)]
    except ValueError:
        return reason


def _shape(office: Office, period: Period, tally: _Tally) -> dict[str, Any]:
    partners = dict(db.session.execute(select(CourierPartner.id, CourierPartner.name)
                                       .where(CourierPartner.office_id == office.id)).all())
    breakdowns = {}
    for dimension in DIMENSIONS:
        rows = [{"key": str(key), "label": _label_of(dimension, key, partners), **figures}
                for key, figures in tally.rows[dimension].items()
                if any(figures["parcels"].values()) or any(figures["documents"].values())]
        rows.sort(key=lambda row: (-row["documents"]["registered"] - row["parcels"]["handed_over"]
                                   - row["parcels"]["still_out"], row["label"]))
        breakdowns[dimension] = rows
    for figures in [tally.totals, *(row for rows in breakdowns.values() for row in rows)]:
        figures["parcels"]["registered"] = None  # documents are registered one by one, before any parcel exists
    reasons = [{"reason": reason, "label": failure_label(reason), **counts}
               for reason, counts in sorted(tally.reasons.items(), key=lambda item: (-item[1]["attempts"], item[0]))]
    return {"period": period.as_dict(), "office": office.name, "totals": tally.totals,
            "failed_by_reason": reasons, "by_doc_type": breakdowns["doc_type"],
            "by_kecamatan": breakdowns["kecamatan"], "by_partner": breakdowns["partner"]}
