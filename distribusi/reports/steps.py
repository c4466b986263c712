"""Time per step of the flow against its standard: from the custody log, the median and 90th-percentile wait of
each step that ended in the period, in minutes (clock time) or in working days, as the step's standard is set; the
parcel steps from the report facts (reports.facts)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, func, literal, select, union_all
from sqlalchemy.orm import aliased

from distribusi.custody import CustodyEvent
from distribusi.models import Office
from distribusi.reports.facts import ParcelFact
from distribusi.reports.periods import (
    LOOKBACK_DAYS, ClosedDays, Period, epoch, percentiles, tune_for_reports,
)

MINUTES, WORKING_DAYS = "minutes", "working_days"
UNIT_LABELS = {MINUTES: "menit", WORKING_DAYS: "hari kerja"}


@dataclass(frozen=True)
class FlowStep:
    """A step from one custody event to the next: (subject type, action) at its start and at its end."""

    key: str
    label: str
    start: tuple[str, str]  # ("handover", "") takes the recap's handover time
    end: tuple[str, str]
    standard: int
    unit: str
    source: str


# The SOP JASA DUKCAPIL gives one minute to each of its four desk steps; delivery has no SOP standard, so the
# office's defaults stand in (the courier contract's terms), changeable in the office setting `step_standards`.
FLOW_STEPS = (
    FlowStep("registered", "Terdaftar → masuk rekapan", ("document", "register"), ("document", "pack"), 1, MINUTES,
             "SOP"),
    FlowStep("in_recap", "Masuk rekapan → diajukan", ("recap", "create"), ("recap", "submit"), 1, MINUTES, "SOP"),
    FlowStep("submitted", "Diajukan → surat pengantar dibuat", ("recap", "submit"), ("recap", "issue_letter"), 1,
             MINUTES, "SOP"),
    FlowStep("letter_issued", "Surat dibuat → ditandatangani", ("recap", "issue_letter"), ("recap", "sign_letter"),
             1, MINUTES, "SOP"),
    FlowStep("signed", "Ditandatangani → diserahkan ke kurir", ("recap", "sign_letter"), ("recap", "hand_over"), 1,
             MINUTES, "SOP"),
    FlowStep("handed_over", "Diserahkan → diterima kurir (pindai)", ("handover", ""), ("parcel", "accept"), 1,
             WORKING_DAYS, "Kantor"),
    FlowStep("accepted", "Diterima kurir → diterima warga", ("parcel", "accept"), ("parcel", "delivered"), 3,
             WORKING_DAYS, "Kantor"),
)


def standards(office: Office) -> dict[str, dict[str, Any]]:
    """Each step's standard: the office setting `step_standards` ({key: {"amount", "unit"}}) over the SOP's."""
    own = (office.settings or {}).get("step_standards") or {}
    found = {}
    for step in FLOW_STEPS:
        setting = own.get(step.key) if isinstance(own.get(step.key), dict) else {}
        amount, unit = setting.get("amount"), setting.get("unit")
        if isinstance(amount, int | float) and amount > 0 and unit in UNIT_LABELS:
            found[step.key] = {"amount": amount, "unit": unit, "source": "Kantor"}
        else:
            found[step.key] = {"amount": step.standard, "unit": step.unit, "source": step.source}
    return found


# where the report facts keep a step's start or end: a parcel's handover, acceptance and delivery
FACT_TIMES = {("handover", ""): "handed_over_at", ("parcel", "accept"): "accepted_at",
              ("parcel", "delivered"): "delivered_at"}


def _fact_pairs(office: Office, period: Period, step: FlowStep):
    """(started, ended) of each parcel whose step ended in the period, from its facts (one row per parcel)."""
    started, ended = ParcelFact.__table__.c[FACT_TIMES[step.start]], ParcelFact.__table__.c[FACT_TIMES[step.end]]
    conditions = [ParcelFact.office_id == office.id, ended >= period.start, ended < period.end, started.is_not(None)]
    if step.start[0] != "handover":  # as _log_pairs: a start event within the look-back, not after the end
        conditions += [started >= period.start - timedelta(days=LOOKBACK_DAYS), started <= ended]
    return (select(ParcelFact.parcel_id.label("subject"), started.label("started"), ended.label("ended"))
            .where(*conditions).subquery(f"pairs_{step.key}"))


def _log_pairs(office: Office, period: Period, step: FlowStep):
    """(start, end) of every subject whose step ended in the period, from the custody log: its first start event
    (within the look-back) and its first end event in the period, one row per subject."""
    end = aliased(CustodyEvent, name=f"end_{step.key}")
    start = aliased(CustodyEvent, name=f"start_{step.key}")
    return (select(end.subject_id.label("subject"), func.min(start.recorded_at).label("started"),
                   func.min(end.recorded_at).label("ended"))
            .join(start, and_(start.subject_type == step.start[0], start.subject_id == end.subject_id,
                              start.action == step.start[1], start.office_id == office.id,
                              start.recorded_at >= period.start - timedelta(days=LOOKBACK_DAYS),
                              start.recorded_at <= end.recorded_at))
            .where(end.office_id == office.id, end.subject_type == step.end[0], end.action == step.end[1],
                   end.recorded_at >= period.start, end.recorded_at < period.end)
            .group_by(end.subject_id).subquery(f"pairs_{step.key}"))


def _pairs(office: Office, period: Period, step: FlowStep):
    """The step's (subject, started, ended): from the parcel facts for the parcel steps, else from the log."""
    if step.start in FACT_TIMES and step.end in FACT_TIMES:
        return _fact_pairs(office, period, step)
    return _log_pairs(office, period, step)


def step_times(office: Office, period: Period) -> dict[str, Any]:
    """Per step: how many ended in the period, the median and p90 wait in the standard's unit, and whether they
    pass the standard; every step's waits ranked in one statement."""
    tune_for_reports()
    limits = standards(office)
    calendar = ClosedDays(office, period.first - timedelta(days=LOOKBACK_DAYS), period.last, period.offset)
    parts = []
    for step in FLOW_STEPS:
        pairs = _pairs(office, period, step)
        started, ended = epoch(pairs.c.started), epoch(pairs.c.ended)
        if limits[step.key]["unit"] == WORKING_DAYS:
            part = calendar.working_days(select(literal(step.key).label("key")).select_from(pairs), started, ended,
                                         f"{step.key}_days", fenced=False)  # the union's parts run in parallel
        else:
            part = select(literal(step.key).label("key"), ((ended - started) / 60.0).label("value"))
        parts.append(part)
    found = percentiles(union_all(*parts).subquery("waits"))
    rows = []
    for step in FLOW_STEPS:
        limit = limits[step.key]
        figures = found.get(step.key)
        median = round(figures.median, 2) if figures else None
        p90 = round(figures.p90, 2) if figures else None
        rows.append({
            "key": step.key, "label": step.label, "count": figures.count if figures else 0,
            "median": median, "p90": p90, "unit": limit["unit"], "unit_label": UNIT_LABELS[limit["unit"]],
            "standard": limit["amount"], "standard_source": limit["source"],
            "median_over": median is not None and median > limit["amount"],
            "p90_over": p90 is not None and p90 > limit["amount"],
        })
    return {"period": period.as_dict(), "office": office.name, "steps": rows}
