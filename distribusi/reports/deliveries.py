"""The delivery report for a period (Laporan Pengiriman Dokumen Kependudukan): what was registered, handed over,
delivered, failed, returned, collected, re-sent and is still out, in parcels and documents, by document type,
kecamatan and courier partner; every figure is a grouped SQL count over a window of the records."""
from __future__ import annotations

from typing import Any

from sqlalchemy import and_, func, select

from distribusi.courier.models import FAILURE_LABELS, FailureReason
from distribusi.custody import CustodyEvent
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.intake.models import DOC_TYPE_LABELS, Document
from distribusi.models import CourierPartner, Office
from distribusi.recap.models import Parcel, Recap, parcel_documents
from distribusi.reports.periods import Period, tune_for_reports
from distribusi.workflow import ParcelStatus, RecapStatus

FIGURES = ("registered", "handed_over", "delivered", "delivered_first", "delivered_later", "failed", "returned",
           "collected", "resent", "still_out")
FIGURE_LABELS = {
    "registered": "Terdaftar", "handed_over": "Diserahkan ke kurir", "delivered": "Diterima warga",
    "delivered_first": "Diterima pada antaran pertama", "delivered_later": "Diterima pada antaran berikutnya",
    "failed": "Percobaan antar gagal", "returned": "Dikembalikan ke Dinas", "collected": "Diambil di loket",
    "resent": "Dikirim ulang", "still_out": "Masih di kurir (akhir periode)",
}
# parcel actions counted in the period, and the figure each one is
EVENT_ACTIONS = {"delivered": "delivered", "failed": "failed", "receive_return": "returned", "collect": "collected",
                 "repack": "resent"}
OUT_STATES = (ParcelStatus.with_courier, ParcelStatus.out_for_delivery, ParcelStatus.failed_attempt,
              ParcelStatus.returning)
DIMENSIONS = ("doc_type", "kecamatan", "partner")
NO_PARTNER = 0  # the partner key of documents not handed to any partner yet


def _document_count():
    """SQL: how many documents travel in the parcel (a lookup in the parcel_documents primary key)."""
    return (select(func.count()).select_from(parcel_documents)
            .where(parcel_documents.c.parcel_id == Parcel.id).scalar_subquery())


def _blank() -> dict[str, dict[str, int]]:
    return {"parcels": dict.fromkeys(FIGURES, 0), "documents": dict.fromkeys(FIGURES, 0)}


class _Tally:
    """Grouped counts rolled up into the totals and the three breakdowns (a few hundred rows at most)."""

    def __init__(self) -> None:
        self.totals = _blank()
        self.rows: dict[str, dict[Any, dict]] = {name: {} for name in DIMENSIONS}
        self.reasons: dict[str, dict[str, int]] = {}

    def add(self, figure: str, keys: dict[str, Any], parcels: int | None, documents: int, sign: int = 1) -> None:
        targets = [self.totals] + [self.rows[name].setdefault(keys[name], _blank()) for name in DIMENSIONS]
        for target in targets:
            target["parcels"][figure] += sign * (parcels or 0)
            target["documents"][figure] += sign * (documents or 0)


def _keys(doc_type: str, kecamatan: str, partner_id: int | None) -> dict[str, Any]:
    return {"doc_type": doc_type, "kecamatan": kecamatan, "partner": partner_id or NO_PARTNER}


def _registered(office: Office, period: Period, tally: _Tally) -> None:
    for doc_type, kecamatan, count in db.session.execute(
            select(Document.doc_type, Document.kecamatan, func.count())
            .where(Document.office_id == office.id, Document.created_at >= period.start,
                   Document.created_at < period.end)
            .group_by(Document.doc_type, Document.kecamatan)):
        tally.add("registered", _keys(doc_type, kecamatan, None), 0, count)


def _parcel_events(office: Office, start, end, actions) -> Any:
    """Parcel events of the actions in [start, end), grouped by action, failure reason, attempt and dimensions."""
    reason = CustodyEvent.data["failure_reason"].as_string()
    first_attempt = and_(Parcel.failed_attempts == 0, Parcel.previous_parcel_id.is_(None))
    conditions = [CustodyEvent.office_id == office.id, CustodyEvent.action.in_(actions),
                  CustodyEvent.subject_type == "parcel", CustodyEvent.recorded_at >= start]
    if end is not None:
        conditions.append(CustodyEvent.recorded_at < end)
    return db.session.execute(
        select(CustodyEvent.action, reason, first_attempt, Parcel.group_doc_type, Parcel.kecamatan,
               Parcel.courier_partner_id, func.count(), func.sum(_document_count()))
        .join(Parcel, Parcel.id == CustodyEvent.subject_id).where(*conditions)
        .group_by(CustodyEvent.action, reason, first_attempt, Parcel.group_doc_type, Parcel.kecamatan,
                  Parcel.courier_partner_id)).all()


def _handed_over(office: Office, start, end) -> Any:
    """Parcels handed over in [start, end), grouped by dimensions (the partner is the handover's)."""
    conditions = [Handover.office_id == office.id, Handover.handed_over_at >= start]
    if end is not None:
        conditions.append(Handover.handed_over_at < end)
    return db.session.execute(
        select(Parcel.group_doc_type, Parcel.kecamatan, Handover.courier_partner_id, func.count(),
               func.sum(_document_count()))
        .join(Parcel, Parcel.recap_id == Handover.recap_id).where(*conditions)
        .group_by(Parcel.group_doc_type, Parcel.kecamatan, Handover.courier_partner_id)).all()


def _still_out(office: Office, period: Period, tally: _Tally) -> None:
    """Parcels out with a partner at the period's end: those out now, plus those that came back (delivered or
    received) since the end, minus those handed over since the end; every part is a window, never all history."""
    packed_out = and_(Parcel.status == ParcelStatus.packed,
                      Recap.status.in_((RecapStatus.handed_over, RecapStatus.closed)))
    for doc_type, kecamatan, partner_id, count, documents in db.session.execute(
            select(Parcel.group_doc_type, Parcel.kecamatan, Parcel.courier_partner_id, func.count(),
                   func.sum(_document_count()))
            .join(Recap, Recap.id == Parcel.recap_id)
            .where(Parcel.office_id == office.id, Parcel.status.in_((*OUT_STATES, ParcelStatus.packed)),
                   Parcel.status.in_(OUT_STATES) | packed_out)
            .group_by(Parcel.group_doc_type, Parcel.kecamatan, Parcel.courier_partner_id)):
        tally.add("still_out", _keys(doc_type, kecamatan, partner_id), count, documents)
    for _action, _reason, _first, doc_type, kecamatan, partner_id, count, documents in _parcel_events(
            office, period.end, None, ("delivered", "receive_return")):
        tally.add("still_out", _keys(doc_type, kecamatan, partner_id), count, documents)
    for doc_type, kecamatan, partner_id, count, documents in _handed_over(office, period.end, None):
        tally.add("still_out", _keys(doc_type, kecamatan, partner_id), count, documents, sign=-1)


def delivery_report(office: Office, period: Period) -> dict[str, Any]:
    """The delivery report of one office for one period, in parcels and documents."""
    tune_for_reports()
    tally = _Tally()
    _registered(office, period, tally)
    for doc_type, kecamatan, partner_id, count, documents in _handed_over(office, period.start, period.end):
        tally.add("handed_over", _keys(doc_type, kecamatan, partner_id), count, documents)
    for action, reason, first, doc_type, kecamatan, partner_id, count, documents in _parcel_events(
            office, period.start, period.end, tuple(EVENT_ACTIONS)):
        keys = _keys(doc_type, kecamatan, partner_id)
        figure = EVENT_ACTIONS[action]
        tally.add(figure, keys, count, documents)
        if figure == "delivered":
            tally.add("delivered_first" if first else "delivered_later", keys, count, documents)
        elif figure == "failed":
            found = tally.reasons.setdefault(reason or "other", {"attempts": 0, "documents": 0})
            found["attempts"] += count
            found["documents"] += documents or 0
    _still_out(office, period, tally)
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
