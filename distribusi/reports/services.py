"""The dashboard's figures by aggregate SQL: today's activity, steps waiting over their limit, 30 days of flow."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from distribusi.admin.schemas import DEFAULT_WAIT_LIMITS
from distribusi.custody import ChainHead, CustodyEvent
from distribusi.extensions import db
from distribusi.handover.models import Handover
from distribusi.letters.models import CoverLetter
from distribusi.models import Office, utcnow
from distribusi.recap.models import Parcel, Recap
from distribusi.workdays import working_since, working_time_between
from distribusi.workflow import LetterStatus, ParcelStatus, RecapStatus

CHART_DAYS = 30
WAIT_ROWS = 20  # rows shown per step; the count says how many more there are
CLOCK_SKEW = timedelta(minutes=10)  # an event's time is taken just before its chain lock: seq and time agree to this

# (subject_type, action) of the custody events the dashboard counts, and the name of each figure
EVENT_FIGURES = {
    ("document", "register"): "registered",
    ("recap", "submit"): "recaps_submitted",
    ("letter", "sign"): "letters_signed",
    ("parcel", "delivered"): "delivered",
    ("parcel", "failed"): "failed",
    ("parcel", "receive_return"): "returned",
}
OUTCOMES = ("delivered", "failed", "returned")


@dataclass(frozen=True)
class Step:
    """A step of the flow where something waits for the next person: what waits in which state, and for what."""

    key: str
    label: str
    model: type
    state: Any
    desk: str  # the page (endpoint) where the next person takes it on

    @property
    def subject(self) -> str:
        """recap, letter or parcel: what waits, as the custody log names it."""
        return self.model.__custody_subject__


WAIT_STEPS = (
    Step("submitted", "Rekapan diajukan, menunggu surat pengantar", Recap, RecapStatus.submitted,
         "letters.recap_inbox"),
    Step("awaiting_signature", "Surat pengantar menunggu tanda tangan", CoverLetter, LetterStatus.awaiting_signature,
         "letters.awaiting"),
    Step("signed", "Surat ditandatangani, menunggu serah terima", Recap, RecapStatus.signed, "handover.handovers"),
    Step("returned", "Kiriman kembali di Dinas, menunggu diambil atau dikemas ulang", Parcel, ParcelStatus.returned,
         "recap.counter"),
)


def wait_limits(office: Office) -> dict[str, int]:
    """Minutes each step may wait before the dashboard lists it: the office's setting over the defaults."""
    return {**DEFAULT_WAIT_LIMITS, **((office.settings or {}).get("wait_limits") or {})}


def _offset(office: Office, now: datetime) -> timedelta:
    """The office zone's distance from UTC (Indonesia keeps no daylight saving time)."""
    return office.zone.utcoffset(now)


def _local_day(column, offset: timedelta):
    """SQL for the office-local calendar day of a stored UTC time."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")
    return func.date(column + offset)


def _day_key(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def first_seq_since(office_id: int, moment: datetime) -> int:
    """The lowest chain sequence recorded at or after moment (give or take CLOCK_SKEW), found by bisecting the
    (office_id, seq) index: a window of the custody log without an index on its time."""
    last = db.session.scalar(select(ChainHead.last_seq).where(ChainHead.office_id == office_id)) or 0
    low, high = 1, last + 1
    while low < high:
        middle = (low + high) // 2
        at = db.session.scalar(select(CustodyEvent.recorded_at).where(
            CustodyEvent.office_id == office_id, CustodyEvent.seq == middle))
        if at is None or at < moment:
            low = middle + 1
        else:
            high = middle
    return low


def _window_start(office: Office, now: datetime, days: int) -> tuple[datetime, list[str]]:
    """The UTC start of the last `days` office-local days ending today, and those days as YYYY-MM-DD."""
    offset = _offset(office, now)
    today = (now + offset).date()
    first = today - timedelta(days=days - 1)
    start = datetime.combine(first, datetime.min.time()) - offset
    return start, [(first + timedelta(days=n)).isoformat() for n in range(days)]


def _empty_day() -> dict[str, Any]:
    return {"counts": dict.fromkeys((*EVENT_FIGURES.values(), "handed_over"), 0), "kecamatan": {}}


def _count_days(office: Office, offset: timedelta, start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """Per office-local day from start to end: the figures of EVENT_FIGURES and the parcels handed over, and the
    parcel outcomes per kecamatan; three grouped queries over the custody log's seq window and the handovers."""
    found: dict[str, dict[str, Any]] = {}
    low_seq = first_seq_since(office.id, start - CLOCK_SKEW)
    in_window = (CustodyEvent.office_id == office.id, CustodyEvent.seq >= low_seq, CustodyEvent.recorded_at >= start,
                 CustodyEvent.recorded_at < end)
    day = _local_day(CustodyEvent.recorded_at, offset)
    for value, subject_type, action, count in db.session.execute(
            select(day, CustodyEvent.subject_type, CustodyEvent.action, func.count())
            .where(*in_window, CustodyEvent.subject_type.in_({s for s, _a in EVENT_FIGURES}),
                   CustodyEvent.action.in_({a for _s, a in EVENT_FIGURES}))
            .group_by(day, CustodyEvent.subject_type, CustodyEvent.action)):
        if name := EVENT_FIGURES.get((subject_type, action)):
            found.setdefault(_day_key(value), _empty_day())["counts"][name] += count
    outcomes = {action: name for (subject, action), name in EVENT_FIGURES.items() if subject == "parcel"}
    for value, kecamatan, action, count in db.session.execute(
            select(day, Parcel.kecamatan, CustodyEvent.action, func.count())
            .join(Parcel, Parcel.id == CustodyEvent.subject_id)
            .where(*in_window, CustodyEvent.subject_type == "parcel", CustodyEvent.action.in_(outcomes))
            .group_by(day, Parcel.kecamatan, CustodyEvent.action)):
        by_kecamatan = found.setdefault(_day_key(value), _empty_day())["kecamatan"]
        by_kecamatan.setdefault(kecamatan, dict.fromkeys(OUTCOMES, 0))[outcomes[action]] += count
    handed_day = _local_day(Handover.handed_over_at, offset)
    for value, count in db.session.execute(
            select(handed_day, func.count(Parcel.id)).join(Parcel, Parcel.recap_id == Handover.recap_id)
            .where(Handover.office_id == office.id, Handover.handed_over_at >= start, Handover.handed_over_at < end)
            .group_by(handed_day)):
        found.setdefault(_day_key(value), _empty_day())["counts"]["handed_over"] += count
    return found


def figures_by_day(office: Office, now: datetime | None = None, days: int = CHART_DAYS) -> dict[str, dict]:
    """The figures of each of the last days, oldest first. The custody log and the handovers are append-only, so a
    day that has ended (by more than CLOCK_SKEW) never changes: it is counted once per process and kept; only the
    days after the last kept one are queried, usually just today."""
    now = now or utcnow()
    offset = _offset(office, now)
    start, day_list = _window_start(office, now, days)
    kept = current_app.extensions.setdefault("reports.closed_days", {})
    closed_before = utcnow() - CLOCK_SKEW
    figures: dict[str, dict] = {}
    for position, day in enumerate(day_list):
        if (office.id, offset, day) not in kept:
            break
        figures[day] = kept[(office.id, offset, day)]
    else:
        return figures
    first_missing = start + timedelta(days=position)
    counted = _count_days(office, offset, first_missing, now + timedelta(microseconds=1))
    for day in day_list[position:]:
        figures[day] = counted.get(day) or _empty_day()
        day_end = datetime.combine(date.fromisoformat(day) + timedelta(days=1), datetime.min.time()) - offset
        if day_end <= min(now, closed_before):
            kept[(office.id, offset, day)] = figures[day]
    for key in [key for key in kept if key[0] == office.id and key[2] < day_list[0]]:
        del kept[key]  # out of the window: never asked again
    return figures


def daily_flow(office: Office, now: datetime | None = None, days: int = CHART_DAYS,
               figures: dict[str, dict] | None = None) -> dict[str, Any]:
    """Per office-local day: documents registered, recaps submitted, letters signed, parcels handed over, delivered,
    failed and returned."""
    figures = figures if figures is not None else figures_by_day(office, now, days)
    names = (*EVENT_FIGURES.values(), "handed_over")
    series = {name: [day["counts"][name] for day in figures.values()] for name in names}
    return {"days": list(figures), "series": series}


def outcomes_by_kecamatan(office: Office, now: datetime | None = None, days: int = CHART_DAYS,
                          figures: dict[str, dict] | None = None) -> list[dict]:
    """Deliveries, failed attempts and returns of the last days per kecamatan, most parcels first."""
    figures = figures if figures is not None else figures_by_day(office, now, days)
    found: dict[str, dict[str, Any]] = {}
    for day in figures.values():
        for kecamatan, outcomes in day["kecamatan"].items():
            row = found.setdefault(kecamatan, {"kecamatan": kecamatan, **dict.fromkeys(OUTCOMES, 0)})
            for outcome, count in outcomes.items():
                row[outcome] += count
    return sorted(found.values(), key=lambda row: (-sum(row[o] for o in OUTCOMES), row["kecamatan"]))


def today_activity(flow: dict[str, Any]) -> dict[str, int]:
    """Today's figure of each series (the last day of the flow)."""
    return {name: values[-1] for name, values in flow["series"].items()}


def waiting_too_long(office: Office, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per step: what has waited longer than the office's limit in its state, oldest first, from the (office_id,
    status) index. A recap, letter or parcel row changes only with its state (every other column is written by the
    same transition), so its updated_at is the time it entered the state, as its custody event says. Waits count
    working time: weekends, holidays and the office's days off do not."""
    now = now or utcnow()
    limits = wait_limits(office)
    found = []
    for step in WAIT_STEPS:
        model = step.model
        rows = db.session.execute(
            select(model, func.count().over())
            .where(model.office_id == office.id, model.status == step.state,
                   model.updated_at < working_since(office, now, timedelta(minutes=limits[step.key])))
            .order_by(model.updated_at, model.id).limit(WAIT_ROWS)).all()
        found.append({"step": step, "limit_minutes": limits[step.key], "total": rows[0][1] if rows else 0,
                      "items": [{"subject": subject, "since": subject.updated_at, "waited": working_time_between(office, subject.updated_at, now)}
                                for subject, _total in rows]})
    return found


def dashboard(office: Office, now: datetime | None = None) -> dict[str, Any]:
    """Everything the staff home shows besides the counts per state."""
    now = now or utcnow()
    figures = figures_by_day(office, now)
    flow = daily_flow(office, figures=figures)
    return {"flow": flow, "today": today_activity(flow), "kecamatan": outcomes_by_kecamatan(office, figures=figures),
            "waiting": waiting_too_long(office, now)}


def chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    """The charts' figures as plain JSON: the daily series and the outcome per kecamatan."""
    flow = figures["flow"]
    return {
        "days": flow["days"],
        "series": {name: flow["series"][name] for name in ("registered", "handed_over", "delivered", "returned")},
        "kecamatan": {"labels": [row["kecamatan"] for row in figures["kecamatan"]],
                      **{outcome: [row[outcome] for row in figures["kecamatan"]] for outcome in OUTCOMES}},
    }
